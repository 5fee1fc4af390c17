import { isoDurationMs } from '../duration';
import type { PipPolicyMs } from './policy';

export const PIP_STATUSES = [
  'pending_hr_approval',
  'changes_requested',
  'rejected',
  'awaiting_acknowledgement',
  'active',
  'pending_final_review',
  'pending_extension_approval',
  'pending_separation_approval',
  'passed',
  'separated',
  'withdrawn',
] as const;
export type PipStatus = (typeof PIP_STATUSES)[number];

/** Statuses that end a plan; any other status is an open plan, and an employee has at most one open plan. */
export const TERMINAL_PIP_STATUSES: readonly PipStatus[] = ['passed', 'separated', 'withdrawn', 'rejected'];
export const OPEN_PIP_STATUSES: readonly PipStatus[] = PIP_STATUSES.filter((s) => !TERMINAL_PIP_STATUSES.includes(s));

export function isOpenPip(status: string): boolean {
  return (OPEN_PIP_STATUSES as readonly string[]).includes(status);
}

/** The manager or HR may withdraw a plan until its outcome is given (an extension or separation asked for is one). */
export const WITHDRAWABLE_PIP_STATUSES: readonly PipStatus[] = [
  'pending_hr_approval',
  'changes_requested',
  'awaiting_acknowledgement',
  'active',
  'pending_final_review',
];

export const GOAL_STATUSES = ['on_track', 'at_risk', 'met', 'not_met'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const PIP_OUTCOMES = ['passed', 'extended', 'failed'] as const;
export type PipOutcome = (typeof PIP_OUTCOMES)[number];

/** Which approval a plan waits for in each `pending_*` status. */
export type PipApprovalKind = 'plan' | 'extension' | 'separation';
export const PIP_APPROVAL_STATUS: Readonly<Record<PipApprovalKind, PipStatus>> = {
  plan: 'pending_hr_approval',
  extension: 'pending_extension_approval',
  separation: 'pending_separation_approval',
};

export const MAX_PIP_GOALS = 10;

export interface PipGoal {
  title: string;
  measure: string;
  target: string;
}

/** What the manager drafts (and revises). */
export interface PipDraft {
  employeeId: string;
  reason: string;
  goals: PipGoal[];
  resources: string;
  support: string;
  /** ISO 8601 durations. */
  duration: string;
  checkInEvery: string;
}

/** A bad field of a request, named as the API's 400 names it. */
export interface PipFieldProblem {
  field: string;
  message: string;
}

/** `duration` within the policy's bounds and `checkInEvery` shorter than it: the plan's timeline. */
export function pipTimelineProblems(plan: Pick<PipDraft, 'duration' | 'checkInEvery'>, policy: PipPolicyMs): PipFieldProblem[] {
  const problems: PipFieldProblem[] = [];
  const duration = isoDurationMs(plan.duration);
  const every = isoDurationMs(plan.checkInEvery);
  if (duration === null) problems.push({ field: 'duration', message: 'duration must be a positive ISO 8601 duration such as P60D' });
  else if (duration < policy.minDuration || duration > policy.maxDuration) {
    problems.push({ field: 'duration', message: `duration must be between the policy's minDuration and maxDuration (${days(policy.minDuration)} to ${days(policy.maxDuration)})` });
  }
  if (every === null) problems.push({ field: 'checkInEvery', message: 'checkInEvery must be a positive ISO 8601 duration such as P7D' });
  else if (duration !== null && every >= duration) problems.push({ field: 'checkInEvery', message: 'checkInEvery must be shorter than duration' });
  return problems;
}

/** An extension asked for at the final review: present, positive and at most the policy's maxExtension. */
export function extensionProblem(extension: string | null | undefined, policy: PipPolicyMs): PipFieldProblem | null {
  if (extension === null || extension === undefined) return { field: 'extension', message: 'extension is required when the outcome is extended' };
  const ms = isoDurationMs(extension);
  if (ms === null) return { field: 'extension', message: 'extension must be a positive ISO 8601 duration such as P14D' };
  if (ms > policy.maxExtension) return { field: 'extension', message: `extension must be at most the policy's maxExtension (${days(policy.maxExtension)})` };
  return null;
}

/** A check-in's goal ratings: each index points into the plan's goals, at most once. */
export function checkInProblems(goals: readonly { index: number }[], goalCount: number): PipFieldProblem[] {
  const problems: PipFieldProblem[] = [];
  const seen = new Set<number>();
  goals.forEach((g, i) => {
    const field = `goals[${i}].index`;
    if (!Number.isInteger(g.index) || g.index < 0 || g.index >= goalCount) {
      problems.push({ field, message: `${field} must be between 0 and ${goalCount - 1} (the plan has ${goalCount} goals)` });
    } else if (seen.has(g.index)) problems.push({ field, message: `${field} rates goal ${g.index} a second time` });
    seen.add(g.index);
  });
  return problems;
}

function days(ms: number): string {
  const d = ms / 86_400_000;
  return Number.isInteger(d) ? `${d} days` : `${ms} ms`;
}

// --- who may act --------------------------------------------------------------------------------------------

/** The people a plan is about and run by. */
export interface PipPeople {
  employeeId: string;
  managerId: string;
}

export type PipAction = 'revise' | 'acknowledge' | 'check_in' | 'midpoint_review' | 'comment' | 'outcome' | 'withdraw';

/** `manager`: the plan's manager; `hr`: a holder of the hr role who is neither the employee nor the manager. */
export type PipActorRole = 'employee' | 'manager' | 'hr';

const RULES: Readonly<Record<PipAction, { by: readonly PipActorRole[]; statuses: readonly PipStatus[]; what: string }>> = {
  revise: { by: ['manager'], statuses: ['changes_requested'], what: 'revise the plan' },
  acknowledge: { by: ['employee'], statuses: ['awaiting_acknowledgement'], what: 'acknowledge the plan' },
  check_in: { by: ['manager'], statuses: ['active'], what: 'record a check-in' },
  midpoint_review: { by: ['manager', 'hr'], statuses: ['active', 'pending_final_review'], what: 'record the mid-point review' },
  comment: { by: ['employee'], statuses: OPEN_PIP_STATUSES, what: 'comment on the plan' },
  outcome: { by: ['manager'], statuses: ['pending_final_review'], what: 'give the outcome' },
  withdraw: { by: ['manager', 'hr'], statuses: WITHDRAWABLE_PIP_STATUSES, what: 'withdraw the plan' },
};

const ROLE_NAMES: Record<PipActorRole, string> = { employee: 'the employee', manager: "the employee's manager", hr: 'HR' };

/** The part a user plays on a plan. The employee is only ever the employee, whatever roles they hold. */
export function pipActorRole(actor: { actorId: string; roles: readonly string[] }, people: PipPeople): PipActorRole | null {
  if (actor.actorId === people.employeeId) return 'employee';
  if (actor.actorId === people.managerId) return 'manager';
  return actor.roles.includes('hr') ? 'hr' : null;
}

export type PipRefusal = { kind: 'forbidden' | 'conflict'; message: string };

/** Why `actor` may not take `action` on a plan now (403 before 409), or null when they may. */
export function pipActionRefusal(action: PipAction, actor: { actorId: string; roles: readonly string[] }, people: PipPeople, status: PipStatus): PipRefusal | null {
  const rule = RULES[action];
  const role = pipActorRole(actor, people);
  if (!role || !rule.by.includes(role)) {
    const who = rule.by.map((r) => ROLE_NAMES[r]).join(' or ');
    const self = role === 'employee' ? ' (nobody acts on a plan about themselves)' : '';
    return { kind: 'forbidden', message: `only ${who} may ${rule.what}${self}` };
  }
  if (!rule.statuses.includes(status)) return { kind: 'conflict', message: `cannot ${rule.what} while the plan is ${status}` };
  return null;
}

// --- timeline -------------------------------------------------------------------------------------------------

/** When scheduled check-in `n` (1-based) falls due, or null when it would fall at or after the plan's end. */
export function checkInDueAt(startsAtMs: number, everyMs: number, endsAtMs: number, n: number): number | null {
  const due = startsAtMs + n * everyMs;
  return due < endsAtMs ? due : null;
}

/**
 * When the next scheduled check-in falls due, for an active plan: scheduled ones are numbered from 1 and the
 * workflow opens number n+1 once n are scheduled. Null when none remains before the plan's end.
 */
export function nextCheckInDueAt(plan: { status: string; startsAt: string | null; endsAt: string | null; everyMs: number; scheduled: number }): number | null {
  if (plan.status !== 'active' || !plan.startsAt || !plan.endsAt) return null;
  return checkInDueAt(Date.parse(plan.startsAt), plan.everyMs, Date.parse(plan.endsAt), plan.scheduled + 1);
}

/** Half of the plan's own duration (an extension moves the end, not the mid-point). */
export function midpointAt(startsAtMs: number, durationMs: number): number {
  return startsAtMs + Math.floor(durationMs / 2);
}
