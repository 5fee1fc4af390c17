import { condition, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ApprovalLevel,
  approvalRoute,
  ChangeStatus,
  ChangeSubmission,
  needsPostImplementationReview,
  riskLevel,
  RiskLevel,
  routingError,
  SYSTEM_ACTOR,
  TERMINAL_CHANGE_STATUSES,
  WITHDRAWABLE_CHANGE_STATUSES,
} from '@steward/domain';
import type { ChangeRequestActivities } from './activities';
import { caseActivities } from '../common/activity-options';
import { ApprovalProcess } from '../common/approval-process';
import type { CaseSnapshot } from '../common/case-recorder';
import { CaseBase, runCase } from '../common/case-runtime';
import type { Deadline } from '../common/deadlines';
import { conflict, forbidden, invalid } from '../common/errors';
import {
  ChangeRequestInput,
  ChangeRequestView,
  decideUpdate,
  implementationUpdate,
  reviewUpdate,
  reviseUpdate,
  submittedUpdate,
  verificationUpdate,
  viewQuery,
  withdrawUpdate,
} from './definitions';

const { planChangeApprovals } = caseActivities<ChangeRequestActivities>();

const CASE_TYPE = 'change_request';

/**
 * A change request from submission to close: risk picks the approval route, approvers decide (reminded and
 * escalated when they stall), the approved change waits for its window, is implemented, verified and closed.
 * The workflow is the only writer of the case; every step is committed to Postgres before an action returns.
 */
export async function changeRequestWorkflow(input: ChangeRequestInput): Promise<ChangeRequestView> {
  const cr = new ChangeRequestCase(input);

  setHandler(viewQuery, () => cr.view());
  setHandler(submittedUpdate, async () => {
    await condition(() => cr.submitted);
    return cr.view();
  });
  setHandler(
    decideUpdate,
    async ({ actorId, decision, comment }) => {
      cr.decide(actorId, decision, comment);
      return cr.commit();
    },
    { validator: ({ actorId }) => cr.validateDecision(actorId) },
  );
  setHandler(
    reviseUpdate,
    async ({ actorId, changes }) => {
      await cr.revise(actorId, changes);
      return cr.commit();
    },
    { validator: ({ actorId, changes }) => cr.validateRevision(actorId, changes) },
  );
  setHandler(
    withdrawUpdate,
    async ({ actorId, reason }) => {
      cr.withdraw(actorId, reason);
      return cr.commit();
    },
    { validator: ({ actorId }) => cr.validateWithdrawal(actorId) },
  );
  setHandler(
    implementationUpdate,
    async ({ actorId, event, note }) => {
      cr.reportImplementation(actorId, event, note);
      return cr.commit();
    },
    { validator: ({ actorId, event }) => cr.validateImplementation(actorId, event) },
  );
  setHandler(
    verificationUpdate,
    async ({ actorId, outcome, note }) => {
      cr.verify(actorId, outcome, note);
      return cr.commit();
    },
    { validator: ({ actorId }) => cr.validateVerification(actorId) },
  );
  setHandler(
    reviewUpdate,
    async ({ actorId, note }) => {
      cr.review(actorId, note);
      return cr.commit();
    },
    { validator: ({ actorId }) => cr.validateReview(actorId) },
  );

  await cr.submit();
  await runCase(cr, { caseId: input.caseId });
  log.info('change request finished', { caseId: input.caseId, status: cr.status });
  return cr.view();
}

class ChangeRequestCase extends CaseBase<ChangeStatus> {
  private current: ChangeStatus = 'pending_approval';
  submitted = false;
  private submission: ChangeSubmission;
  private risk: RiskLevel;
  /** The current round's approval; kept once decided so the case shows who approved. */
  private approval: ApprovalProcess | null = null;
  /** A standard change's recorded approval by `system`. */
  private preApproved: ApprovalLevel | null = null;
  private previousRounds: ApprovalLevel[][] = [];
  private round = 0;
  private reviewerId: string | null = null;
  private impl: ChangeRequestView['implementation'] = { startedAt: null, completedAt: null, failedAt: null, note: null };
  private verification: ChangeRequestView['verification'] = null;
  private reviewRecord: { note: string | null; by: string | null; at: string | null } = { note: null, by: null, at: null };
  private withdrawal: ChangeRequestView['withdrawal'] = null;
  private windowOpenedAt: string | null = null;
  private closedAt: string | null = null;
  private readonly createdAt = new Date().toISOString();
  private updatedAt = this.createdAt;

  constructor(private readonly input: ChangeRequestInput) {
    super(CASE_TYPE, input.caseId);
    this.submission = { ...input.submission };
    this.risk = riskLevel(this.submission.probability, this.submission.impact);
    this.addParticipants(input.requesterId, this.submission.implementerId);
  }

  get status(): ChangeStatus {
    return this.current;
  }

  protected set status(to: ChangeStatus) {
    this.current = to;
  }

  get done(): boolean {
    return TERMINAL_CHANGE_STATUSES.includes(this.status);
  }

  protected touched(at: string): void {
    this.updatedAt = at;
  }

  protected snapshot(): CaseSnapshot {
    return {
      status: this.status,
      requesterId: this.input.requesterId,
      participants: [...this.participants],
      view: this.view(),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  private get requesterId(): string {
    return this.input.requesterId;
  }

  private get excluded(): string[] {
    return [this.requesterId, this.submission.implementerId];
  }

  private get title(): string {
    return `change "${this.submission.title}"`;
  }

  async commit(): Promise<ChangeRequestView> {
    // A decision that moved to the next level: it opens once delegations in force are read (new runs only).
    if (this.approval?.opening) await this.approval.openPending();
    await this.recorder.flush();
    return this.view();
  }

  async submit(): Promise<void> {
    this.recorder.audit({
      actorId: this.requesterId,
      action: 'change_submitted',
      fromStatus: null,
      toStatus: 'pending_approval',
      data: { ...this.submission, riskLevel: this.risk },
    });
    await this.startApprovalRound();
    await this.recorder.flush();
    this.submitted = true;
  }

  /** Plans approvers for the current submission and opens level 1 (or pre-approves a standard change). */
  private async startApprovalRound(): Promise<void> {
    this.round += 1;
    const problem = routingError(this.submission.type, this.risk);
    const planned = this.round === 1 ? this.input.plan : undefined;
    const plan = problem
      ? ({ ok: false, problem } as const)
      : (planned ?? await planChangeApprovals({
          requesterId: this.requesterId,
          implementerId: this.submission.implementerId,
          type: this.submission.type,
          riskLevel: this.risk,
        }));
    if (!plan.ok) {
      this.setStatus('rejected', SYSTEM_ACTOR, 'change_rejected', { reason: plan.problem });
      this.recorder.notify(this.requesterId, 'change_rejected', `Your ${this.title} cannot be routed: ${plan.problem}`);
      return;
    }
    this.reviewerId = plan.reviewerId;
    if (plan.reviewerId) this.participants.add(plan.reviewerId);
    this.approval = ApprovalProcess.create(
      this.recorder,
      {
        taskKind: 'approve_change',
        title: this.title,
        excluded: this.excluded,
        excludedReason: 'a change you requested or will implement',
        onApprovers: (ids) => this.addParticipants(...ids),
        onChanged: () => this.touch(),
        round: this.round,
        status: 'pending_approval',
      },
      this.input.policy,
      plan.levels,
    );
    plan.levels.forEach((l) => l.approvers.forEach((a) => this.participants.add(a)));
    this.touch();
    if (approvalRoute(this.submission.type, this.risk).length === 0) {
      this.preApprove();
      return;
    }
    this.approval.start();
    // Runs started before delegation opened level 1 at once; new ones read delegations in force first.
    if (this.approval.opening) await this.approval.openPending(this.round === 1 ? this.input.firstLevelDelegates : undefined);
  }

  /** Standard changes carry a recorded approval by `system`, so every change shows who approved it. */
  private preApprove(): void {
    const at = new Date().toISOString();
    this.preApproved = {
      name: 'pre_approved',
      rule: 'any',
      required: 1,
      approvers: [SYSTEM_ACTOR],
      escalations: [],
      decisions: [{ approverId: SYSTEM_ACTOR, decision: 'approve', comment: 'standard change: pre-approved', at, onBehalfOf: null }],
      status: 'approved',
      startedAt: at,
      decidedAt: at,
    };
    this.approval = null;
    this.approved(SYSTEM_ACTOR);
  }

  validateDecision(actorId: string): void {
    if (!this.approval) {
      if (this.excluded.includes(actorId)) throw forbidden('segregation of duties: you cannot decide on your own change');
      throw this.participants.has(actorId) ? conflict(`no approval is pending (status ${this.status})`) : forbidden('you are not an approver of this change');
    }
    if (this.status !== 'pending_approval' && !this.excluded.includes(actorId)) {
      throw this.approval.approvers.includes(actorId) ? conflict(`no approval is pending (status ${this.status})`) : forbidden('you are not an approver of this change');
    }
    this.approval.validateDecision(actorId);
  }

  decide(actorId: string, decision: 'approve' | 'reject' | 'request_changes', comment: string | null): void {
    const approval = this.approval!;
    const outcome = approval.decide(actorId, decision, comment);
    this.touch();
    if (outcome === 'approved') this.approved(actorId);
    else if (outcome === 'rejected') {
      this.setStatus('rejected', actorId, 'change_rejected', { comment });
      this.closedAt = new Date().toISOString();
      this.recorder.notify(this.requesterId, 'change_rejected', `Your ${this.title} was rejected by ${actorId}: ${comment ?? ''}`);
    } else if (outcome === 'changes_requested') {
      this.setStatus('changes_requested', actorId, 'changes_requested', { comment });
      this.recorder.openTask({ key: `r${this.round}:revise`, assigneeId: this.requesterId, kind: 'revise_change', title: `Revise ${this.title}`, dueAt: null });
      this.recorder.notify(this.requesterId, 'changes_requested', `${actorId} asked for changes to your ${this.title}: ${comment ?? ''}`);
    }
  }

  private approved(actorId: string): void {
    this.setStatus('scheduled', actorId, 'change_approved', { plannedStart: this.submission.plannedStart });
    this.recorder.openTask({
      key: 'implement',
      assigneeId: this.submission.implementerId,
      kind: 'implement_change',
      title: `Implement ${this.title} from ${this.submission.plannedStart}`,
      dueAt: this.submission.plannedStart,
    });
    this.recorder.notify(this.requesterId, 'change_approved', `Your ${this.title} is approved and scheduled for ${this.submission.plannedStart}`);
    if (this.submission.implementerId !== this.requesterId) {
      this.recorder.notify(this.submission.implementerId, 'change_scheduled', `You will implement ${this.title} from ${this.submission.plannedStart}`);
    }
    // Approved inside its window: it opens in the same step, so the approval's response already shows it.
    // Workflows started before this change opened it on a timer a moment later; `patched` keeps them replaying.
    if (patched('window-opens-with-approval')) this.openWindowIfDue(Date.now());
  }

  validateRevision(actorId: string, changes: Partial<ChangeSubmission>): void {
    if (actorId !== this.requesterId) throw forbidden('only the requester may revise this change');
    if (this.status !== 'changes_requested') throw conflict(`revisions are accepted only while changes are requested (status ${this.status})`);
    const next = { ...this.submission, ...changes };
    if (Date.parse(next.plannedEnd) <= Date.parse(next.plannedStart)) throw invalid('plannedEnd', 'plannedEnd must be after plannedStart');
    const problem = routingError(next.type, riskLevel(next.probability, next.impact));
    if (problem) throw invalid('type', 'type standard is allowed only for very_low or low risk');
  }

  async revise(actorId: string, changes: Partial<ChangeSubmission>): Promise<void> {
    this.recorder.closeTask(`r${this.round}:revise`, 'revised');
    if (this.approval) this.previousRounds.push(this.approval.levels);
    this.approval = null;
    this.preApproved = null;
    this.submission = { ...this.submission, ...changes };
    this.risk = riskLevel(this.submission.probability, this.submission.impact);
    this.participants.add(this.submission.implementerId);
    this.setStatus('pending_approval', actorId, 'change_revised', { changes, riskLevel: this.risk, round: this.round + 1 });
    await this.startApprovalRound();
  }

  validateWithdrawal(actorId: string): void {
    if (actorId !== this.requesterId) throw forbidden('only the requester may withdraw this change');
    if (!WITHDRAWABLE_CHANGE_STATUSES.includes(this.status)) throw conflict(`a change can be withdrawn only before implementation starts (status ${this.status})`);
  }

  withdraw(actorId: string, reason: string): void {
    // Those who were asked to act: approvers of the open level, and the implementer.
    const asked = this.approval?.levels.filter((l) => l.status === 'pending').flatMap((l) => l.approvers) ?? [];
    const notify = new Set([...asked, this.submission.implementerId]);
    this.approval?.cancel('withdrawn');
    this.recorder.closeTasksWithPrefix('', 'withdrawn');
    this.withdrawal = { reason, at: new Date().toISOString() };
    this.closedAt = this.withdrawal.at;
    this.setStatus('withdrawn', actorId, 'change_withdrawn', { reason });
    notify.delete(actorId);
    for (const userId of notify) this.recorder.notify(userId, 'change_withdrawn', `${this.title} was withdrawn: ${reason}`);
  }

  validateImplementation(actorId: string, event: 'started' | 'completed' | 'failed'): void {
    if (actorId !== this.submission.implementerId) throw forbidden('only the implementer may report implementation');
    if (event === 'started') {
      if (this.status !== 'scheduled') throw conflict(`implementation can start only once the change is scheduled (status ${this.status})`);
      if (Date.now() < Date.parse(this.submission.plannedStart)) {
        throw conflict(`implementation may start from plannedStart (${this.submission.plannedStart})`);
      }
    } else if (this.status !== 'in_progress') {
      throw conflict(`implementation must be started first (status ${this.status})`);
    }
  }

  reportImplementation(actorId: string, event: 'started' | 'completed' | 'failed', note: string | null): void {
    const now = new Date().toISOString();
    this.impl.note = note;
    if (event === 'started') {
      this.impl.startedAt = now;
      this.setStatus('in_progress', actorId, 'implementation_started', { note });
      return;
    }
    this.recorder.closeTask('implement', event);
    if (event === 'completed') {
      this.impl.completedAt = now;
      this.setStatus('implemented', actorId, 'implementation_completed', { note });
      this.recorder.openTask({ key: 'verify', assigneeId: this.requesterId, kind: 'verify_change', title: `Verify ${this.title}`, dueAt: this.submission.plannedEnd });
      this.recorder.notify(this.requesterId, 'change_implemented', `${this.title} is implemented: please verify it`);
      if (this.reviewRequired && this.reviewerId) {
        this.recorder.openTask({ key: 'review', assigneeId: this.reviewerId, kind: 'review_change', title: `Post-implementation review of ${this.title}`, dueAt: null });
        this.recorder.notify(this.reviewerId, 'review_requested', `Emergency ${this.title} needs your post-implementation review`);
      }
      return;
    }
    this.impl.failedAt = now;
    this.fail(actorId, 'implementation_failed', note);
  }

  /** A failed change is rolled back by its rollback plan; everyone who approved it hears about it. */
  private fail(actorId: string, action: string, note: string | null): void {
    this.recorder.closeTasksWithPrefix('', 'failed');
    this.closedAt = new Date().toISOString();
    this.setStatus('failed', actorId, action, { note, rollbackPlan: this.submission.rollbackPlan });
    const notify = new Set([this.requesterId, this.submission.implementerId, ...this.allLevels.flatMap((l) => l.approvers)]);
    notify.delete(actorId);
    notify.delete(SYSTEM_ACTOR);
    for (const userId of notify) {
      this.recorder.notify(userId, 'change_failed', `${this.title} failed (${action}); roll back per plan: ${this.submission.rollbackPlan}`);
    }
  }

  validateVerification(actorId: string): void {
    if (actorId !== this.requesterId) throw forbidden('only the requester may verify this change');
    if (this.status !== 'implemented' || this.verification) throw conflict(`verification is accepted once the change is implemented (status ${this.status})`);
  }

  verify(actorId: string, outcome: 'verified' | 'failed', note: string | null): void {
    this.verification = { outcome, note, by: actorId, at: new Date().toISOString() };
    this.recorder.closeTask('verify', outcome);
    if (outcome === 'failed') {
      this.fail(actorId, 'verification_failed', note);
      return;
    }
    this.record(actorId, 'change_verified', { note });
    this.closeIfDone(actorId);
  }

  private get reviewRequired(): boolean {
    return needsPostImplementationReview(this.submission.type);
  }

  /**
   * Who asks comes first, then the state: someone with no part in the change gets the same 403 whatever its
   * type, so the answer does not tell outsiders what kind of change it is.
   */
  validateReview(actorId: string): void {
    if (this.excluded.includes(actorId)) throw forbidden('segregation of duties: you cannot review your own change');
    if (!this.participants.has(actorId)) throw forbidden("only the requester's manager may review this change");
    if (!this.reviewRequired) throw conflict('only emergency changes have a post-implementation review');
    if (actorId !== this.reviewerId) throw forbidden("only the requester's manager may review this change");
    if (this.status !== 'implemented' || this.reviewRecord.at) throw conflict(`the review is accepted once the change is implemented (status ${this.status})`);
  }

  review(actorId: string, note: string): void {
    this.reviewRecord = { note, by: actorId, at: new Date().toISOString() };
    this.recorder.closeTask('review', 'reviewed');
    this.record(actorId, 'post_implementation_review', { note });
    this.closeIfDone(actorId);
  }

  private closeIfDone(actorId: string): void {
    if (this.verification?.outcome !== 'verified') return;
    if (this.reviewRequired && !this.reviewRecord.at) return;
    this.closedAt = new Date().toISOString();
    this.setStatus('closed', actorId, 'change_closed');
    for (const userId of new Set([this.requesterId, this.submission.implementerId])) {
      this.recorder.notify(userId, 'change_closed', `${this.title} is closed`);
    }
  }

  /** Reminders and escalations while approval runs; then the opening of the change window. */
  deadlines(): Deadline[] {
    const due = this.status === 'pending_approval' && this.approval ? this.approval.deadlines() : [];
    if (this.status === 'scheduled' && !this.windowOpenedAt) {
      due.push({ name: 'change:window', at: Date.parse(this.submission.plannedStart), fire: () => this.openWindowIfDue(Date.now()) });
    }
    return due;
  }

  private openWindowIfDue(now: number): void {
    if (this.status !== 'scheduled' || this.windowOpenedAt || now < Date.parse(this.submission.plannedStart)) return;
    this.windowOpenedAt = new Date(now).toISOString();
    this.record(SYSTEM_ACTOR, 'change_window_opened', { plannedStart: this.submission.plannedStart });
    this.recorder.notify(this.submission.implementerId, 'change_window_open', `The window for ${this.title} is open: you may start`);
  }

  private get currentLevels(): ApprovalLevel[] {
    return this.approval?.levels ?? (this.preApproved ? [this.preApproved] : []);
  }

  private get allLevels(): ApprovalLevel[] {
    return [...this.previousRounds.flat(), ...this.currentLevels];
  }

  view(): ChangeRequestView {
    const current = this.status === 'pending_approval' ? this.approval?.currentLevel : undefined;
    return {
      id: this.input.caseId,
      workflowId: workflowInfo().workflowId,
      status: this.status,
      ...this.submission,
      riskLevel: this.risk,
      requesterId: this.requesterId,
      approvalLevels: this.currentLevels,
      previousRounds: this.previousRounds,
      currentLevel: current?.name ?? null,
      revision: this.round,
      reviewerId: this.reviewerId,
      implementation: { ...this.impl },
      verification: this.verification,
      review: { required: this.reviewRequired, ...this.reviewRecord },
      withdrawal: this.withdrawal,
      windowOpenedAt: this.windowOpenedAt,
      closedAt: this.closedAt,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }
}
