import { AuditEventResponseDto } from '../../audit/dto/audit-event.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  closeBlockers,
  CloseCondition,
  CRISIS_SEVERITIES,
  CRISIS_STATUSES,
  CrisisSeverity,
  CrisisStatement,
  CrisisStatus,
  STAKEHOLDER_GROUPS,
  StakeholderGroup,
  STATEMENT_KINDS,
  STATEMENT_STATUSES,
  StatementKind,
  StatementStatus,
} from '@steward/domain';
import type { CrisisState } from '@steward/workflows/crisis/definitions';

export class NoticeDto {
  @ApiProperty({ enum: STAKEHOLDER_GROUPS })
  group: StakeholderGroup;

  @ApiProperty({ description: 'When the group must have been told' })
  dueAt: string;

  @ApiProperty({ enum: ['pending', 'sent', 'overdue'] })
  status: 'pending' | 'sent' | 'overdue';

  @ApiProperty({ nullable: true, type: String })
  sentAt: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'The published statement that told the group' })
  statementId: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Set when the deadline passed unsent (kept after a late send)' })
  overdueAt: string | null;
}

export class StatementDecisionViewDto {
  @ApiProperty()
  approverId: string;

  @ApiProperty({ enum: ['approve', 'reject'] })
  decision: string;

  @ApiProperty({ nullable: true, type: String })
  comment: string | null;

  @ApiProperty()
  at: string;
}

export class StatementResponseDto {
  @ApiProperty()
  id: string;

  @ApiProperty({ description: '1, 2, ... in drafting order' })
  number: number;

  @ApiProperty({ enum: STATEMENT_KINDS })
  kind: StatementKind;

  @ApiProperty({ enum: STAKEHOLDER_GROUPS, isArray: true })
  audience: StakeholderGroup[];

  @ApiProperty()
  text: string;

  @ApiProperty({ enum: STATEMENT_STATUSES })
  status: StatementStatus;

  @ApiProperty()
  draftedBy: string;

  @ApiProperty()
  draftedAt: string;

  @ApiProperty({ type: [String], description: 'The comms lead and legal: both must approve' })
  approvers: string[];

  @ApiProperty({ type: [StatementDecisionViewDto] })
  decisions: StatementDecisionViewDto[];

  @ApiProperty({ nullable: true, type: String })
  publishedAt: string | null;

  @ApiProperty({ nullable: true, type: String })
  rejectedAt: string | null;
}

/** A statement as its own routes answer: with the crisis it belongs to and where that crisis stands. */
export class CrisisStatementDto extends StatementResponseDto {
  @ApiProperty()
  crisisId: string;

  @ApiProperty({ enum: CRISIS_STATUSES })
  crisisStatus: CrisisStatus;
}

export class StatementPageDto {
  @ApiProperty({ type: [StatementResponseDto] })
  items: StatementResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class CrisisActionDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty()
  ownerId: string;

  @ApiProperty()
  dueAt: string;

  @ApiProperty({ enum: ['open', 'done'] })
  status: 'open' | 'done';

  @ApiProperty()
  createdBy: string;

  @ApiProperty()
  createdAt: string;

  @ApiProperty({ nullable: true, type: String })
  completedAt: string | null;

  @ApiProperty({ nullable: true, type: String })
  completionNote: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'When owner and commander were told it is late' })
  overdueAt: string | null;
}

/** An action as its own routes answer: with the crisis it belongs to and where that crisis stands (closed, say). */
export class CrisisActionResultDto extends CrisisActionDto {
  @ApiProperty()
  crisisId: string;

  @ApiProperty({ enum: CRISIS_STATUSES })
  crisisStatus: CrisisStatus;
}

export class PostMortemDecisionViewDto {
  @ApiProperty()
  by: string;

  @ApiProperty({ enum: ['approve', 'request_changes'] })
  decision: string;

  @ApiProperty({ nullable: true, type: String })
  comment: string | null;

  @ApiProperty()
  at: string;
}

export class PostMortemViewDto {
  @ApiProperty()
  summary: string;

  @ApiProperty()
  rootCause: string;

  @ApiProperty({ type: [String] })
  lessons: string[];

  @ApiProperty()
  submittedBy: string;

  @ApiProperty()
  submittedAt: string;

  @ApiProperty()
  revision: number;

  @ApiProperty({ enum: ['in_review', 'approved', 'changes_requested'] })
  status: string;

  @ApiProperty({ type: [PostMortemDecisionViewDto] })
  decisions: PostMortemDecisionViewDto[];
}

export class RecoveryViewDto {
  @ApiProperty()
  note: string;

  @ApiProperty()
  by: string;

  @ApiProperty()
  at: string;
}

export class CrisisResponseDto {
  @ApiProperty()
  id: string;

  @ApiProperty()
  workflowId: string;

  @ApiProperty({ enum: CRISIS_STATUSES })
  status: CrisisStatus;

  @ApiProperty()
  title: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: CRISIS_SEVERITIES })
  severity: CrisisSeverity;

  @ApiProperty()
  category: string;

  @ApiProperty()
  declaredBy: string;

  @ApiProperty()
  commanderId: string;

  @ApiProperty()
  commsLeadId: string;

  @ApiProperty()
  legalId: string;

  @ApiProperty()
  declaredAt: string;

  @ApiProperty({ description: 'The first published holding statement meets it' })
  holdingStatementDueAt: string;

  @ApiProperty({ nullable: true, type: String })
  holdingStatementId: string | null;

  @ApiProperty({ nullable: true, type: String })
  holdingStatementPublishedAt: string | null;

  @ApiProperty({ nullable: true, type: String, description: 'Set when the deadline passed with no holding statement' })
  holdingStatementOverdueAt: string | null;

  @ApiProperty()
  holdingRemindersSent: number;

  @ApiProperty({ type: [NoticeDto], description: 'One per group that must be told at this severity' })
  notices: NoticeDto[];

  @ApiProperty({ type: [StatementResponseDto] })
  statements: StatementResponseDto[];

  @ApiProperty({ description: 'Update cadence of this severity (ISO 8601)' })
  updateEvery: string;

  @ApiProperty({ nullable: true, type: String, description: 'While active after the holding statement' })
  nextUpdateDueAt: string | null;

  @ApiProperty()
  updatesMissed: number;

  @ApiPropertyOptional({ type: RecoveryViewDto, nullable: true })
  recovery: RecoveryViewDto | null;

  @ApiProperty({ type: [CrisisActionDto] })
  actions: CrisisActionDto[];

  @ApiPropertyOptional({ type: PostMortemViewDto, nullable: true })
  postMortem: PostMortemViewDto | null;

  @ApiProperty({
    enum: ['post_mortem_approved', 'final_statement_published', 'actions_complete'],
    isArray: true,
    description: 'What the crisis still waits for before it closes (empty once closed)',
  })
  awaiting: CloseCondition[];

  @ApiProperty({ nullable: true, type: String })
  closedAt: string | null;

  @ApiProperty()
  createdAt: string;

  @ApiProperty()
  updatedAt: string;
}

export class CrisisPageDto {
  @ApiProperty({ type: [CrisisResponseDto] })
  items: CrisisResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export class CrisisAuditPageDto {
  @ApiProperty({ type: [AuditEventResponseDto] })
  items: AuditEventResponseDto[];

  @ApiProperty({ nullable: true, type: String })
  nextCursor: string | null;
}

export function mapStatement(s: CrisisStatement): StatementResponseDto {
  return {
    id: s.id,
    number: s.number,
    kind: s.kind,
    audience: [...s.audience],
    text: s.text,
    status: s.status,
    draftedBy: s.draftedBy,
    draftedAt: s.draftedAt,
    approvers: [...s.approval.approvers],
    decisions: s.approval.decisions.map((d) => ({ approverId: d.approverId, decision: d.decision, comment: d.comment, at: d.at })),
    publishedAt: s.publishedAt,
    rejectedAt: s.rejectedAt,
  };
}

/** The stored crisis as the API shows it: statements without the approval's internals, and what closing waits for. */
export function mapCrisis(s: CrisisState): CrisisResponseDto {
  return {
    id: s.id,
    workflowId: s.workflowId,
    status: s.status,
    title: s.title,
    description: s.description,
    severity: s.severity,
    category: s.category,
    declaredBy: s.declaredBy,
    commanderId: s.commanderId,
    commsLeadId: s.commsLeadId,
    legalId: s.legalId,
    declaredAt: s.declaredAt,
    holdingStatementDueAt: s.holdingStatementDueAt,
    holdingStatementId: s.holdingStatementId,
    holdingStatementPublishedAt: s.holdingStatementPublishedAt,
    holdingStatementOverdueAt: s.holdingStatementOverdueAt,
    holdingRemindersSent: s.holdingRemindersSent,
    notices: s.notices.map((n) => ({ ...n })),
    statements: s.statements.map(mapStatement),
    updateEvery: s.updateEvery,
    nextUpdateDueAt: s.nextUpdateDueAt,
    updatesMissed: s.updatesMissed,
    recovery: s.recovery,
    actions: s.actions.map((a) => ({ ...a })),
    postMortem: s.postMortem,
    awaiting: s.status === 'closed' ? [] : closeBlockers(s),
    closedAt: s.closedAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

/** One statement of a crisis, for the statement routes. */
export function statementOf(crisis: CrisisResponseDto, statementId: string): CrisisStatementDto {
  const statement = crisis.statements.find((s) => s.id === statementId);
  if (!statement) throw new Error(`crisis ${crisis.id} has no statement ${statementId}`);
  return { ...statement, crisisId: crisis.id, crisisStatus: crisis.status };
}

/** One action of a crisis, for the action routes. */
export function actionOf(crisis: CrisisResponseDto, actionId: string): CrisisActionResultDto {
  const action = crisis.actions.find((a) => a.id === actionId);
  if (!action) throw new Error(`crisis ${crisis.id} has no action ${actionId}`);
  return { ...action, crisisId: crisis.id, crisisStatus: crisis.status };
}
