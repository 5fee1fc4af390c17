/**
 * The approval building block's pure rules: quorum per level and the state a level is in.
 * Shared by every case type that needs approvals (changes, compensation, PIP, crisis statements).
 */
export const QUORUM_RULES = ['all', 'any', 'n_of_m'] as const;
export type QuorumRule = (typeof QUORUM_RULES)[number];

export const DECISIONS = ['approve', 'reject', 'request_changes'] as const;
export type Decision = (typeof DECISIONS)[number];

export type LevelStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'cancelled';

export interface ApprovalDecision {
  approverId: string;
  decision: Decision;
  comment: string | null;
  at: string;
  /** Set when an escalation approver decided in place of the approver they were escalated from. */
  onBehalfOf: string | null;
}

export interface Escalation {
  from: string;
  to: string;
  at: string;
}

/** An approver's seat handed to the person they delegated to for the time the level opened in. */
export interface LevelDelegation {
  from: string;
  to: string;
  at: string;
}

export const TIMEOUT_ACTIONS = ['escalate', 'approve', 'reject'] as const;
export type TimeoutAction = (typeof TIMEOUT_ACTIONS)[number];

/** What happens when a level has waited `after` (an ISO 8601 duration) without settling. */
export interface LevelTimeout {
  after: string;
  afterMs: number;
  onTimeout: TimeoutAction;
}

export interface ApprovalLevel {
  name: string;
  rule: QuorumRule;
  /** Approvals needed: approvers.length for `all`, 1 for `any`, N for `n_of_m`. */
  required: number;
  approvers: string[];
  escalations: Escalation[];
  decisions: ApprovalDecision[];
  status: LevelStatus;
  startedAt: string | null;
  decidedAt: string | null;
  /** Seats taken over by delegates when the level opened (absent when there were none). */
  delegations?: LevelDelegation[];
  /** The level's own deadline (approval requests); absent for levels without one. */
  timeout?: LevelTimeout;
}

export interface LevelSpec {
  name: string;
  rule: QuorumRule;
  /** N for `n_of_m`; ignored otherwise. */
  n?: number;
  approvers: string[];
  timeout?: LevelTimeout;
}

export function newLevel(spec: LevelSpec): ApprovalLevel {
  const required = spec.rule === 'all' ? spec.approvers.length : spec.rule === 'any' ? 1 : (spec.n ?? 1);
  return {
    name: spec.name,
    rule: spec.rule,
    required: Math.min(required, spec.approvers.length),
    approvers: [...spec.approvers],
    escalations: [],
    decisions: [],
    status: 'waiting',
    startedAt: null,
    decidedAt: null,
    ...(spec.timeout ? { timeout: { ...spec.timeout } } : {}),
  };
}

/**
 * The original approver a user stands for: themselves, the approver they were escalated from, or the one who
 * delegated to them (followed back, so a manager escalated from a delegate stands for the delegator).
 */
export function seatOf(level: Pick<ApprovalLevel, 'escalations' | 'delegations'>, userId: string): string {
  let seat = userId;
  for (let hops = 0; hops < 4; hops += 1) {
    const from = level.escalations.find((e) => e.to === seat)?.from ?? level.delegations?.find((d) => d.to === seat)?.from;
    if (!from || from === seat) break;
    seat = from;
  }
  return seat;
}

/**
 * What a level's decisions add up to. Any rejection rejects and any request for changes sends the case back:
 * one approver's objection is never outvoted. Approvals count per distinct user, except for `all`, where an
 * escalation approver fills the seat of the approver they replace.
 */
export function evaluateLevel(level: Pick<ApprovalLevel, 'rule' | 'required' | 'decisions' | 'escalations' | 'approvers'>): LevelStatus {
  if (level.decisions.some((d) => d.decision === 'reject')) return 'rejected';
  if (level.decisions.some((d) => d.decision === 'request_changes')) return 'changes_requested';
  const approvals = level.decisions.filter((d) => d.decision === 'approve');
  const counted =
    level.rule === 'all'
      ? new Set(approvals.map((d) => d.onBehalfOf ?? d.approverId)).size
      : new Set(approvals.map((d) => d.approverId)).size;
  return counted >= level.required ? 'approved' : 'pending';
}

/** Approvers who have not decided yet and whose seat is still open: the ones to remind or escalate. */
export function pendingApprovers(level: ApprovalLevel): string[] {
  const decided = new Set(level.decisions.map((d) => seatOf(level, d.approverId)));
  const original = level.approvers.filter((a) => !level.escalations.some((e) => e.to === a));
  return original.filter((a) => !decided.has(seatOf(level, a)));
}

export type DecisionRefusal = 'not_an_approver' | 'already_decided' | 'segregation_of_duties';

/** Why `userId` may not decide on this level now, or null when they may. */
export function decisionRefusal(level: ApprovalLevel, userId: string, excluded: readonly string[]): DecisionRefusal | null {
  if (excluded.includes(userId)) return 'segregation_of_duties';
  if (!level.approvers.includes(userId)) return 'not_an_approver';
  // A seat is decided once: by its approver or by the manager it was escalated to, not both.
  const seat = seatOf(level, userId);
  if (level.decisions.some((d) => d.approverId === userId || (d.onBehalfOf ?? d.approverId) === seat)) return 'already_decided';
  return null;
}
