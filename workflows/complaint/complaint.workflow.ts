import { condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  compensationNeedsApproval,
  complaintPriority,
  ComplaintStatus,
  ESCALATION_LEVELS,
  finishClock,
  instantAtSpent,
  isRunning,
  pauseClock,
  rebudgetClock,
  resumeClock,
  SERVICE_LEAD_ROLES,
  SERVICE_ROLES,
  SlaClock,
  SlaClockName,
  slaTargetsMs,
  spentAt,
  startClock,
  SYSTEM_ACTOR,
  WorkCalendar,
} from '@steward/domain';
import type { ComplaintActivities, EscalationTargets } from './activities';
import { caseActivities } from '../common/activity-options';
import { ApprovalProcess, ApprovalState } from '../common/approval-process';
import type { CaseSnapshot } from '../common/case-recorder';
import { CaseBase, runCase } from '../common/case-runtime';
import type { Deadline } from '../common/deadlines';
import { conflict, forbidden, invalid } from '../common/errors';
import {
  Actor,
  ComplaintCarried,
  ComplaintLadder,
  compensationDecisionUpdate,
  ComplaintInput,
  ComplaintState,
  complaintStateQuery,
  feedbackUpdate,
  openedUpdate,
  pauseUpdate,
  priorityUpdate,
  resolutionUpdate,
  respondUpdate,
  resumeUpdate,
  transferUpdate,
} from './definitions';

const { pickComplaintOwner, escalationTarget, complaintAssignment, escalationTargets, compensationApprovers, supervisorsAbove, managersOf } =
  caseActivities<ComplaintActivities>();

/**
 * Runs recorded before these rules keep replaying as they ran: the threshold applied to one payout alone,
 * and a stalled compensation approval went to the supervisor's manager, supervisor or not.
 */
const CUMULATIVE_COMPENSATION_PATCH = 'complaint-cumulative-compensation';
const SUPERVISOR_ESCALATION_PATCH = 'complaint-compensation-escalates-to-supervisor';
/**
 * The owner's ladder is looked up with the owner at open (and again at each transfer), so a ladder step is one
 * workflow task with no activity. Runs opened before it keep looking up each step's target when it fires.
 */
const LADDER_AT_OPEN_PATCH = 'complaint-ladder-at-open';

const CASE_TYPE = 'complaint';
const SERVICE_TEAM = 'service';

/**
 * A customer complaint from intake to close. Three SLA clocks (first response, customer update, resolution)
 * count working time of the priority's calendar; one timer waits for the next thing that can happen on any
 * of them, and every event recomputes it. Breaches climb the escalation ladder of the SLA policy.
 */
export async function complaintWorkflow(input: ComplaintInput): Promise<ComplaintState> {
  const c = new ComplaintCase(input);

  setHandler(complaintStateQuery, () => c.state);
  setHandler(openedUpdate, async () => {
    await condition(() => c.opened);
    return c.state;
  });
  setHandler(respondUpdate, async (a) => (c.respond(a.actorId, a.message), c.commit()), { validator: (a) => c.validateRespond(a) });
  setHandler(
    transferUpdate,
    async (a) => {
      // Only runs that know their ladder look the new owner's up (no await otherwise: older runs replay as they ran).
      if (c.knowsLadder) {
        const ladder = await escalationTargets(a.toUserId);
        // Other Updates ran while the directory was read (another transfer, say): check again, then transfer at once.
        c.validateTransfer(a);
        c.transfer(a.actorId, a.toUserId, a.reason, ladder);
      } else {
        c.transfer(a.actorId, a.toUserId, a.reason);
      }
      return c.commit();
    },
    { validator: (a) => c.validateTransfer(a) },
  );
  setHandler(pauseUpdate, async (a) => (c.pause(a.actorId, a.reason), c.commit()), { validator: (a) => c.validatePause(a) });
  setHandler(resumeUpdate, async (a) => (c.resume(a.actorId), c.commit()), { validator: (a) => c.validateResume(a) });
  setHandler(priorityUpdate, async (a) => (c.changePriority(a.actorId, a.severity, a.reason), c.commit()), {
    validator: (a) => c.validatePriority(a),
  });
  setHandler(
    resolutionUpdate,
    async (a) => {
      await c.resolve(a.actorId, a.summary, a.compensation);
      return c.commit();
    },
    { validator: (a) => c.validateResolution(a) },
  );
  setHandler(compensationDecisionUpdate, async (a) => (c.decideCompensation(a.actorId, a.decision, a.comment), c.commit()), {
    validator: (a) => c.validateCompensationDecision(a),
  });
  setHandler(feedbackUpdate, async (a) => (c.feedback(a.actorId, a.satisfied, a.comment), c.commit()), { validator: (a) => c.validateFeedback(a) });

  if (input.carried) c.opened = true;
  else await c.open();

  await runCase(c, {
    caseId: input.caseId,
    historyLimit: input.historyLimit,
    carry: () => c.carry(),
    continueAsNew: (carried) => continueAsNew<typeof complaintWorkflow>({ ...input, carried }),
  });
  return c.state;
}

class ComplaintCase extends CaseBase<ComplaintStatus> {
  readonly state: ComplaintState;
  opened = false;
  private approval: ApprovalProcess | null = null;
  private approvalState: ApprovalState | null;
  /** Who the ladder brings in above the owner; null in runs opened before LADDER_AT_OPEN_PATCH. */
  private ladder: ComplaintLadder | null;

  constructor(private readonly input: ComplaintInput) {
    super(CASE_TYPE, input.caseId, input.carried ?? { participants: [input.createdBy] });
    const now = Date.now();
    const priority = complaintPriority(input.intake.severity, input.intake.customer.tier);
    const targets = slaTargetsMs(input.policies, priority);
    this.state = input.carried?.state ?? {
      id: input.caseId,
      workflowId: workflowInfo().workflowId,
      status: 'open',
      customer: input.intake.customer,
      channel: input.intake.channel,
      subject: input.intake.subject,
      description: input.intake.description,
      severity: input.intake.severity,
      priority,
      ownerId: '',
      team: SERVICE_TEAM,
      escalationLevel: 0,
      clocks: { firstResponse: startClock(targets.firstResponse, now), update: null, resolution: startClock(targets.resolution, now) },
      calendar: input.policies.priorities[priority].calendar,
      calendarSpec: input.policies.calendars[input.policies.priorities[priority].calendar],
      breached: false,
      reopenCount: 0,
      responses: [],
      transfers: [],
      pauses: [],
      priorityChanges: [],
      resolution: null,
      compensationApproval: [],
      compensationExcluded: [],
      pastCompensation: [],
      feedback: [],
      firstResponseAt: null,
      resolvedAt: null,
      closedAt: null,
      createdBy: input.createdBy,
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
    };
    this.approvalState = input.carried?.approval ?? null;
    this.ladder = input.carried?.ladder ?? null;
    if (this.approvalState) this.approval = this.makeApproval(this.approvalState);
  }

  get status(): ComplaintStatus {
    return this.state.status;
  }

  protected set status(to: ComplaintStatus) {
    this.state.status = to;
  }

  get done(): boolean {
    return this.state.status === 'closed';
  }

  protected touched(at: string): void {
    this.state.updatedAt = at;
  }

  protected snapshot(): CaseSnapshot {
    return {
      status: this.state.status,
      requesterId: this.state.createdBy,
      participants: [...this.participants],
      // Service staff handle complaints together (transfers, cover): they read every one.
      readerRoles: [...SERVICE_ROLES],
      view: this.state,
      createdAt: this.state.createdAt,
      updatedAt: this.state.updatedAt,
    };
  }

  private get calendar(): WorkCalendar {
    return WorkCalendar.from(this.state.calendarSpec);
  }

  private get title(): string {
    return `complaint "${this.state.subject}" (${this.state.priority}, ${this.state.customer.name})`;
  }

  carry(): ComplaintCarried {
    return {
      state: this.state,
      recorder: this.recorder.state,
      approval: this.approvalState,
      participants: [...this.participants],
      ...(this.ladder ? { ladder: this.ladder } : {}),
    };
  }

  async commit(): Promise<ComplaintState> {
    await this.recorder.flush();
    return this.state;
  }

  private get cycle(): number {
    return this.state.reopenCount;
  }

  /**
   * The owner's task: respond, then resolve. A task key is used once, so it names the cycle, the owner
   * (by transfer count: a complaint may come back to an earlier owner) and the phase.
   */
  private handlingTaskKey(): string {
    return `c${this.cycle}:t${this.state.transfers.length}:${this.state.firstResponseAt ? 'resolve' : 'respond'}`;
  }

  private openHandlingTask(): void {
    const clock = this.state.firstResponseAt ? this.state.clocks.resolution : this.state.clocks.firstResponse;
    const due = instantAtSpent(clock, this.calendar, clock.budgetMs);
    this.recorder.openTask({
      key: this.handlingTaskKey(),
      assigneeId: this.state.ownerId,
      kind: 'respond_complaint',
      title: `${this.state.firstResponseAt ? 'Resolve' : 'Respond to'} ${this.title}`,
      dueAt: due === null ? null : new Date(due).toISOString(),
    });
  }

  async open(): Promise<void> {
    if (patched(LADDER_AT_OPEN_PATCH)) {
      const { ownerId, ladder } = await complaintAssignment(SERVICE_TEAM);
      this.state.ownerId = ownerId;
      this.ladder = { ownerId, targets: ladder };
    } else {
      this.state.ownerId = await pickComplaintOwner(SERVICE_TEAM);
    }
    this.participants.add(this.state.ownerId);
    this.recorder.audit({
      actorId: this.state.createdBy,
      action: 'complaint_opened',
      fromStatus: null,
      toStatus: 'open',
      data: { ...this.input.intake, priority: this.state.priority, ownerId: this.state.ownerId, calendar: this.state.calendar },
    });
    this.openHandlingTask();
    this.recorder.notify(this.state.ownerId, 'complaint_assigned', `You own ${this.title}: first response due by SLA`);
    await this.recorder.flush();
    this.opened = true;
  }

  // --- who may act ---------------------------------------------------------------------------------------

  private isLead(a: Actor): boolean {
    return a.roles.some((r) => SERVICE_LEAD_ROLES.includes(r));
  }

  private assertOwner(a: Actor, what: string): void {
    if (a.actorId !== this.state.ownerId) throw forbidden(`only the owner (${this.state.ownerId}) may ${what}`);
  }

  private assertOwnerOrLead(a: Actor, what: string): void {
    if (a.actorId !== this.state.ownerId && !this.isLead(a)) throw forbidden(`only the owner, a team lead or a supervisor may ${what}`);
  }

  private assertStatus(allowed: ComplaintStatus[], what: string): void {
    if (!allowed.includes(this.state.status)) throw conflict(`cannot ${what} while the complaint is ${this.state.status}`);
  }

  // --- responses -----------------------------------------------------------------------------------------

  validateRespond(a: Actor): void {
    this.assertOwner(a, 'respond');
    this.assertStatus(['open', 'in_progress', 'awaiting_customer'], 'respond');
  }

  respond(actorId: string, message: string): void {
    const now = Date.now();
    const at = new Date(now).toISOString();
    const cal = this.calendar;
    const clocks = this.state.clocks;
    const paused = this.state.status === 'awaiting_customer';
    if (!this.state.firstResponseAt) {
      this.recorder.closeTask(this.handlingTaskKey(), 'responded');
      this.state.firstResponseAt = at;
      clocks.firstResponse = finishClock(clocks.firstResponse, cal, now);
      this.recorder.closeTasksWithPrefix(`c${this.cycle}:esc:firstResponse`, 'responded');
      this.state.responses.push({ by: actorId, message, at, kind: 'first_response' });
      clocks.update = this.newUpdateClock(now, paused);
      const met = clocks.firstResponse.breachedAt === null;
      this.setStatus(paused ? 'awaiting_customer' : 'in_progress', actorId, 'first_response', { message, slaMet: met });
      this.openHandlingTask();
      return;
    }
    if (clocks.update) clocks.update = finishClock(clocks.update, cal, now);
    clocks.update = this.newUpdateClock(now, paused);
    this.state.responses.push({ by: actorId, message, at, kind: 'update' });
    this.record(actorId, 'customer_update', { message });
  }

  private newUpdateClock(nowMs: number, paused: boolean): SlaClock {
    const clock = startClock(slaTargetsMs(this.input.policies, this.state.priority).update, nowMs);
    return paused ? pauseClock(clock, this.calendar, nowMs) : clock;
  }

  // --- transfer, pause, priority --------------------------------------------------------------------------

  validateTransfer(a: Actor & { toUserId: string }): void {
    this.assertOwnerOrLead(a, 'transfer this complaint');
    this.assertStatus(['open', 'in_progress', 'awaiting_customer', 'pending_compensation_approval'], 'transfer');
    if (a.toUserId === this.state.ownerId) throw invalid('toUserId', `${a.toUserId} already owns this complaint`);
  }

  get knowsLadder(): boolean {
    return this.ladder !== null;
  }

  /** `ladder`: the new owner's, read before the transfer (runs that know their ladder). */
  transfer(actorId: string, toUserId: string, reason: string, ladder?: EscalationTargets): void {
    const from = this.state.ownerId;
    if (ladder) this.ladder = { ownerId: toUserId, targets: ladder };
    this.recorder.closeTask(this.handlingTaskKey(), 'transferred');
    this.state.ownerId = toUserId;
    this.participants.add(toUserId);
    this.state.transfers.push({ from, to: toUserId, by: actorId, reason, at: new Date().toISOString() });
    this.openHandlingTask();
    this.record(actorId, 'complaint_transferred', { from, to: toUserId, reason });
    this.recorder.notify(toUserId, 'complaint_assigned', `${this.title} was transferred to you by ${actorId}: ${reason}`);
    if (from !== actorId) this.recorder.notify(from, 'complaint_transferred', `${this.title} was transferred to ${toUserId}: ${reason}`);
  }

  validatePause(a: Actor): void {
    this.assertOwnerOrLead(a, 'pause the SLA clocks');
    this.assertStatus(['in_progress'], 'pause');
  }

  pause(actorId: string, reason: string): void {
    const now = Date.now();
    const cal = this.calendar;
    this.forEachClock((clock) => pauseClock(clock, cal, now));
    this.state.pauses.push({ by: actorId, reason, at: new Date(now).toISOString(), resumedAt: null });
    this.setStatus('awaiting_customer', actorId, 'sla_paused', { reason });
  }

  validateResume(a: Actor): void {
    this.assertOwnerOrLead(a, 'resume the SLA clocks');
    this.assertStatus(['awaiting_customer'], 'resume');
  }

  resume(actorId: string): void {
    const now = Date.now();
    this.forEachClock((clock) => resumeClock(clock, now));
    const open = this.state.pauses[this.state.pauses.length - 1];
    if (open && !open.resumedAt) open.resumedAt = new Date(now).toISOString();
    this.setStatus('in_progress', actorId, 'sla_resumed');
  }

  validatePriority(a: Actor): void {
    this.assertOwnerOrLead(a, 'change the priority');
    this.assertStatus(['open', 'in_progress', 'awaiting_customer', 'pending_compensation_approval'], 'change the priority');
  }

  /** New severity, new priority: targets come from the new policy, keeping the working time already spent. */
  changePriority(actorId: string, severity: ComplaintState['severity'], reason: string): void {
    const now = Date.now();
    const from = this.state.priority;
    const to = complaintPriority(severity, this.state.customer.tier);
    const oldCal = this.calendar;
    this.state.severity = severity;
    this.state.priority = to;
    this.state.calendar = this.input.policies.priorities[to].calendar;
    this.state.calendarSpec = this.input.policies.calendars[this.state.calendar];
    const targets = slaTargetsMs(this.input.policies, to);
    const clocks = this.state.clocks;
    clocks.firstResponse = rebudgetClock(clocks.firstResponse, oldCal, targets.firstResponse, now);
    clocks.resolution = rebudgetClock(clocks.resolution, oldCal, targets.resolution, now);
    if (clocks.update) clocks.update = rebudgetClock(clocks.update, oldCal, targets.update, now);
    this.state.priorityChanges.push({ from, to, severity, by: actorId, reason, at: new Date(now).toISOString() });
    this.record(actorId, 'priority_changed', { from, to, severity, reason });
    if (from !== to) this.recorder.notify(this.state.ownerId, 'priority_changed', `${this.title} is now ${to} (was ${from}): ${reason}`);
  }

  private forEachClock(change: (clock: SlaClock) => SlaClock): void {
    const clocks = this.state.clocks;
    clocks.firstResponse = change(clocks.firstResponse);
    clocks.resolution = change(clocks.resolution);
    if (clocks.update) clocks.update = change(clocks.update);
  }

  // --- resolution and compensation ------------------------------------------------------------------------

  validateResolution(a: Actor): void {
    this.assertOwner(a, 'resolve');
    this.assertStatus(['open', 'in_progress'], 'resolve');
  }

  async resolve(actorId: string, summary: string, compensation: { amount: number; currency: string } | null): Promise<void> {
    const threshold = this.input.compensationThreshold;
    const alone = compensation !== null && compensation.amount > threshold;
    // Only a decision the cumulative rule changes asks `patched`: other runs' histories stay as they were.
    const needsApproval =
      alone || (compensationNeedsApproval(this.state.pastCompensation ?? [], compensation, threshold) && patched(CUMULATIVE_COMPENSATION_PATCH));
    // Directory read first: nothing changes if it fails.
    const approvers = needsApproval ? await compensationApprovers([this.state.ownerId, actorId]) : [];
    // Other Updates ran while the directory was read (a pause, a transfer, another resolution): check again.
    if (needsApproval) this.validateResolution({ actorId, roles: [] });
    if (needsApproval && approvers.length === 0) throw conflict('no supervisor can approve this compensation (segregation of duties)');
    this.state.resolution = {
      summary,
      by: actorId,
      at: new Date().toISOString(),
      compensation: compensation && { ...compensation, status: needsApproval ? 'pending' : 'not_required' },
    };
    if (!this.state.firstResponseAt) this.respond(actorId, summary);
    if (!needsApproval) {
      this.markResolved(actorId, 'complaint_resolved', { summary, compensation });
      return;
    }
    this.state.compensationExcluded = [this.state.ownerId, actorId];
    this.approval = ApprovalProcess.create(this.recorder, this.compensationSubject(), this.input.approvalPolicy, [{ name: 'supervisor', rule: 'any', approvers }]);
    this.approvalState = this.approval.state;
    this.addParticipants(...approvers);
    const earlier = this.state.pastCompensation ?? [];
    this.setStatus('pending_compensation_approval', actorId, 'compensation_requested', {
      summary,
      compensation,
      threshold,
      ...(earlier.length ? { earlierCompensation: earlier.map(({ amount, currency }) => ({ amount, currency })) } : {}),
    });
    this.approval.start();
    // Runs started before delegation opened the level at once; new ones read delegations in force first.
    if (this.approval.opening) await this.approval.openPending();
  }

  private makeApproval(state: ApprovalState): ApprovalProcess {
    return new ApprovalProcess(this.recorder, this.compensationSubject(), this.input.approvalPolicy, state);
  }

  private compensationSubject() {
    const compensation = this.state.resolution?.compensation;
    return {
      taskKind: 'approve_compensation',
      title: `compensation of ${compensation?.amount} ${compensation?.currency} for ${this.title}`,
      excluded: this.state.compensationExcluded,
      excludedReason: 'the compensation of a complaint you own or resolved',
      onApprovers: (ids: string[]) => this.addParticipants(...ids),
      onChanged: () => this.touch(),
      round: this.state.compensationApproval.length + 1,
      status: 'pending_compensation_approval',
      // Only a supervisor may decide: a stalled one is escalated to the next supervisor up the line, not to a
      // manager who lacks the role (nobody joins when there is none).
      escalationTargets: (stalled: string[]) => (patched(SUPERVISOR_ESCALATION_PATCH) ? supervisorsAbove(stalled) : managersOf(stalled)),
    };
  }

  validateCompensationDecision(a: Actor): void {
    // Whoever owns the complaint now, not only who owned it when approval was asked (it may have moved since).
    if (a.actorId === this.state.ownerId) throw forbidden('segregation of duties: the owner of a complaint cannot decide on its compensation');
    if (this.state.status !== 'pending_compensation_approval' || !this.approval) {
      if (!a.roles.includes('supervisor')) throw forbidden('only a supervisor may decide on compensation');
      throw conflict(`no compensation is waiting for approval (status ${this.state.status})`);
    }
    this.approval.validateDecision(a.actorId);
  }

  decideCompensation(actorId: string, decision: 'approve' | 'reject', comment: string | null): void {
    const approval = this.approval!;
    const outcome = approval.decide(actorId, decision, comment);
    this.touch();
    if (outcome === 'pending') return;
    this.state.compensationApproval.push(...approval.levels);
    this.approval = null;
    this.approvalState = null;
    const compensation = this.state.resolution!.compensation!;
    if (outcome === 'approved') {
      compensation.status = 'approved';
      this.markResolved(actorId, 'compensation_approved', { comment, compensation });
      return;
    }
    compensation.status = 'rejected';
    this.setStatus('in_progress', actorId, 'compensation_rejected', { comment, compensation });
    this.recorder.notify(this.state.ownerId, 'compensation_rejected', `Compensation for ${this.title} was rejected: ${comment ?? ''}`);
  }

  private markResolved(actorId: string, action: string, data: Record<string, unknown>): void {
    const now = Date.now();
    const cal = this.calendar;
    const clocks = this.state.clocks;
    clocks.resolution = finishClock(clocks.resolution, cal, now);
    if (clocks.update) clocks.update = finishClock(clocks.update, cal, now);
    this.state.resolvedAt = new Date(now).toISOString();
    this.recorder.closeTasksWithPrefix(`c${this.cycle}:`, 'resolved');
    this.setStatus('resolved', actorId, action, data);
    this.recorder.openTask({
      key: `c${this.cycle}:feedback`,
      assigneeId: this.state.ownerId,
      kind: 'collect_feedback',
      title: `Ask the customer whether ${this.title} is resolved`,
      dueAt: null,
    });
  }

  // --- feedback --------------------------------------------------------------------------------------------

  validateFeedback(a: Actor): void {
    if (a.actorId !== this.state.ownerId && !this.isLead(a) && !a.roles.includes('agent')) {
      throw forbidden('only service staff may record customer feedback');
    }
    this.assertStatus(['resolved'], 'record feedback');
  }

  feedback(actorId: string, satisfied: boolean, comment: string | null): void {
    const now = Date.now();
    this.state.feedback.push({ satisfied, comment, by: actorId, at: new Date(now).toISOString() });
    this.recorder.closeTask(`c${this.cycle}:feedback`, satisfied ? 'satisfied' : 'unsatisfied');
    if (satisfied) {
      this.state.closedAt = new Date(now).toISOString();
      this.setStatus('closed', actorId, 'complaint_closed', { comment });
      return;
    }
    // Reopened: a new cycle with fresh resolution and update clocks; the first response stays as it was.
    // What was granted stays counted against the threshold.
    const granted = this.state.resolution?.compensation;
    if (granted && (granted.status === 'approved' || granted.status === 'not_required')) {
      this.state.pastCompensation = [
        ...(this.state.pastCompensation ?? []),
        { amount: granted.amount, currency: granted.currency, status: granted.status, at: this.state.resolution!.at },
      ];
    }
    this.state.reopenCount += 1;
    const targets = slaTargetsMs(this.input.policies, this.state.priority);
    this.state.clocks.resolution = startClock(targets.resolution, now);
    this.state.clocks.update = startClock(targets.update, now);
    this.state.resolution = null;
    this.state.resolvedAt = null;
    this.setStatus('in_progress', actorId, 'complaint_reopened', { comment, reopenCount: this.state.reopenCount });
    this.openHandlingTask();
    this.recorder.notify(this.state.ownerId, 'complaint_reopened', `The customer is not satisfied: ${this.title} is reopened`);
  }

  // --- timers ----------------------------------------------------------------------------------------------

  /** On every running clock, its breach or next ladder step, whichever comes first; the compensation approval's timers. */
  deadlines(): Deadline[] {
    const cal = this.calendar;
    const due: Deadline[] = [];
    for (const [name, clock] of this.runningClocks()) {
      const at: number[] = [];
      if (!clock.breachedAt) at.push(instantAtSpent(clock, cal, clock.budgetMs)!);
      const step = name === 'update' ? undefined : this.input.policies.escalation[clock.fired];
      if (step) at.push(instantAtSpent(clock, cal, stepThreshold(step.at, clock))!);
      if (at.length) due.push({ name: `sla:${name}`, at: Math.min(...at), fire: () => this.onClock(name, Date.now()) });
    }
    if (this.state.status === 'pending_compensation_approval' && this.approval) due.push(...this.approval.deadlines());
    return due;
  }

  private runningClocks(): [SlaClockName, SlaClock][] {
    const c = this.state.clocks;
    return ([['firstResponse', c.firstResponse], ['update', c.update], ['resolution', c.resolution]] as const)
      .filter((e): e is [SlaClockName, SlaClock] => e[1] !== null && isRunning(e[1]));
  }

  /** A clock's breach, then every ladder rung its spent time has reached. */
  private async onClock(name: SlaClockName, now: number): Promise<void> {
    const cal = this.calendar;
    const clock = () => this.state.clocks[name]!;
    // An action may have finished this clock while an earlier step read the directory.
    if (!this.state.clocks[name] || !isRunning(clock())) return;
    if (!clock().breachedAt && spentAt(clock(), cal, now) >= clock().budgetMs) this.breach(name, instantAtSpent(clock(), cal, clock().budgetMs)!);
    if (name === 'update') return;
    for (let step = this.input.policies.escalation[clock().fired]; step; step = this.input.policies.escalation[clock().fired]) {
      if (spentAt(clock(), cal, now) < stepThreshold(step.at, clock())) break;
      const index = clock().fired;
      this.state.clocks[name] = { ...clock(), fired: index + 1 };
      await this.takeStep(name, index);
      // The owner may have responded while the directory was read: that clock is done, stop climbing.
      if (!isRunning(clock())) break;
    }
  }

  private breach(name: SlaClockName, atMs: number): void {
    const at = new Date(atMs).toISOString();
    this.state.clocks[name] = { ...this.state.clocks[name]!, breachedAt: at };
    this.state.breached = true;
    this.record(SYSTEM_ACTOR, 'sla_breached', { clock: name, priority: this.state.priority, breachedAt: at });
    if (name === 'update') {
      this.recorder.notify(this.state.ownerId, 'sla_breached', `The customer of ${this.title} is overdue for an update`);
    }
  }

  /**
   * One rung of the escalation ladder: `warn` tells someone, `escalate` also gives them a task and raises
   * the case's escalation level. The owner is the case's; the rungs above were looked up with the owner (at open or
   * transfer), or, in runs opened before that, are looked up now.
   */
  private async takeStep(clock: SlaClockName, index: number): Promise<void> {
    const step = this.input.policies.escalation[index];
    const pct = `${Math.round(step.at * 100)}%`;
    const data = { clock, at: step.at, action: step.action, to: step.to, priority: this.state.priority };
    const known = this.ladder?.ownerId === this.state.ownerId ? this.ladder.targets : null;
    const userId = step.to === 'owner' ? this.state.ownerId : known ? known[step.to] : await escalationTarget(this.state.ownerId, step.to);
    // The owner may have responded (or resolved) while the directory was read: nobody needs bringing in now.
    if (this.state.clocks[clock]?.doneAt) {
      this.record(SYSTEM_ACTOR, 'sla_escalation_skipped', { ...data, reason: `the ${clockLabel(clock)} clock finished while ${step.to} was looked up` });
      return;
    }
    if (!userId) {
      this.record(SYSTEM_ACTOR, 'sla_escalation_skipped', { ...data, reason: `no ${step.to} above ${this.state.ownerId}` });
      return;
    }
    this.participants.add(userId);
    if (step.action === 'warn') {
      this.recorder.notify(userId, 'sla_warning', `${pct} of the ${clockLabel(clock)} target of ${this.title} is spent`);
      this.record(SYSTEM_ACTOR, 'sla_warning', { ...data, userId });
      return;
    }
    if (step.to !== 'owner') this.state.escalationLevel = Math.max(this.state.escalationLevel, ESCALATION_LEVELS[step.to]);
    this.recorder.openTask({
      key: `c${this.cycle}:esc:${clock}:${index}:${userId}`,
      assigneeId: userId,
      kind: 'complaint_escalation',
      title: `Escalated (${clockLabel(clock)} at ${pct}): ${this.title}, owner ${this.state.ownerId}`,
      dueAt: null,
    });
    this.recorder.notify(userId, 'sla_escalation', `${this.title} is escalated to you: ${clockLabel(clock)} at ${pct} of target`);
    this.record(SYSTEM_ACTOR, 'sla_escalated', { ...data, userId, escalationLevel: this.state.escalationLevel });
  }
}

/** Working time at which a ladder rung is due; whole milliseconds, so the timer and the check agree. */
function stepThreshold(at: number, clock: SlaClock): number {
  return Math.ceil(at * clock.budgetMs);
}

function clockLabel(clock: SlaClockName): string {
  return clock === 'firstResponse' ? 'first-response' : clock;
}
