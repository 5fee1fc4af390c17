import { patched, proxyLocalActivities } from '@temporalio/workflow';
import {
  ApprovalLevel,
  Decision,
  decisionRefusal,
  evaluateLevel,
  LevelSpec,
  newLevel,
  pendingApprovers,
  seatOf,
  SYSTEM_ACTOR,
  TimeoutAction,
} from '@steward/domain';
import type { CaseActivities, DelegationActivities } from './activities';
import { caseActivities } from './activity-options';
import type { CaseRecorder } from './case-recorder';
import type { Deadline } from './deadlines';
import { conflict, forbidden } from './errors';

const { managersOf, delegatesOf: delegatesOfActivity } = caseActivities<CaseActivities & DelegationActivities>();
// A short read of the delegations table: as a local activity it costs no extra activity task and workflow task.
const { delegatesOf: delegatesOfLocal } = proxyLocalActivities<DelegationActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
});
const LOCAL_DELEGATION_PATCH = 'delegation-local-activity';
/** A level opened with delegates the host brought (see `openPending`) instead of a look-up. */
const PLANNED_DELEGATES_PATCH = 'delegates-from-host';

/** Who stands in for each approver now. Runs recorded before the local read was introduced keep the activity. */
function delegatesOf(userIds: string[], at: string, role?: string): Promise<Record<string, string | null>> {
  return patched(LOCAL_DELEGATION_PATCH) ? delegatesOfLocal(userIds, at, role) : delegatesOfActivity(userIds, at, role);
}

/**
 * Levels open after a look-up of delegations in force (an activity). Runs started before that existed opened
 * levels synchronously; `patched` keeps their histories replaying, and they never delegate.
 */
const DELEGATION_PATCH = 'delegation';

export interface ApprovalPolicy {
  reminderAfterMs: number;
  escalateAfterMs: number;
}

export interface ApprovalSubject {
  /** Task kind for approvers, e.g. `approve_change`. */
  taskKind: string;
  /** Human title of what is being approved, used in tasks and notifications. */
  title: string;
  /** Users who may never decide, whatever their roles (segregation of duties). */
  excluded: string[];
  /** What the excluded are refused, worded for this subject: "you cannot decide on {excludedReason}". */
  excludedReason: string;
  /** Told of approvers the process adds (escalation), so the case can count them as participants. */
  onApprovers?: (userIds: string[]) => void;
  /** Distinguishes approval rounds (a revision starts a new one) in task keys. */
  round: number;
  /** The case status while approval runs, for audit events. */
  status: string;
  /** No one decides on two levels of the same round, not even through escalation or delegation. */
  oneDecisionPerPerson?: boolean;
  /**
   * A delegate must hold this role to take an approver's seat (a confidential subject: a plan only HR may
   * see); otherwise the seat stays with the delegator.
   */
  delegateRole?: string;
  /** Told when a deadline (a level's timeout) settled the approval, and by whom (`system`). */
  onSettled?: (outcome: ApprovalOutcome, actorId: string) => void | Promise<void>;
  /** Told after work that finished outside an action (a level opened after a look-up), so the host's timer follows. */
  onChanged?: () => void;
  /**
   * Who an escalation brings in above each stalled approver (null: nobody). Defaults to their manager. A
   * subject whose approvers need a role (a compensation needs a supervisor) looks up someone holding it.
   */
  escalationTargets?: (stalled: string[]) => Promise<Record<string, string | null>>;
}

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected' | 'changes_requested';

export interface ApprovalState {
  levels: ApprovalLevel[];
  current: number;
  reminded: boolean[];
  escalated: boolean[];
  /** Levels whose own timeout has fired (absent until one has). */
  timedOut?: boolean[];
  /** A level waiting for its delegation look-up before it opens (see `openPending`). */
  opening?: number | null;
}


/**
 * The approval building block: levels decided in order, each by its quorum rule, with a reminder and an
 * escalation to the stalled approver's manager. It changes state synchronously and records its effects on
 * the case's recorder; the host workflow commits them and owns the timers (see `nextDeadline`).
 */
export class ApprovalProcess {
  readonly state: ApprovalState;

  constructor(
    private readonly recorder: CaseRecorder,
    private readonly subject: ApprovalSubject,
    private readonly policy: ApprovalPolicy,
    state: ApprovalState,
  ) {
    this.state = state;
  }

  static create(recorder: CaseRecorder, subject: ApprovalSubject, policy: ApprovalPolicy, specs: LevelSpec[]): ApprovalProcess {
    const state: ApprovalState = {
      levels: specs.map(newLevel),
      current: 0,
      reminded: specs.map(() => false),
      escalated: specs.map(() => false),
    };
    return new ApprovalProcess(recorder, subject, policy, state);
  }

  get levels(): ApprovalLevel[] {
    return this.state.levels;
  }

  get currentLevel(): ApprovalLevel | undefined {
    return this.state.levels[this.state.current];
  }

  get outcome(): ApprovalOutcome {
    const statuses = this.state.levels.map((l) => l.status);
    if (statuses.includes('rejected')) return 'rejected';
    if (statuses.includes('changes_requested')) return 'changes_requested';
    return statuses.every((s) => s === 'approved') ? 'approved' : 'pending';
  }

  get approvers(): string[] {
    return [...new Set(this.state.levels.flatMap((l) => l.approvers))];
  }

  private taskKey(levelIndex: number, approverId: string): string {
    return `r${this.subject.round}:l${levelIndex}:${this.subject.taskKind}:${approverId}`;
  }

  /**
   * Opens the first level. With no levels the subject is approved at once by `system`. When the level first
   * needs its delegation look-up, `opening` is set: the host awaits `openPending()` before it commits.
   */
  start(): ApprovalOutcome {
    if (this.state.levels.length === 0) return 'approved';
    this.subject.onApprovers?.(this.approvers);
    this.advanceTo(0);
    return this.outcome;
  }

  /** A level is waiting for its delegation look-up: the host awaits `openPending()`. */
  get opening(): boolean {
    return this.state.opening !== undefined && this.state.opening !== null;
  }

  private advanceTo(index: number): void {
    this.state.current = index;
    if (patched(DELEGATION_PATCH)) this.state.opening = index;
    else this.openLevel(index);
  }

  /**
   * Opens the level `start` or a decision moved to, with each approver who has delegated for now replaced by
   * their delegate. A withdrawal while the directory is read leaves it closed. `known`: the delegates the host
   * already holds for this level's approvers (the API read them as it accepted the case); they spare the
   * look-up. Runs recorded before that (`PLANNED_DELEGATES_PATCH`) keep their look-up when replayed.
   */
  async openPending(known?: Record<string, string | null>): Promise<void> {
    const index = this.state.opening;
    if (index === undefined || index === null) return;
    const level = this.state.levels[index];
    const delegates =
      known && level.approvers.every((id) => id in known) && patched(PLANNED_DELEGATES_PATCH)
        ? known
        : await delegatesOf([...level.approvers], new Date().toISOString(), this.subject.delegateRole);
    if (this.state.opening !== index) return;
    this.state.opening = null;
    this.delegate(level, delegates);
    this.openLevel(index);
    this.subject.onChanged?.();
  }

  /** Whether `userId` may take a seat on the level now (as a delegate or an escalation approver). */
  private mayJoin(level: ApprovalLevel, userId: string): boolean {
    if (userId === SYSTEM_ACTOR || this.subject.excluded.includes(userId) || level.approvers.includes(userId)) return false;
    return !(this.subject.oneDecisionPerPerson && this.hasDecided(userId));
  }

  private hasDecided(userId: string): boolean {
    return this.state.levels.some((l) => l.decisions.some((d) => d.approverId === userId || d.onBehalfOf === userId));
  }

  /**
   * Hands each delegating approver's seat to their delegate. A delegate who may not decide (the requester,
   * say: nobody decides on their own request) or already sits on the level leaves the seat with the delegator.
   */
  private delegate(level: ApprovalLevel, delegates: Record<string, string | null>): void {
    const at = new Date().toISOString();
    const added: string[] = [];
    level.approvers = level.approvers.map((from) => {
      const to = delegates[from];
      if (!to || to === from || !this.mayJoin(level, to)) return from;
      (level.delegations ??= []).push({ from, to, at });
      added.push(to);
      return to;
    });
    if (added.length > 0) this.subject.onApprovers?.(added);
  }

  private delegatorOf(level: ApprovalLevel, userId: string): string | null {
    return level.delegations?.find((d) => d.to === userId)?.from ?? null;
  }

  private openLevel(index: number): void {
    const level = this.state.levels[index];
    const now = new Date().toISOString();
    this.state.current = index;
    level.status = 'pending';
    level.startedAt = now;
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_level_started',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: {
        level: level.name,
        rule: level.rule,
        required: level.required,
        approvers: level.approvers,
        round: this.subject.round,
        ...(level.delegations?.length ? { delegations: level.delegations.map(({ from, to }) => ({ from, to })) } : {}),
      },
    });
    for (const approverId of level.approvers) this.assign(index, approverId, now);
  }

  private assign(index: number, approverId: string, now: string): void {
    const level = this.state.levels[index];
    const dueAt = new Date(Date.parse(now) + this.policy.escalateAfterMs).toISOString();
    const onBehalfOf = this.delegatorOf(level, approverId);
    this.recorder.openTask({
      key: this.taskKey(index, approverId),
      assigneeId: approverId,
      kind: this.subject.taskKind,
      title: onBehalfOf ? `Approve (${level.name}) on behalf of ${onBehalfOf}: ${this.subject.title}` : `Approve (${level.name}): ${this.subject.title}`,
      dueAt,
      ...(onBehalfOf ? { onBehalfOf } : {}),
    });
    this.recorder.notify(
      approverId,
      'approval_requested',
      onBehalfOf
        ? `Your approval is requested (${level.name}) on behalf of ${onBehalfOf}: ${this.subject.title}`
        : `Your approval is requested (${level.name}): ${this.subject.title}`,
    );
    if (onBehalfOf) {
      this.recorder.notify(onBehalfOf, 'approval_delegated', `Your approval (${level.name}) went to your delegate ${approverId}: ${this.subject.title}`);
    }
  }

  /** Throws the failure the API turns into 403 or 409 when `actorId` may not decide now. */
  validateDecision(actorId: string): void {
    if (this.subject.excluded.includes(actorId)) {
      throw forbidden(`segregation of duties: you cannot decide on ${this.subject.excludedReason}`);
    }
    const level = this.currentLevel;
    if (this.subject.oneDecisionPerPerson && this.state.levels.some((l) => l !== level && l.decisions.some((d) => d.approverId === actorId || d.onBehalfOf === actorId))) {
      throw forbidden('segregation of duties: you have already decided on this request');
    }
    const delegatedTo = level?.status === 'pending' ? level.delegations?.find((d) => d.from === actorId)?.to : undefined;
    if (delegatedTo) throw forbidden(`your approval of this level was delegated to ${delegatedTo}`);
    if (!level || level.status !== 'pending') {
      if (this.state.levels.some((l) => l.approvers.includes(actorId))) throw conflict('no approval is pending');
      throw forbidden('you are not an approver of this case');
    }
    const refusal = decisionRefusal(level, actorId, this.subject.excluded);
    if (refusal === 'already_decided') throw conflict('you have already decided on this level');
    if (refusal === 'not_an_approver') {
      const onOtherLevel = this.state.levels.some((l) => l.approvers.includes(actorId));
      if (onOtherLevel) throw conflict(`the pending level is "${level.name}", which you are not an approver of`);
      throw forbidden('you are not an approver of this case');
    }
  }

  /** Applies a validated decision; when it settles the level, the next one opens or the process ends. */
  decide(actorId: string, decision: Decision, comment: string | null): ApprovalOutcome {
    this.validateDecision(actorId);
    const index = this.state.current;
    const level = this.state.levels[index];
    const seat = seatOf(level, actorId);
    const at = new Date().toISOString();
    level.decisions.push({ approverId: actorId, decision, comment, at, onBehalfOf: seat === actorId ? null : seat });
    this.recorder.closeTask(this.taskKey(index, actorId), decision);
    this.recorder.audit({
      actorId,
      action: 'approval_decision',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, decision, comment, onBehalfOf: seat === actorId ? null : seat, round: this.subject.round },
    });
    const verdict = evaluateLevel(level);
    if (verdict === 'pending') return 'pending';
    level.status = verdict;
    level.decidedAt = at;
    this.recorder.closeTasksWithPrefix(`r${this.subject.round}:l${index}:`, 'level_decided');
    this.recorder.audit({
      actorId,
      action: 'approval_level_decided',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, outcome: verdict, round: this.subject.round },
    });
    if (verdict === 'approved' && index + 1 < this.state.levels.length) this.advanceTo(index + 1);
    return this.outcome;
  }

  /** Stops the process (withdrawal): open levels are cancelled and their tasks closed. */
  cancel(reason: string): void {
    this.state.opening = null;
    for (const [i, level] of this.state.levels.entries()) {
      if (level.status === 'pending' || level.status === 'waiting') level.status = 'cancelled';
      this.recorder.closeTasksWithPrefix(`r${this.subject.round}:l${i}:`, reason);
    }
  }

  /**
   * The pending level's reminder and escalation. The host includes them while the case waits for this
   * approval; firing them is all the escalation logic any case type needs.
   */
  deadlines(): Deadline[] {
    const level = this.currentLevel;
    if (!level || level.status !== 'pending' || !level.startedAt) return [];
    const started = Date.parse(level.startedAt);
    const i = this.state.current;
    const due: Deadline[] = [];
    if (!this.state.reminded[i]) {
      due.push({ name: `approval:${level.name}:reminder`, at: started + this.policy.reminderAfterMs, fire: () => this.remindIfDue(Date.now()) });
    }
    if (!this.state.escalated[i]) {
      due.push({ name: `approval:${level.name}:escalation`, at: started + this.policy.escalateAfterMs, fire: () => this.escalateIfDue() });
    }
    if (level.timeout && !this.state.timedOut?.[i]) {
      due.push({ name: `approval:${level.name}:timeout`, at: started + level.timeout.afterMs, fire: () => this.timeOutIfDue() });
    }
    return due;
  }

  private timeoutIsDue(now: number): boolean {
    const level = this.currentLevel;
    const i = this.state.current;
    if (!level?.timeout || level.status !== 'pending' || this.state.timedOut?.[i] || !level.startedAt) return false;
    return now >= Date.parse(level.startedAt) + level.timeout.afterMs;
  }

  /**
   * The pending level's own timeout: `escalate` brings in each stalled approver's manager (an approver
   * without one leaves the level waiting, audited); `approve` and `reject` are decided by `system`.
   */
  async timeOutIfDue(): Promise<void> {
    if (!this.timeoutIsDue(Date.now())) return;
    const level = this.currentLevel!;
    const action = level.timeout!.onTimeout;
    if (action === 'escalate') {
      const stalled = this.stalledApprovers();
      const managers = stalled.length ? await this.escalationTargets(stalled) : {};
      const ids = [...new Set(Object.values(managers).filter((m): m is string => !!m))];
      const delegates = ids.length ? await delegatesOf(ids, new Date().toISOString(), this.subject.delegateRole) : {};
      if (!this.timeoutIsDue(Date.now())) return;
      this.markTimedOut();
      const added = this.bringIn(managers, delegates);
      this.recorder.audit({
        actorId: SYSTEM_ACTOR,
        action: 'approval_timed_out',
        fromStatus: this.subject.status,
        toStatus: this.subject.status,
        data: {
          level: level.name,
          timeout: level.timeout!.after,
          onTimeout: action,
          escalations: added,
          withoutManager: stalled.filter((s) => !managers[s]),
          keepsWaiting: true,
          round: this.subject.round,
        },
      });
      this.subject.onChanged?.();
      return;
    }
    this.markTimedOut();
    await this.decideBySystem(action);
  }

  private markTimedOut(): void {
    this.state.timedOut ??= this.state.levels.map(() => false);
    this.state.timedOut[this.state.current] = true;
  }

  private async decideBySystem(action: Exclude<TimeoutAction, 'escalate'>): Promise<void> {
    const index = this.state.current;
    const level = this.state.levels[index];
    const at = new Date().toISOString();
    const decision = action === 'approve' ? 'approve' : 'reject';
    const comment = `no decision within ${level.timeout!.after}`;
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_timed_out',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, timeout: level.timeout!.after, onTimeout: action, pending: pendingApprovers(level), round: this.subject.round },
    });
    level.decisions.push({ approverId: SYSTEM_ACTOR, decision, comment, at, onBehalfOf: null });
    level.status = action === 'approve' ? 'approved' : 'rejected';
    level.decidedAt = at;
    this.recorder.closeTasksWithPrefix(`r${this.subject.round}:l${index}:`, 'timed_out');
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_level_decided',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, outcome: level.status, comment, round: this.subject.round },
    });
    if (level.status === 'approved' && index + 1 < this.state.levels.length) {
      this.advanceTo(index + 1);
      await this.openPending();
    }
    await this.subject.onSettled?.(this.outcome, SYSTEM_ACTOR);
    this.subject.onChanged?.();
  }

  /** Brings in each stalled approver's manager, read from the directory. */
  async escalateIfDue(): Promise<void> {
    if (!this.escalationIsDue(Date.now())) return;
    const stalled = this.stalledApprovers();
    const managers = stalled.length ? await this.escalationTargets(stalled) : {};
    const ids = [...new Set(Object.values(managers).filter((m): m is string => !!m))];
    const delegates = ids.length && patched(DELEGATION_PATCH) ? await delegatesOf(ids, new Date().toISOString(), this.subject.delegateRole) : {};
    // A decision, a withdrawal or a cancellation may have arrived while the directory was read.
    if (this.escalationIsDue(Date.now())) this.escalate(managers, delegates);
  }

  private escalationTargets(stalled: string[]): Promise<Record<string, string | null>> {
    return this.subject.escalationTargets ? this.subject.escalationTargets(stalled) : managersOf(stalled);
  }

  escalationIsDue(now: number): boolean {
    const level = this.currentLevel;
    const i = this.state.current;
    if (!level || level.status !== 'pending' || this.state.escalated[i] || !level.startedAt) return false;
    return now >= Date.parse(level.startedAt) + this.policy.escalateAfterMs;
  }

  /** Approvers of the pending level who have not decided: whose managers an escalation brings in. */
  stalledApprovers(): string[] {
    const level = this.currentLevel;
    return level && level.status === 'pending' ? pendingApprovers(level) : [];
  }

  /** Sends the reminder if it is due. */
  remindIfDue(now: number): void {
    const level = this.currentLevel;
    const i = this.state.current;
    if (!level || level.status !== 'pending' || this.state.reminded[i] || !level.startedAt) return;
    if (now < Date.parse(level.startedAt) + this.policy.reminderAfterMs) return;
    this.state.reminded[i] = true;
    const pending = pendingApprovers(level);
    for (const approverId of pending) {
      this.recorder.notify(approverId, 'approval_reminder', `Reminder: your approval is still pending (${level.name}): ${this.subject.title}`);
    }
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_reminder_sent',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, approvers: pending, round: this.subject.round },
    });
  }

  /**
   * Escalates the pending level: each stalled approver's manager becomes an approver of it too. A manager
   * who is excluded by segregation of duties, or already an approver, is skipped.
   */
  escalate(managers: Record<string, string | null>, delegates: Record<string, string | null> = {}): void {
    const level = this.currentLevel;
    const i = this.state.current;
    if (!level || level.status !== 'pending' || this.state.escalated[i]) return;
    this.state.escalated[i] = true;
    const added = this.bringIn(managers, delegates);
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_escalated',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, escalations: added, round: this.subject.round },
    });
  }

  /**
   * Makes each stalled approver's manager (or the manager's delegate, recorded as such) an approver of the
   * pending level. A manager who may not join (excluded by segregation of duties, already an approver) is skipped.
   */
  private bringIn(managers: Record<string, string | null>, delegates: Record<string, string | null>): { from: string; to: string; onBehalfOf?: string }[] {
    const level = this.currentLevel!;
    const i = this.state.current;
    const now = new Date().toISOString();
    const added: { from: string; to: string; onBehalfOf?: string }[] = [];
    for (const from of pendingApprovers(level)) {
      const manager = managers[from];
      if (!manager || !this.mayJoin(level, manager)) continue;
      const delegate = delegates[manager];
      const to = delegate && delegate !== manager && this.mayJoin(level, delegate) ? delegate : manager;
      level.approvers.push(to);
      level.escalations.push({ from, to, at: now });
      if (to !== manager) (level.delegations ??= []).push({ from: manager, to, at: now });
      added.push(to === manager ? { from, to } : { from, to, onBehalfOf: manager });
      this.subject.onApprovers?.([to]);
      this.assign(i, to, now);
      this.recorder.notify(from, 'approval_escalated', `Your pending approval (${level.name}) was escalated to ${to}: ${this.subject.title}`);
    }
    return added;
  }
}
