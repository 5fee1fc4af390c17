import { ApprovalLevel, evaluateLevel, newLevel } from '../approval';
import type { CrisisSeverity, StakeholderGroup } from './policy';

export const CRISIS_STATUSES = ['active', 'recovering', 'post_mortem_review', 'closed'] as const;
export type CrisisStatus = (typeof CRISIS_STATUSES)[number];

export const STATEMENT_KINDS = ['holding', 'update', 'final'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

export const STATEMENT_STATUSES = ['pending_approval', 'published', 'rejected'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];

export type NoticeStatus = 'pending' | 'sent' | 'overdue';
export type CrisisActionStatus = 'open' | 'done';
export type PostMortemStatus = 'in_review' | 'approved' | 'changes_requested';

/** Who may declare a crisis. */
export const CRISIS_DECLARER_ROLES: readonly string[] = ['supervisor', 'manager', 'executive'];
/** Executives read every crisis; the others read the crises they take part in. */
export const CRISIS_READER_ROLES: readonly string[] = ['executive'];
export const COMMS_ROLE = 'comms';
export const LEGAL_ROLE = 'legal';
export const EXECUTIVE_ROLE = 'executive';

export interface CrisisDeclaration {
  title: string;
  description: string;
  severity: CrisisSeverity;
  category: string;
  commanderId: string;
  commsLeadId: string;
  legalId: string;
}

/** What one stakeholder group must be told by `dueAt`; a published statement addressed to it sends it. */
export interface CrisisNotice {
  group: StakeholderGroup;
  dueAt: string;
  status: NoticeStatus;
  /** When a published statement first reached the group (also after it went overdue). */
  sentAt: string | null;
  statementId: string | null;
  overdueAt: string | null;
}

/** One external word. Both the comms lead and legal approve it (one level, rule `all`), then it is published. */
export interface CrisisStatement {
  id: string;
  /** 1, 2, ... in drafting order. */
  number: number;
  kind: StatementKind;
  audience: StakeholderGroup[];
  text: string;
  status: StatementStatus;
  draftedBy: string;
  draftedAt: string;
  approval: ApprovalLevel;
  publishedAt: string | null;
  rejectedAt: string | null;
}

/** Aftercare and post-mortem follow-ups: compensation, call-backs, staff support, fixes. */
export interface CrisisAction {
  id: string;
  title: string;
  ownerId: string;
  dueAt: string;
  status: CrisisActionStatus;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
  completionNote: string | null;
  /** When owner and commander were told the action is late (once). */
  overdueAt: string | null;
}

export interface PostMortemDecision {
  by: string;
  decision: 'approve' | 'request_changes';
  comment: string | null;
  at: string;
}

/** 复盘: written by the commander while recovering, decided by one executive. */
export interface PostMortem {
  summary: string;
  rootCause: string;
  lessons: string[];
  submittedBy: string;
  submittedAt: string;
  /** 1 for the first submission, + 1 after each request for changes. */
  revision: number;
  status: PostMortemStatus;
  decisions: PostMortemDecision[];
}

/** The statement's approval level: the comms lead (the one voice) and legal, both. */
export function statementApproval(commsLeadId: string, legalId: string, at: string): ApprovalLevel {
  const level = newLevel({ name: 'comms_and_legal', rule: 'all', approvers: [commsLeadId, legalId] });
  return { ...level, status: 'pending', startedAt: at };
}

export type StatementDecisionRefusal = 'not_an_approver' | 'not_pending' | 'already_decided';

/**
 * Why `userId` may not decide on the statement now, or null when they may. Only its two approvers ever
 * decide: nobody stands in for them, the commander included (one voice, 统一口径).
 */
export function statementDecisionRefusal(statement: CrisisStatement, userId: string): StatementDecisionRefusal | null {
  if (!statement.approval.approvers.includes(userId)) return 'not_an_approver';
  if (statement.status !== 'pending_approval') return 'not_pending';
  if (statement.approval.decisions.some((d) => d.approverId === userId)) return 'already_decided';
  return null;
}

/**
 * Records a validated decision on the statement and returns where it now stands: still waiting for the other
 * approver, published (both approved) or rejected (one rejection is enough).
 */
export function decideStatement(statement: CrisisStatement, userId: string, decision: 'approve' | 'reject', comment: string | null, at: string): StatementStatus {
  const level = statement.approval;
  level.decisions.push({ approverId: userId, decision, comment, at, onBehalfOf: null });
  const verdict = evaluateLevel(level);
  if (verdict === 'pending') return 'pending_approval';
  level.status = verdict;
  level.decidedAt = at;
  if (verdict === 'approved') {
    statement.status = 'published';
    statement.publishedAt = at;
  } else {
    statement.status = 'rejected';
    statement.rejectedAt = at;
  }
  return statement.status;
}

/**
 * Marks the notices of the statement's audience sent (pending and overdue ones alike: late is better than
 * never). Returns the groups this statement told first.
 */
export function sendNotices(notices: CrisisNotice[], audience: readonly StakeholderGroup[], statementId: string, at: string): StakeholderGroup[] {
  const sent: StakeholderGroup[] = [];
  for (const notice of notices) {
    if (notice.status === 'sent' || !audience.includes(notice.group)) continue;
    notice.status = 'sent';
    notice.sentAt = at;
    notice.statementId = statementId;
    sent.push(notice.group);
  }
  return sent;
}

export type CloseCondition = 'post_mortem_approved' | 'final_statement_published' | 'actions_complete';

/** What the crisis still waits for before it closes: an approved post-mortem, a published final statement, every action done. */
export function closeBlockers(c: { postMortem: PostMortem | null; statements: readonly CrisisStatement[]; actions: readonly CrisisAction[] }): CloseCondition[] {
  const missing: CloseCondition[] = [];
  if (c.postMortem?.status !== 'approved') missing.push('post_mortem_approved');
  if (!c.statements.some((s) => s.kind === 'final' && s.status === 'published')) missing.push('final_statement_published');
  if (c.actions.some((a) => a.status !== 'done')) missing.push('actions_complete');
  return missing;
}

/** The next holding reminder not yet sent, or null. `sent` counts those sent already. */
export function nextHoldingReminder(reminders: readonly number[], sent: number): number | null {
  return sent < reminders.length ? reminders[sent] : null;
}
