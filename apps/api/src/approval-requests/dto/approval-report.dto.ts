import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';

export class ApprovalReportQuery {
  @ApiPropertyOptional({ format: 'date-time', description: 'requests submitted at or after' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO 8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'requests submitted before' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO 8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ example: 'purchase' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'type must be a request type name' })
  type?: string;
}

export class LevelWaitDto {
  @ApiProperty({ description: 'Levels of this name that finished waiting (decided)' }) count: number;
  @ApiProperty({ description: 'Levels of this name waiting now' }) waiting: number;
  @ApiProperty({ nullable: true, type: Number }) meanMs: number | null;
  @ApiProperty({ nullable: true, type: Number }) p50Ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90Ms: number | null;
}

export class CycleTimeDto {
  @ApiProperty({ nullable: true, type: Number }) p50Ms: number | null;
  @ApiProperty({ nullable: true, type: Number }) p90Ms: number | null;
}

export class TypeReportDto {
  @ApiProperty() count: number;
  @ApiProperty({ description: 'Approved or rejected for good' }) decided: number;
  @ApiProperty() approved: number;
  @ApiProperty() rejected: number;
  @ApiProperty({ nullable: true, type: Number, description: 'approved / decided, in percent' }) approvedPct: number | null;
  @ApiProperty({ type: CycleTimeDto, description: 'From submission to the final decision' }) cycleTime: CycleTimeDto;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/LevelWaitDto' }, description: 'Time spent waiting at each level, by level name' })
  levels: Record<string, LevelWaitDto>;
}

export class ApprovalReportDto {
  @ApiProperty({ nullable: true, type: String }) from: string | null;
  @ApiProperty({ nullable: true, type: String }) to: string | null;
  @ApiProperty({ nullable: true, type: String }) type: string | null;
  @ApiProperty() total: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/TypeReportDto' } }) byType: Record<string, TypeReportDto>;
}
