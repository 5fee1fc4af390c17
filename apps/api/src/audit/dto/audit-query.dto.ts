import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsDateTime, PageQueryDto } from '../../common/validation';

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

  @IsDateTime('events at or after this instant', { optional: true })
  from?: string;

  @IsDateTime('events before this instant', { optional: true })
  to?: string;
}

export class AuditExportDto extends AuditFiltersDto {
  @ApiPropertyOptional({ minimum: 1, description: 'first seq (inclusive): a seq range is an unbroken stretch of the chain' })
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  fromSeq?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'last seq (inclusive)' })
  @Transform(({ value }) => (value === undefined || value === '' ? undefined : Number(value)))
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  toSeq?: number;

  @ApiPropertyOptional({ enum: ['jsonl', 'csv'], default: 'jsonl' })
  @IsOptional()
  @IsIn(['jsonl', 'csv'])
  format?: 'jsonl' | 'csv';
}
