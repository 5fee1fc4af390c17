import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsUUID, Matches, Min } from 'class-validator';
import { PageQueryDto } from '../../common/validation';

export class AuditFiltersDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'change_request' })
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'caseType must be a case type such as change_request' })
  caseType?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'caseId must be a UUID' })
  caseId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'actorId must be a directory user id or system' })
  actorId?: string;

  @ApiPropertyOptional({ example: 'approval_decision' })
  @IsOptional()
  @Matches(/^[a-z_]{1,64}$/, { message: 'action must be an action name such as approval_decision' })
  action?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events at or after this instant' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'events before this instant' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;
}

export class AuditExportDto extends AuditFiltersDto {
  @ApiPropertyOptional({ minimum: 1, description: 'first seq (inclusive): a seq range is an unbroken stretch of the chain' })
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  fromSeq?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'last seq (inclusive)' })
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  toSeq?: number;

  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'])
  format?: 'jsonl' | 'csv';
}
