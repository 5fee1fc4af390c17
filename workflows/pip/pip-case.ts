import { workflowInfo } from '@temporalio/workflow';
import {
  nextCheckInDueAt,
  checkInProblems,
  Decision,
  extensionProblem,
  GoalStatus,
  isoDurationMs,
  LevelSpec,
  midpointAt,
  PIP_APPROVAL_STATUS,
  PipAction,
  pipActionRefusal,
  pipActorRole,
  PipApprovalKind,
  PipOutcome,
  PipPolicyMs,
  pipPolicyMs,
  PipStatus,
  pipTimelineProblems,
  SYSTEM_ACTOR,
  TERMINAL_PIP_STATUSES,
} from '@steward/domain';
import { caseActivities } from '../common/activity-options';
import { ApprovalProcess, ApprovalSubject } from '../common/approval-process';
import type { CaseSnapshot } from '../common/case-recorder';
import { CaseBase } from '../common/case-runtime';
import type { Deadline } from '../common/deadlines';
import { conflict, forbidden, invalid } from '../common/errors';
import type { PipActivities } from './activities';
import type { Actor, PipApproval, PipCarried, PipCheckIn, PipInput, PipRevisionInput, PipState } from './definitions';

const { pipHrStaff, managersOf } = caseActivities<PipActivities>();

const CASE_TYPE = 'pip';
/** Besides the people a plan names, HR reads every plan (auditors and admins read everything). */
const READER_ROLES = ['hr'];

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A performance improvement plan's rules and state. The manager drafts it, HR approves it, the employee
 * acknowledges it (or the deadline passes), then check-ins, a mid-point review and a final review lead to
 * an outcome: passed, one extension, or a separation approved by HR and then the manager's own manager.
 * Every deadline derives from the state, so timers survive restarts and continue-as-new.
 * Confidential: tasks and notifications go only to the employee, the manager, the manager's manager and HR.
 */
export class PipCase extends CaseBase<PipStatus> {
  readonly state: PipState;
  created = false;
  private approval: ApprovalProcess | null = null;
  private readonly policy: PipPolicyMs;

  constructor(private readonly input: PipInput) {
    super(CASE_TYPE, input.caseId, input.carried ?? { participants: [input.draft.employeeId, input.managerId, input.managersManagerId].filter(isId) });
    const now = iso(Date.now());
    this.state = input.carried?.state ?? {
      id: input.caseId,
      workflowId: workflowInfo().workflowId,
      status: 'pending_hr_approval',
      ...input.draft,
      goals: input.draft.goals.map((g) => ({ ...g })),
      managerId: input.managerId,
      managersManagerId: input.managersManagerId,
      policy: { ...input.policy },
      revision: 0,
      approval: null,
      previousApprovals: [],
      acknowledgement: null,
      startsAt: null,
      endsAt: null,
      checkIns: [],
      midpoint: null,
      comments: [],
      finalReview: null,
      outcomes: [],
      extension: null,
      withdrawal: null,
      closedAt: null,
      createdAt: now,
      updatedAt: now,
    };
    this.policy = pipPolicyMs(this.state.policy);
    if (this.state.approval?.outcome === 'pending') this.approval = this.processOf(this.state.approval);
    if (input.carried) this.created = true;
  }

  get status(): PipStatus {
    return this.state.status;
  }

  protected set status(to: PipStatus) {
    this.state.status = to;
  }

  get done(): boolean {
    return TERMINAL_PIP_STATUSES.includes(this.state.status);
  }

  protected touched(at: string): void {
    this.state.updatedAt = at;
  }

  protected snapshot(): CaseSnapshot {
    return {
      status: this.state.status,
      requesterId: this.state.managerId,
      participants: [...this.participants],
      readerRoles: READER_ROLES,
      view: this.state,
      createdAt: this.state.createdAt,
      updatedAt: this.state.updatedAt,
    };
  }

  carry(): PipCarried {
    return { state: this.state, recorder: this.recorder.state, participants: [...this.participants] };
  }

  /** An approval level that just opened reads the delegations in force before the step is committed. */
  override async flush(): Promise<void> {
    if (this.approval?.opening) await this.approval.openPending();
    await super.flush();
  }

  async commit(): Promise<PipState> {
    await this.flush();
    return this.state;
  }

  private get employeeId(): string {
    return this.state.employeeId;
  }

  private get managerId(): string {
    return this.state.managerId;
  }

  /** Segregation of duties: the employee and the manager never decide on the plan, whatever roles they hold. */
  private get excluded(): string[] {
    return [this.employeeId, this.managerId];
  }

  private get title(): string {
    return `the performance improvement plan for ${this.employeeId}`;
  }

  private get durationMs(): number {
    return isoDurationMs(this.state.duration)!;
  }

  private get checkInEveryMs(): number {
    return isoDurationMs(this.state.checkInEvery)!;
  }

  private refuse(action: PipAction, a: Actor): void {
    this.refuseWhileDrafting();
    const refusal = pipActionRefusal(action, a, { employeeId: this.employeeId, managerId: this.managerId }, this.status);
    if (refusal) throw refusal.kind === 'forbidden' ? forbidden(refusal.message) : conflict(refusal.message);
  }

  /** Nothing is accepted before the draft (and HR's task) is committed: the plan reaches nobody before. */
  private refuseWhileDrafting(): void {
    if (!this.created) throw conflict('the plan is still being drafted');
  }

  private notifyAll(userIds: (string | null | undefined)[], kind: string, message: string, except?: string): void {
    for (const id of new Set(userIds.filter(isId))) if (id !== except) this.recorder.notify(id, kind, message);
  }

  // --- drafting and HR approval ------------------------------------------------------------------------------

  async create(): Promise<void> {
    this.recorder.audit({
      actorId: this.managerId,
      action: 'pip_drafted',
      fromStatus: null,
      toStatus: 'pending_hr_approval',
      data: { ...this.input.draft, managerId: this.managerId, managersManagerId: this.state.managersManagerId },
    });
    const hr = await pipHrStaff(this.excluded);
    if (hr.length === 0) {
      this.state.closedAt = iso(Date.now());
      this.setStatus('rejected', SYSTEM_ACTOR, 'pip_rejected', { reason: 'no one in HR can approve the plan (segregation of duties)' });
      this.recorder.notify(this.managerId, 'pip_rejected', `${capitalise(this.title)} cannot be approved: no one in HR other than you and the employee`);
    } else {
      this.startApproval('plan', [{ name: 'hr', rule: 'any', approvers: hr }]);
    }
    await this.flush();
    this.created = true;
  }

  /** Opens an approval; the status is already the approval's (its audit events carry it). */
  private startApproval(kind: PipApprovalKind, specs: LevelSpec[]): void {
    if (this.state.approval) this.state.previousApprovals.push(this.state.approval);
    const round = this.state.previousApprovals.length + 1;
    const record: PipApproval = { kind, round, process: { levels: [], current: 0, reminded: [], escalated: [] }, outcome: 'pending' };
    const process = ApprovalProcess.create(this.recorder, this.subject(kind, round), this.input.approvalPolicy, specs);
    record.process = process.state;
    this.state.approval = record;
    this.approval = process;
    this.touch();
    process.start();
  }

  private processOf(record: PipApproval): ApprovalProcess {
    return new ApprovalProcess(this.recorder, this.subject(record.kind, record.round), this.input.approvalPolicy, record.process);
  }

  private subject(kind: PipApprovalKind, round: number): ApprovalSubject {
    const excluded = () => this.approvalExcluded();
    const titles: Record<PipApprovalKind, string> = {
      plan: this.title,
      extension: `an extension of ${this.title}`,
      separation: `the separation of ${this.employeeId} after ${this.title} failed`,
    };
    return {
      taskKind: 'approve_pip',
      title: titles[kind],
      get excluded() {
        return excluded();
      },
      excludedReason: 'a plan about yourself or one you run',
      // A plan is confidential: only someone in HR, who may read it anyway, can stand in for an approver.
      delegateRole: 'hr',
      onApprovers: (ids) => this.addParticipants(...ids),
      round,
      status: PIP_APPROVAL_STATUS[kind],
    };
  }

  /**
   * Who may not decide on the pending approval: the employee and the manager always; for a separation the two
   * levels are different people, so the second level's approvers stay out of the first, and whoever decided
   * the first stays out of the second.
   */
  private approvalExcluded(): string[] {
    const record = this.state.approval;
    if (record?.kind !== 'separation') return this.excluded;
    const [first, second] = record.process.levels;
    if (record.process.current === 0) return [...this.excluded, ...(second?.approvers ?? [])];
    return [...this.excluded, ...(first?.decisions.map((d) => d.approverId) ?? [])];
  }

  validateDecision(a: Actor): void {
    this.refuseWhileDrafting();
    if (this.excluded.includes(a.actorId)) {
      throw forbidden('segregation of duties: nobody decides on a plan about themselves or one they run');
    }
    const record = this.state.approval;
    if (!this.approval || record?.outcome !== 'pending') {
      if (a.roles.includes('hr') || this.participants.has(a.actorId)) throw conflict(`no approval is pending (status ${this.status})`);
      throw forbidden('only HR, and for a separation the manager\'s manager, decide on a plan');
    }
    if (record.kind === 'separation') {
      const [first, second] = record.process.levels;
      if (record.process.current === 0 && second?.approvers.includes(a.actorId)) {
        throw conflict(`HR decides the separation first; yours is the second approval (status ${this.status})`);
      }
      if (record.process.current >= 1 && first.decisions.some((d) => d.approverId === a.actorId)) {
        throw forbidden('segregation of duties: the two separation approvals come from different people, and you gave the first');
      }
    }
    this.approval.validateDecision(a.actorId);
  }

  decide(a: Actor, decision: Decision, comment: string | null): void {
    const approval = this.approval!;
    const record = this.state.approval!;
    const outcome = approval.decide(a.actorId, decision, comment);
    this.touch();
    if (outcome === 'pending') return;
    record.outcome = outcome;
    this.approval = null;
    const data = { decision, comment, round: record.round };
    if (record.kind === 'plan') {
      if (outcome === 'approved') this.awaitAcknowledgement(a.actorId);
      else if (outcome === 'rejected') this.close('rejected', a.actorId, 'pip_rejected', data, `${capitalise(this.title)} was rejected by ${a.actorId}: ${comment ?? ''}`);
      else {
        this.setStatus('changes_requested', a.actorId, 'pip_changes_requested', data);
        this.recorder.openTask({ key: `r${record.round}:revise`, assigneeId: this.managerId, kind: 'revise_pip', title: `Revise ${this.title}`, dueAt: null });
        this.recorder.notify(this.managerId, 'pip_changes_requested', `${a.actorId} asked for changes to ${this.title}: ${comment ?? ''}`);
      }
      return;
    }
    if (record.kind === 'extension') {
      if (outcome === 'approved') this.extend(a.actorId, data);
      else this.openFinalReview(Date.now(), a.actorId, 'pip_extension_rejected', data);
      return;
    }
    if (outcome === 'approved') {
      this.close('separated', a.actorId, 'pip_separation_approved', data, `${capitalise(this.title)} failed: the separation is approved`);
      return;
    }
    this.openFinalReview(Date.now(), a.actorId, 'pip_separation_rejected', data);
  }

  validateRevision(a: PipRevisionInput): void {
    this.refuse('revise', a);
    const problem = pipTimelineProblems({ ...this.state, ...a.changes }, this.policy)[0];
    if (problem) throw invalid(problem.field, problem.message);
  }

  async revise(a: PipRevisionInput): Promise<void> {
    // Directory read first: nothing changes if it fails, and the plan is checked again after it.
    const hr = await pipHrStaff(this.excluded);
    this.validateRevision(a);
    if (hr.length === 0) throw conflict('no one in HR can approve the plan (segregation of duties)');
    const round = this.state.approval?.round ?? 0;
    this.recorder.closeTask(`r${round}:revise`, 'revised');
    const c = a.changes;
    // Only the draft's own fields: an Update's input is not trusted to name nothing else.
    if (c.reason !== undefined) this.state.reason = c.reason;
    if (c.goals !== undefined) this.state.goals = c.goals.map((g) => ({ title: g.title, measure: g.measure, target: g.target }));
    if (c.resources !== undefined) this.state.resources = c.resources;
    if (c.support !== undefined) this.state.support = c.support;
    if (c.duration !== undefined) this.state.duration = c.duration;
    if (c.checkInEvery !== undefined) this.state.checkInEvery = c.checkInEvery;
    this.state.revision += 1;
    this.setStatus('pending_hr_approval', a.actorId, 'pip_revised', { changes: a.changes, revision: this.state.revision });
    this.startApproval('plan', [{ name: 'hr', rule: 'any', approvers: hr }]);
  }

  /** Reminders as for every approval; escalation brings in only people who may see the plan (see `escalateApproval`). */
  private approvalDeadlines(): Deadline[] {
    if (!this.approval || this.state.approval?.outcome !== 'pending') return [];
    return this.approval.deadlines().map((d) => (d.name.endsWith(':escalation') ? { ...d, fire: () => this.escalateApproval() } : d));
  }

  /**
   * The stalled approver's manager joins the level, as for every approval, but only when they may see the plan
   * (they hold `hr`); otherwise the manager's manager does, who reads the plan anyway. Nobody else hears of it.
   */
  private async escalateApproval(): Promise<void> {
    const approval = this.approval;
    if (!approval?.escalationIsDue(Date.now())) return;
    const stalled = approval.stalledApprovers();
    const [managers, hr] = await Promise.all([managersOf(stalled), pipHrStaff(this.excluded)]);
    // A decision or a withdrawal may have come in while the directory was read.
    if (this.approval !== approval || !approval.escalationIsDue(Date.now())) return;
    const fallback = this.state.managersManagerId;
    const targets = Object.fromEntries(stalled.map((id) => {
      const manager = managers[id] ?? null;
      return [id, manager && hr.includes(manager) ? manager : fallback];
    }));
    approval.escalate(targets);
    this.touch();
  }

  // --- acknowledgement and start -----------------------------------------------------------------------------

  private awaitAcknowledgement(actorId: string): void {
    const dueAt = iso(Date.now() + this.policy.acknowledgeWithin);
    this.state.acknowledgement = { status: 'pending', dueAt, comment: null, at: null };
    this.setStatus('awaiting_acknowledgement', actorId, 'pip_approved', { acknowledgeBy: dueAt });
    this.recorder.openTask({ key: 'acknowledge', assigneeId: this.employeeId, kind: 'acknowledge_pip', title: `Acknowledge your performance improvement plan by ${dueAt}`, dueAt });
    this.recorder.notify(this.employeeId, 'pip_awaiting_acknowledgement', `Your manager ${this.managerId} has put you on a performance improvement plan: please read and acknowledge it by ${dueAt}`);
    this.recorder.notify(this.managerId, 'pip_approved', `${capitalise(this.title)} is approved by HR; it starts once ${this.employeeId} acknowledges it, or on ${dueAt}`);
  }

  validateAcknowledgement(a: Actor & { acknowledged: boolean; comment: string | null }): void {
    this.refuse('acknowledge', a);
    if (!a.acknowledged && !a.comment?.trim()) throw invalid('comment', 'comment is required to refuse the acknowledgement');
  }

  acknowledge(a: Actor, acknowledged: boolean, comment: string | null): void {
    const now = Date.now();
    const ack = this.state.acknowledgement!;
    Object.assign(ack, { status: acknowledged ? 'acknowledged' : 'refused', comment, at: iso(now) });
    this.recorder.closeTask('acknowledge', ack.status);
    this.start(now, a.actorId, acknowledged ? 'pip_acknowledged' : 'pip_acknowledgement_refused', { comment });
    if (!acknowledged) this.recorder.notify(this.managerId, 'pip_acknowledgement_refused', `${this.employeeId} refused to acknowledge ${this.title}: ${comment}. The plan goes ahead.`);
  }

  /** Without an answer by the deadline the plan starts anyway, from the deadline; HR hears of it. */
  private async expireAcknowledgement(): Promise<void> {
    const hr = await pipHrStaff(this.excluded);
    const ack = this.state.acknowledgement;
    if (this.status !== 'awaiting_acknowledgement' || !ack || ack.status !== 'pending') return;
    ack.status = 'none';
    this.recorder.closeTask('acknowledge', 'expired');
    this.start(Date.parse(ack.dueAt), SYSTEM_ACTOR, 'pip_started_without_acknowledgement', { acknowledgeBy: ack.dueAt, hrNotified: hr });
    this.notifyAll(hr, 'pip_not_acknowledged', `${this.employeeId} did not acknowledge ${this.title} by ${ack.dueAt}: it started anyway`);
    this.recorder.notify(this.managerId, 'pip_not_acknowledged', `${this.employeeId} did not acknowledge ${this.title} by ${ack.dueAt}: it started anyway`);
  }

  private start(startMs: number, actorId: string, action: string, data: Record<string, unknown>): void {
    const endsAt = startMs + this.durationMs;
    this.state.startsAt = iso(startMs);
    this.state.endsAt = iso(endsAt);
    this.state.midpoint = { dueAt: iso(midpointAt(startMs, this.durationMs)), openedAt: null, reviewers: [], reviews: [] };
    this.setStatus('active', actorId, action, { ...data, startsAt: this.state.startsAt, endsAt: this.state.endsAt });
    this.notifyAll([this.managerId, this.employeeId], 'pip_started', `${capitalise(this.title)} runs from ${this.state.startsAt} to ${this.state.endsAt}`, actorId);
  }

  // --- while active: check-ins, mid-point, comments ----------------------------------------------------------

  private get scheduledCheckIns(): PipCheckIn[] {
    return this.state.checkIns.filter((c) => c.number !== null);
  }

  /** The next scheduled check-in not yet due, and when it falls due. */
  private nextCheckIn(): { number: number; at: number } | null {
    const scheduled = this.scheduledCheckIns.length;
    const at = nextCheckInDueAt({ status: this.status, startsAt: this.state.startsAt, endsAt: this.state.endsAt, everyMs: this.checkInEveryMs, scheduled });
    return at === null ? null : { number: scheduled + 1, at };
  }

  private openCheckIn(number: number, dueMs: number): void {
    if (this.nextCheckIn()?.number !== number) return;
    const dueAt = iso(dueMs);
    const graceEndsAt = iso(dueMs + this.policy.checkInGrace);
    this.state.checkIns.push({ number, dueAt, status: 'due', recordedAt: null, by: null, goals: [], note: null });
    this.recorder.openTask({ key: `ci${number}:manager`, assigneeId: this.managerId, kind: 'pip_check_in', title: `Check-in ${number} of ${this.title}`, dueAt: graceEndsAt });
    this.recorder.notify(this.managerId, 'pip_check_in_due', `Check-in ${number} of ${this.title} is due: record it by ${graceEndsAt}`);
    this.record(SYSTEM_ACTOR, 'pip_check_in_due', { number, dueAt, graceEndsAt });
  }

  /** A scheduled check-in still not recorded when its grace ends is missed; HR gets a task. */
  private async missCheckIn(number: number): Promise<void> {
    const hr = await pipHrStaff(this.excluded);
    const slot = this.state.checkIns.find((c) => c.number === number);
    if (this.status !== 'active' || slot?.status !== 'due') return;
    slot.status = 'missed';
    this.recorder.closeTask(`ci${number}:manager`, 'missed');
    this.record(SYSTEM_ACTOR, 'pip_check_in_missed', { number, dueAt: slot.dueAt, hr });
    for (const id of hr) {
      this.recorder.openTask({ key: `ci${number}:missed:${id}`, assigneeId: id, kind: 'pip_missed_check_in', title: `Check-in ${number} of ${this.title} was missed by ${this.managerId}`, dueAt: null });
      this.recorder.notify(id, 'pip_check_in_missed', `Check-in ${number} of ${this.title} was missed by ${this.managerId}`);
    }
    this.recorder.notify(this.managerId, 'pip_check_in_missed', `You missed check-in ${number} of ${this.title}; HR is told`);
  }

  validateCheckIn(a: Actor & { goals: { index: number }[] }): void {
    this.refuse('check_in', a);
    const problem = checkInProblems(a.goals, this.state.goals.length)[0];
    if (problem) throw invalid(problem.field, problem.message);
  }

  /** Records against the earliest check-in due; ahead of the schedule it is an extra one. It closes HR's missed-check-in tasks. */
  checkIn(a: Actor, goals: { index: number; status: GoalStatus }[], note: string): void {
    const at = iso(Date.now());
    const entry = { status: 'recorded' as const, recordedAt: at, by: a.actorId, goals: goals.map((g) => ({ ...g })), note };
    const slot = this.state.checkIns.find((c) => c.status === 'due');
    if (slot) {
      Object.assign(slot, entry);
      this.recorder.closeTask(`ci${slot.number}:manager`, 'recorded');
    } else this.state.checkIns.push({ number: null, dueAt: null, ...entry });
    // HR's follow-up of missed check-ins is done once the manager is recording check-ins again.
    for (const missed of this.state.checkIns) if (missed.status === 'missed') this.recorder.closeTasksWithPrefix(`ci${missed.number}:missed:`, 'check_in_recorded');
    this.record(a.actorId, 'pip_check_in_recorded', { number: slot?.number ?? null, goals, note });
    this.recorder.notify(this.employeeId, 'pip_check_in_recorded', `${this.managerId} recorded a check-in on your performance improvement plan`);
  }

  private async openMidpoint(): Promise<void> {
    const hr = await pipHrStaff(this.excluded);
    const midpoint = this.state.midpoint;
    if (this.status !== 'active' || !midpoint || midpoint.openedAt) return;
    midpoint.openedAt = iso(Date.now());
    midpoint.reviewers = [this.managerId, ...hr];
    for (const id of midpoint.reviewers) {
      this.recorder.openTask({ key: `mid:${id}`, assigneeId: id, kind: 'pip_midpoint_review', title: `Mid-point review of ${this.title}`, dueAt: this.state.endsAt });
      this.recorder.notify(id, 'pip_midpoint_review', `${capitalise(this.title)} is half-way: please review it`);
    }
    this.record(SYSTEM_ACTOR, 'pip_midpoint_reached', { dueAt: midpoint.dueAt, reviewers: midpoint.reviewers });
  }

  validateMidpointReview(a: Actor): void {
    this.refuse('midpoint_review', a);
    if (!this.state.midpoint?.openedAt) throw conflict(`the mid-point review opens half-way through the plan (${this.state.midpoint?.dueAt ?? 'once it starts'})`);
  }

  /** The manager's review closes their task; one HR review closes HR's. */
  midpointReview(a: Actor, note: string): void {
    const midpoint = this.state.midpoint!;
    midpoint.reviews.push({ by: a.actorId, note, at: iso(Date.now()) });
    const role = pipActorRole(a, this.state);
    const mine = role === 'manager' ? [this.managerId] : midpoint.reviewers.filter((id) => id !== this.managerId);
    for (const id of mine) this.recorder.closeTask(`mid:${id}`, `reviewed by ${a.actorId}`);
    this.record(a.actorId, 'pip_midpoint_review', { note, as: role });
  }

  validateComment(a: Actor): void {
    this.refuse('comment', a);
  }

  comment(a: Actor, note: string): void {
    this.state.comments.push({ by: a.actorId, note, at: iso(Date.now()) });
    this.record(a.actorId, 'pip_comment', { note });
    this.recorder.notify(this.managerId, 'pip_comment', `${this.employeeId} commented on ${this.title}`);
  }

  // --- the end, final review and outcome ---------------------------------------------------------------------

  private endPlan(): void {
    if (this.status !== 'active') return;
    this.cancelDueCheckIns('plan_ended');
    this.openFinalReview(Date.parse(this.state.endsAt!), SYSTEM_ACTOR, 'pip_ended', { endsAt: this.state.endsAt });
  }

  private cancelDueCheckIns(outcome: string): void {
    for (const slot of this.state.checkIns) {
      if (slot.status !== 'due') continue;
      slot.status = 'cancelled';
      this.recorder.closeTask(`ci${slot.number}:manager`, outcome);
    }
  }

  /**
   * The manager's final review, due `finalReviewWithin` after `fromMs` (the end of the plan); a rejected
   * extension or separation comes back to it in a new round, due from the rejection.
   */
  private openFinalReview(fromMs: number, actorId: string, action: string, data: Record<string, unknown>): void {
    const round = (this.state.finalReview?.round ?? 0) + 1;
    const dueAt = iso(fromMs + this.policy.finalReviewWithin);
    this.state.finalReview = { round, dueAt, escalatedAt: null };
    this.setStatus('pending_final_review', actorId, action, { ...data, finalReviewDueAt: dueAt });
    this.recorder.openTask({ key: `fr${round}:manager`, assigneeId: this.managerId, kind: 'pip_final_review', title: `Final review of ${this.title}`, dueAt });
    this.recorder.notify(this.managerId, 'pip_final_review', `${capitalise(this.title)} needs your final review by ${dueAt}: passed, extended or failed`);
  }

  private async escalateFinalReview(): Promise<void> {
    const hr = await pipHrStaff(this.excluded);
    const review = this.state.finalReview;
    if (this.status !== 'pending_final_review' || !review || review.escalatedAt) return;
    review.escalatedAt = iso(Date.now());
    for (const id of hr) {
      this.recorder.openTask({ key: `fr${review.round}:hr:${id}`, assigneeId: id, kind: 'pip_final_review', title: `Overdue final review of ${this.title} (manager ${this.managerId})`, dueAt: null });
      this.recorder.notify(id, 'pip_final_review_overdue', `The final review of ${this.title} by ${this.managerId} is overdue since ${review.dueAt}`);
    }
    this.recorder.notify(this.managerId, 'pip_final_review_overdue', `Your final review of ${this.title} is overdue; HR is told`);
    this.record(SYSTEM_ACTOR, 'pip_final_review_escalated', { round: review.round, dueAt: review.dueAt, hr });
  }

  validateOutcome(a: Actor & { outcome: PipOutcome; extension: string | null }): void {
    this.refuse('outcome', a);
    if (a.outcome !== 'extended') return;
    if (this.state.extension !== null) throw conflict(`a plan is extended once; this one already was (by ${this.state.extension})`);
    const problem = extensionProblem(a.extension, this.policy);
    if (problem) throw invalid(problem.field, problem.message);
  }

  async giveOutcome(a: Actor & { outcome: PipOutcome; note: string; extension: string | null }): Promise<void> {
    if (a.outcome === 'passed') {
      this.recordOutcome(a);
      this.close('passed', a.actorId, 'pip_passed', { note: a.note }, `${capitalise(this.title)} is completed: passed`);
      return;
    }
    if (a.outcome === 'extended') {
      const hr = await pipHrStaff(this.excluded);
      this.validateOutcome(a);
      if (hr.length === 0) throw conflict('no one in HR can approve the extension (segregation of duties)');
      this.recordOutcome(a);
      this.setStatus('pending_extension_approval', a.actorId, 'pip_extension_requested', { note: a.note, extension: a.extension });
      this.startApproval('extension', [{ name: 'hr', rule: 'any', approvers: hr }]);
      return;
    }
    const [hr, managers] = await Promise.all([pipHrStaff(this.excluded), managersOf([this.managerId])]);
    this.validateOutcome(a);
    const second = managers[this.managerId] ?? this.state.managersManagerId;
    if (!second || this.excluded.includes(second)) throw conflict(`a separation needs the approval of ${this.managerId}'s manager, and the directory names none`);
    const first = hr.filter((id) => id !== second);
    if (first.length === 0) throw conflict(`a separation needs an HR approval from someone other than ${second}, who gives the second`);
    this.recordOutcome(a);
    this.addParticipants(second);
    this.setStatus('pending_separation_approval', a.actorId, 'pip_failed', { note: a.note });
    this.startApproval('separation', [
      { name: 'hr', rule: 'any', approvers: first },
      { name: 'managers_manager', rule: 'any', approvers: [second] },
    ]);
  }

  private recordOutcome(a: Actor & { outcome: PipOutcome; note: string; extension: string | null }): void {
    const round = this.state.finalReview?.round ?? 0;
    this.state.outcomes.push({ outcome: a.outcome, note: a.note, extension: a.outcome === 'extended' ? a.extension : null, by: a.actorId, at: iso(Date.now()) });
    this.recorder.closeTasksWithPrefix(`fr${round}:`, a.outcome);
    // With the outcome given, a mid-point review nobody wrote is no longer wanted.
    this.recorder.closeTasksWithPrefix('mid:', 'outcome_given');
  }

  private extend(actorId: string, data: Record<string, unknown>): void {
    const extension = this.state.outcomes.at(-1)!.extension!;
    this.state.extension = extension;
    this.state.endsAt = iso(Date.parse(this.state.endsAt!) + isoDurationMs(extension)!);
    this.setStatus('active', actorId, 'pip_extension_approved', { ...data, extension, endsAt: this.state.endsAt });
    this.notifyAll([this.managerId, this.employeeId], 'pip_extended', `${capitalise(this.title)} is extended by ${extension}: it now ends ${this.state.endsAt}`);
  }

  // --- withdrawal and closing --------------------------------------------------------------------------------

  validateWithdrawal(a: Actor): void {
    this.refuse('withdraw', a);
  }

  withdraw(a: Actor, reason: string): void {
    const at = iso(Date.now());
    this.state.withdrawal = { by: a.actorId, reason, at };
    this.close('withdrawn', a.actorId, 'pip_withdrawn', { reason }, `${capitalise(this.title)} was withdrawn by ${a.actorId}: ${reason}`);
  }

  /** Ends the plan: a pending approval is cancelled and every open task closed. */
  private close(to: PipStatus, actorId: string, action: string, data: Record<string, unknown>, message: string): void {
    if (this.approval && this.state.approval?.outcome === 'pending') {
      this.approval.cancel(to);
      this.state.approval.outcome = 'cancelled';
    }
    this.approval = null;
    this.cancelDueCheckIns(to);
    this.recorder.closeTasksWithPrefix('', to);
    this.state.closedAt = iso(Date.now());
    this.setStatus(to, actorId, action, data);
    // The employee hears of a plan once HR has approved it, not of a draft that never reached them.
    const employee = this.state.acknowledgement ? this.employeeId : null;
    this.notifyAll([employee, this.managerId, this.state.managersManagerId], `pip_${to}`, message, actorId);
  }

  // --- timers ------------------------------------------------------------------------------------------------

  /** Every deadline of the plan's current status, all derived from its state. */
  deadlines(): Deadline[] {
    const due = this.approvalDeadlines();
    const s = this.state;
    if (s.status === 'awaiting_acknowledgement' && s.acknowledgement?.status === 'pending') {
      due.push({ name: 'pip:acknowledgement', at: Date.parse(s.acknowledgement.dueAt), fire: () => this.expireAcknowledgement() });
    }
    if (s.status === 'active') {
      const next = this.nextCheckIn();
      if (next) due.push({ name: `pip:check-in:${next.number}`, at: next.at, fire: () => this.openCheckIn(next.number, next.at) });
      for (const slot of s.checkIns) {
        if (slot.status !== 'due' || slot.number === null || !slot.dueAt) continue;
        const number = slot.number;
        due.push({ name: `pip:check-in:${number}:grace`, at: Date.parse(slot.dueAt) + this.policy.checkInGrace, fire: () => this.missCheckIn(number) });
      }
      if (s.midpoint && !s.midpoint.openedAt) due.push({ name: 'pip:midpoint', at: Date.parse(s.midpoint.dueAt), fire: () => this.openMidpoint() });
      due.push({ name: 'pip:end', at: Date.parse(s.endsAt!), fire: () => this.endPlan() });
    }
    if (s.status === 'pending_final_review' && s.finalReview && !s.finalReview.escalatedAt) {
      due.push({ name: `pip:final-review:${s.finalReview.round}`, at: Date.parse(s.finalReview.dueAt), fire: () => this.escalateFinalReview() });
    }
    return due;
  }
}

function isId(id: string | null | undefined): id is string {
  return typeof id === 'string' && id.length > 0;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
