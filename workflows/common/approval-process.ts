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
} from '@steward/domain';
import type { CaseActivities } from './activities';
import { caseActivities } from './activity-options';
import type { CaseRecorder } from './case-recorder';
import type { Deadline } from './deadlines';
import { conflict, forbidden } from './errors';

const { managersOf } = caseActivities<CaseActivities>();

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
}

export type ApprovalOutcome = 'pending' | 'approved' | 'rejected' | 'changes_requested';

export interface ApprovalState {
  levels: ApprovalLevel[];
  current: number;
  reminded: boolean[];
  escalated: boolean[];
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

  /** Opens the first level. With no levels the subject is approved at once by `system`. */
  start(): ApprovalOutcome {
    if (this.state.levels.length === 0) return 'approved';
    this.subject.onApprovers?.(this.approvers);
    this.openLevel(0);
    return this.outcome;
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
      data: { level: level.name, rule: level.rule, required: level.required, approvers: level.approvers, round: this.subject.round },
    });
    for (const approverId of level.approvers) this.assign(index, approverId, now);
  }

  private assign(index: number, approverId: string, now: string): void {
    const level = this.state.levels[index];
    const dueAt = new Date(Date.parse(now) + this.policy.escalateAfterMs).toISOString();
    this.recorder.openTask({
      key: this.taskKey(index, approverId),
      assigneeId: approverId,
      kind: this.subject.taskKind,
      title: `Approve (${level.name}): ${this.subject.title}`,
      dueAt,
    });
    this.recorder.notify(approverId, 'approval_requested', `Your approval is requested (${level.name}): ${this.subject.title}`);
  }

  /** Throws the failure the API turns into 403 or 409 when `actorId` may not decide now. */
  validateDecision(actorId: string): void {
    if (this.subject.excluded.includes(actorId)) {
      throw forbidden(`segregation of duties: you cannot decide on ${this.subject.excludedReason}`);
    }
    const level = this.currentLevel;
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
    if (verdict === 'approved' && index + 1 < this.state.levels.length) this.openLevel(index + 1);
    return this.outcome;
  }

  /** Stops the process (withdrawal): open levels are cancelled and their tasks closed. */
  cancel(reason: string): void {
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
    return due;
  }

  /** Brings in each stalled approver's manager, read from the directory. */
  async escalateIfDue(): Promise<void> {
    if (!this.escalationIsDue(Date.now())) return;
    const stalled = this.stalledApprovers();
    const managers = stalled.length ? await managersOf(stalled) : {};
    // A decision, a withdrawal or a cancellation may have arrived while the directory was read.
    if (this.escalationIsDue(Date.now())) this.escalate(managers);
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
  escalate(managers: Record<string, string | null>): void {
    const level = this.currentLevel;
    const i = this.state.current;
    if (!level || level.status !== 'pending' || this.state.escalated[i]) return;
    this.state.escalated[i] = true;
    const now = new Date().toISOString();
    const added: { from: string; to: string }[] = [];
    for (const from of pendingApprovers(level)) {
      const to = managers[from];
      if (!to || this.subject.excluded.includes(to) || level.approvers.includes(to) || to === SYSTEM_ACTOR) continue;
      level.approvers.push(to);
      level.escalations.push({ from, to, at: now });
      added.push({ from, to });
      this.subject.onApprovers?.([to]);
      this.assign(i, to, now);
      this.recorder.notify(from, 'approval_escalated', `Your pending approval (${level.name}) was escalated to ${to}: ${this.subject.title}`);
    }
    this.recorder.audit({
      actorId: SYSTEM_ACTOR,
      action: 'approval_escalated',
      fromStatus: this.subject.status,
      toStatus: this.subject.status,
      data: { level: level.name, escalations: added, round: this.subject.round },
    });
  }
}
