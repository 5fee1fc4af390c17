import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Decision, DECISIONS, LevelStatus, QUORUM_RULES, QuorumRule } from '@steward/domain';

export class ApprovalDecisionDto {
  @ApiProperty({ example: 'bob' })
  approverId: string;

  @ApiProperty({ enum: DECISIONS })
  decision: Decision;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, nullable: true, description: 'the approver whose seat this decision filled (escalation or delegation)' })
  onBehalfOf: string | null;
}

export class EscalationDto {
  @ApiProperty({ description: 'the stalled approver' })
  from: string;

  @ApiProperty({ description: "who joined the level: the stalled approver's manager" })
  to: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class LevelTimeoutDto {
  @ApiProperty({ example: 'P3D' })
  after: string;

  @ApiProperty()
  afterMs: number;

  @ApiProperty({ enum: ['escalate', 'approve', 'reject'] })
  onTimeout: 'escalate' | 'approve' | 'reject';
}

/** One level of an approval: who may decide, by which quorum rule, and what they decided. */
export class ApprovalLevelDto {
  @ApiProperty({ example: 'manager' })
  name: string;

  @ApiProperty({ enum: QUORUM_RULES })
  rule: QuorumRule;

  @ApiProperty({ description: 'approvals needed' })
  required: number;

  @ApiProperty({ type: [String] })
  approvers: string[];

  @ApiProperty({ type: [EscalationDto] })
  escalations: EscalationDto[];

  @ApiPropertyOptional({ type: [EscalationDto], description: 'seats taken over by delegates when the level opened (from: delegator, to: delegate)' })
  delegations?: EscalationDto[];

  @ApiPropertyOptional({ type: LevelTimeoutDto, description: 'what happens when the level waits too long (approval requests)' })
  timeout?: LevelTimeoutDto;

  @ApiProperty({ type: [ApprovalDecisionDto] })
  decisions: ApprovalDecisionDto[];

  @ApiProperty({ enum: ['waiting', 'pending', 'approved', 'rejected', 'changes_requested', 'cancelled'] })
  status: LevelStatus;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  decidedAt: string | null;
}
