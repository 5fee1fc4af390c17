import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One event of the deployment-wide hash chain: `hash = hex(SHA-256(prevHash + JCS(event without prevHash and hash)))`. */
export class AuditEventResponseDto {
  @ApiProperty({ description: 'gap-free over the whole deployment' })
  seq: number;

  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ example: 'change_request' })
  caseType: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty({ description: '"system" for automatic steps' })
  actorId: string;

  @ApiProperty({ example: 'approval_decision' })
  action: string;

  @ApiProperty({ type: String, nullable: true })
  fromStatus: string | null;

  @ApiProperty({ type: String, nullable: true })
  toStatus: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  data: Record<string, unknown>;

  @ApiProperty()
  workflowId: string;

  @ApiProperty()
  runId: string;

  @ApiProperty({ example: '0'.repeat(64) })
  prevHash: string;

  @ApiProperty()
  hash: string;
}

export class AuditVerifyResponseDto {
  @ApiProperty()
  ok: boolean;

  @ApiPropertyOptional({ description: 'events checked (ok: true)' })
  checked?: number;

  @ApiPropertyOptional({ description: 'seq of the chain head (ok: true)' })
  headSeq?: number;

  @ApiPropertyOptional({ description: 'hash of the chain head (ok: true)' })
  headHash?: string;

  @ApiPropertyOptional({ description: 'the first event that does not verify (ok: false)' })
  firstBadSeq?: number;

  @ApiPropertyOptional({ description: 'why it does not verify (ok: false)' })
  reason?: string;
}

export class AuditAccessEntryDto {
  @ApiProperty()
  id: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty()
  actorId: string;

  @ApiProperty({ example: 'export' })
  action: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  target: Record<string, unknown>;
}

class WorkflowRunDto {
  @ApiProperty()
  runId: string;

  @ApiProperty({ example: 'COMPLETED' })
  status: string;

  @ApiProperty({ format: 'date-time' })
  startTime: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closeTime: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true, description: "Temporal's JSON history (as `temporal workflow show --output json`)" })
  history: Record<string, unknown>;
}

export class CaseHistoryResponseDto {
  @ApiProperty()
  caseType: string;

  @ApiProperty({ format: 'uuid' })
  caseId: string;

  @ApiProperty()
  workflowId: string;

  @ApiProperty({ type: [WorkflowRunDto], description: 'every run, oldest first (continue-as-new starts a new run)' })
  runs: WorkflowRunDto[];
}
