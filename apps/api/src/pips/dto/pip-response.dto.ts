import { AuditEventResponseDto } from '../../audit/dto/audit-event.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DECISIONS, GOAL_STATUSES, isoDurationMs, nextCheckInDueAt, PIP_OUTCOMES, PIP_STATUSES, PipStatus } from '@steward/domain';
import type { PipState } from '@steward/workflows/pip/definitions';

/** The response DTOs of /pips: what OpenAPI shows, and `mapPip`, the one place a stored plan becomes a response. */

export class PipGoalResponseDto {
  @ApiProperty() title: string;
  @ApiProperty() measure: string;
  @ApiProperty() target: string;
}

export class ApprovalDecisionResponseDto {
  @ApiProperty() approverId: string;
  @ApiProperty({ enum: DECISIONS }) decision: string;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true, description: 'The approver an escalation approver decided for' }) onBehalfOf: string | null;
}

export class ApprovalEscalationResponseDto {
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ApprovalLevelResponseDto {
  @ApiProperty({ example: 'hr' }) name: string;
  @ApiProperty({ enum: ['all', 'any', 'n_of_m'] }) rule: string;
  @ApiProperty() required: number;
  @ApiProperty({ type: [String] }) approvers: string[];
  @ApiProperty({ type: [ApprovalEscalationResponseDto] }) escalations: ApprovalEscalationResponseDto[];
  @ApiProperty({ type: [ApprovalDecisionResponseDto] }) decisions: ApprovalDecisionResponseDto[];
  @ApiProperty({ enum: ['waiting', 'pending', 'approved', 'rejected', 'changes_requested', 'cancelled'] }) status: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startedAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) decidedAt: string | null;
}

export class PipApprovalResponseDto {
  @ApiProperty({ enum: ['plan', 'extension', 'separation'] }) kind: string;
  @ApiProperty() round: number;
  @ApiProperty({ enum: ['pending', 'approved', 'rejected', 'changes_requested', 'cancelled'] }) outcome: string;
  @ApiProperty({ type: [ApprovalLevelResponseDto] }) levels: ApprovalLevelResponseDto[];
}

export class PipAcknowledgementResponseDto {
  @ApiProperty({ enum: ['pending', 'acknowledged', 'refused', 'none'] }) status: string;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) at: string | null;
}

export class PipGoalRatingResponseDto {
  @ApiProperty() index: number;
  @ApiProperty({ enum: GOAL_STATUSES }) status: string;
}

export class PipCheckInResponseDto {
  @ApiProperty({ type: Number, nullable: true, description: 'Scheduled check-in number; null for one between them' }) number: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) dueAt: string | null;
  @ApiProperty({ enum: ['due', 'recorded', 'missed', 'cancelled'] }) status: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) recordedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) by: string | null;
  @ApiProperty({ type: [PipGoalRatingResponseDto] }) goals: PipGoalRatingResponseDto[];
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

export class PipNoteResponseDto {
  @ApiProperty() by: string;
  @ApiProperty() note: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class PipMidpointResponseDto {
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) openedAt: string | null;
  @ApiProperty({ type: [String] }) reviewers: string[];
  @ApiProperty({ type: [PipNoteResponseDto] }) reviews: PipNoteResponseDto[];
}

export class PipFinalReviewResponseDto {
  @ApiProperty() round: number;
  @ApiProperty({ format: 'date-time' }) dueAt: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) escalatedAt: string | null;
}

export class PipOutcomeResponseDto {
  @ApiProperty({ enum: PIP_OUTCOMES }) outcome: string;
  @ApiProperty() note: string;
  @ApiProperty({ type: String, nullable: true }) extension: string | null;
  @ApiProperty() by: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class PipWithdrawalResponseDto {
  @ApiProperty() by: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class PipPolicyResponseDto {
  @ApiProperty({ example: 'P30D' }) minDuration: string;
  @ApiProperty({ example: 'P180D' }) maxDuration: string;
  @ApiProperty({ example: 'P5D' }) acknowledgeWithin: string;
  @ApiProperty({ example: 'P2D' }) checkInGrace: string;
  @ApiProperty({ example: 'P30D' }) maxExtension: string;
  @ApiProperty({ example: 'P5D' }) finalReviewWithin: string;
}

export class PipResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() workflowId: string;
  @ApiProperty({ enum: PIP_STATUSES }) status: PipStatus;
  @ApiProperty() employeeId: string;
  @ApiProperty() managerId: string;
  @ApiProperty({ type: String, nullable: true }) managersManagerId: string | null;
  @ApiProperty() reason: string;
  @ApiProperty({ type: [PipGoalResponseDto] }) goals: PipGoalResponseDto[];
  @ApiProperty() resources: string;
  @ApiProperty() support: string;
  @ApiProperty({ example: 'P60D' }) duration: string;
  @ApiProperty({ example: 'P7D' }) checkInEvery: string;
  @ApiProperty({ type: PipPolicyResponseDto, description: 'The policy the plan was drafted under' }) policy: PipPolicyResponseDto;
  @ApiProperty({ description: 'Revisions after HR asked for changes' }) revision: number;
  @ApiProperty({ type: [ApprovalLevelResponseDto], description: 'Levels of the approval the plan waits for, or of the last one' })
  approvalLevels: ApprovalLevelResponseDto[];
  @ApiProperty({ type: String, nullable: true, enum: ['plan', 'extension', 'separation'], description: 'The approval a decision now decides' })
  pendingApproval: string | null;
  @ApiProperty({ type: [PipApprovalResponseDto], description: 'Every approval of the plan, oldest first' }) approvals: PipApprovalResponseDto[];
  @ApiProperty({ type: PipAcknowledgementResponseDto, nullable: true }) acknowledgement: PipAcknowledgementResponseDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) startsAt: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) endsAt: string | null;
  @ApiProperty({ type: [PipCheckInResponseDto] }) checkIns: PipCheckInResponseDto[];
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'When the next scheduled check-in falls due (active plans)' })
  nextCheckInAt: string | null;
  @ApiProperty({ type: PipMidpointResponseDto, nullable: true }) midpoint: PipMidpointResponseDto | null;
  @ApiProperty({ type: [PipNoteResponseDto], description: "The employee's own view" }) comments: PipNoteResponseDto[];
  @ApiProperty({ type: PipFinalReviewResponseDto, nullable: true }) finalReview: PipFinalReviewResponseDto | null;
  @ApiProperty({ type: [PipOutcomeResponseDto] }) outcomes: PipOutcomeResponseDto[];
  @ApiProperty({ type: String, nullable: true, description: 'The extension granted (at most one)' }) extension: string | null;
  @ApiProperty({ type: PipWithdrawalResponseDto, nullable: true }) withdrawal: PipWithdrawalResponseDto | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class PipPageResponseDto {
  @ApiProperty({ type: [PipResponseDto] }) items: PipResponseDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

export class PipAuditPageResponseDto {
  @ApiProperty({ type: [AuditEventResponseDto] }) items: AuditEventResponseDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}

/** The stored plan as the API shows it: the approval process's bookkeeping (reminded, escalated) stays inside. */
export function mapPip(s: PipState): PipResponseDto {
  const approvals = [...s.previousApprovals, ...(s.approval ? [s.approval] : [])].map((a) => ({
    kind: a.kind,
    round: a.round,
    outcome: a.outcome,
    levels: a.process.levels,
  }));
  return {
    id: s.id,
    workflowId: s.workflowId,
    status: s.status,
    employeeId: s.employeeId,
    managerId: s.managerId,
    managersManagerId: s.managersManagerId,
    reason: s.reason,
    goals: s.goals,
    resources: s.resources,
    support: s.support,
    duration: s.duration,
    checkInEvery: s.checkInEvery,
    policy: s.policy,
    revision: s.revision,
    approvalLevels: s.approval?.process.levels ?? [],
    pendingApproval: s.approval?.outcome === 'pending' ? s.approval.kind : null,
    approvals,
    acknowledgement: s.acknowledgement,
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    checkIns: s.checkIns,
    nextCheckInAt: nextCheckIn(s),
    midpoint: s.midpoint,
    comments: s.comments,
    finalReview: s.finalReview,
    outcomes: s.outcomes,
    extension: s.extension,
    withdrawal: s.withdrawal,
    closedAt: s.closedAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

function nextCheckIn(s: PipState): string | null {
  const everyMs = isoDurationMs(s.checkInEvery);
  if (everyMs === null) return null;
  const scheduled = s.checkIns.filter((c) => c.number !== null).length;
  const at = nextCheckInDueAt({ status: s.status, startsAt: s.startsAt, endsAt: s.endsAt, everyMs, scheduled });
  return at === null ? null : new Date(at).toISOString();
}
