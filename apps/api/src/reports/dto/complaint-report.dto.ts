import { ApiProperty } from '@nestjs/swagger';
import { IsDateTime } from '../../common/validation';

export class ComplaintReportQueryDto {
  @IsDateTime('complaints opened at or after', { optional: true })
  from?: string;

  @IsDateTime('complaints opened before', { optional: true })
  to?: string;
}

export class PriorityFiguresDto {
  @ApiProperty()
  count: number;

  @ApiProperty({ type: Number, nullable: true, description: 'of first-response clocks that finished or breached' })
  firstResponseMetPct: number | null;

  @ApiProperty({ type: Number, nullable: true, description: 'of resolution clocks that finished or breached' })
  resolutionMetPct: number | null;

  @ApiProperty()
  breaches: number;
}

export class ComplaintReportResponseDto {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  from: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  to: string | null;

  @ApiProperty()
  total: number;

  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/PriorityFiguresDto' }, description: 'P1..P4' })
  byPriority: Record<string, PriorityFiguresDto>;

  @ApiProperty({ type: Number, nullable: true, description: 'share of complaints reopened at least once' })
  reopenRate: number | null;

  @ApiProperty({ type: Number, nullable: true })
  meanResolutionMs: number | null;

  @ApiProperty()
  breaches: number;
}
