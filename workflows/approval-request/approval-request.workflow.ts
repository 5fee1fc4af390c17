import { condition, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  ApprovalLevel,
  ApprovalRequestStatus,
  ApprovalType,
  Decision,
  FieldValues,
  roleOf,
  SYSTEM_ACTOR,
  WITHDRAWABLE_APPROVAL_STATUSES,
} from '@steward/domain';
import type { ApprovalRequestActivities } from './activities';
import { caseActivities } from '../common/activity-options';
import { ApprovalOutcome, ApprovalProcess } from '../common/approval-process';
import type { CaseSnapshot } from '../common/case-recorder';
import { CaseBase, runCase } from '../common/case-runtime';
import type { Deadline } from '../common/deadlines';
import { conflict, forbidden } from '../common/errors';
import {
  ApprovalRequestInput,
  ApprovalRequestView,
  decideUpdate,
  fulfilmentUpdate,
  reviseUpdate,
  submittedUpdate,
  viewQuery,
  withdrawUpdate,
} from './definitions';

const { planApprovalRoute, roleHolders } = caseActivities<ApprovalRequestActivities>();

const CASE_TYPE = 'approval_request';

/**
 * An approval request of any type from the types file: submitted, routed by the type's levels (fixed at
 * submission, planned again on a revision), decided level by level with reminders, escalations and each
 * level's own timeout, then fulfilled by the type's fulfil role, if it has one. The workflow is the only writer
 * of the case; every step is committed to Postgres before an action returns.
 */
export async function approvalRequestWorkflow(input: ApprovalRequestInput): Promise<ApprovalRequestView> {
  const ar = new ApprovalRequestCase(input);

  setHandler(viewQuery, () => ar.view());
  setHandler(submittedUpdate, async () => {
    await condition(() => ar.submitted);
    return ar.view();
  });
  setHandler(
    decideUpdate,
    async ({ actorId, decision, comment }) => {
      await ar.decide(actorId, decision, comment);
      return ar.commit();
    },
    { validator: ({ actorId }) => ar.validateDecision(actorId) },
  );
  setHandler(
    reviseUpdate,
    async (a) => {
      await ar.revise(a.actorId, a.title, a.fields);
      return ar.commit();
    },
    { validator: ({ actorId }) => ar.validateRevision(actorId) },
  );
  setHandler(
    withdrawUpdate,
    async ({ actorId, reason }) => {
      ar.withdraw(actorId, reason);
      return ar.commit();
    },
    { validator: ({ actorId }) => ar.validateWithdrawal(actorId) },
  );
  setHandler(
    fulfilmentUpdate,
    async ({ actorId, note }) => {
      ar.fulfil(actorId, note);
      return ar.commit();
    },
    { validator: ({ actorId, roles }) => ar.validateFulfilment(actorId, roles) },
  );

  await ar.submit();
  await runCase(ar, { caseId: input.caseId });
  log.info('approval request finished', { caseId: input.caseId, status: ar.status });
  return ar.view();
}

class ApprovalRequestCase extends CaseBase<ApprovalRequestStatus> {
  private current: ApprovalRequestStatus = 'pending_approval';
  submitted = false;
  private title: string;
  private fields: FieldValues;
  private readonly definition: ApprovalType;
  private approval: ApprovalProcess | null = null;
  /** A request no level applies to is approved by `system`; its recorded approval. */
  private autoApproved: ApprovalLevel | null = null;
  private previousRounds: ApprovalLevel[][] = [];
  private round = 0;
  private decidedAt: string | null = null;
  private decidedBy: string | null = null;
  private fulfilment: ApprovalRequestView['fulfilment'] = null;
  private withdrawal: ApprovalRequestView['withdrawal'] = null;
  private closedAt: string | null = null;
  private readonly createdAt = new Date().toISOString();
  private updatedAt = this.createdAt;

  constructor(private readonly input: ApprovalRequestInput) {
    super(CASE_TYPE, input.caseId);
    this.title = input.title;
    this.fields = { ...input.fields };
    this.definition = input.definition;
    this.addParticipants(input.requesterId);
  }

  get status(): ApprovalRequestStatus {
    return this.current;
  }

  protected set status(to: ApprovalRequestStatus) {
    this.current = to;
  }

  get done(): boolean {
    if (this.status === 'approved') return !this.fulfilRole;
    return this.status === 'rejected' || this.status === 'withdrawn' || this.status === 'fulfilled';
  }

  protected touched(at: string): void {
    this.updatedAt = at;
  }

  private get requesterId(): string {
    return this.input.requesterId;
  }

  private get fulfilRole(): string | null {
    return roleOf(this.definition.fulfil);
  }

  private get subjectTitle(): string {
    return `${this.definition.title.toLowerCase()} "${this.title}"`;
  }

  protected snapshot(): CaseSnapshot {
    return {
      status: this.status,
      requesterId: this.requesterId,
      participants: [...this.participants],
      readerRoles: this.fulfilRole ? [this.fulfilRole] : [],
      view: this.view(),
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }

  async commit(): Promise<ApprovalRequestView> {
    await this.recorder.flush();
    return this.view();
  }

  async submit(): Promise<void> {
    this.recorder.audit({
      actorId: this.requesterId,
      action: 'approval_request_submitted',
      fromStatus: null,
      toStatus: 'pending_approval',
      data: { type: this.input.type, title: this.title, fields: this.fields },
    });
    await this.startRound();
    await this.recorder.flush();
    this.submitted = true;
  }

  /** Plans the route for the current fields and opens its first level. */
  private async startRound(): Promise<void> {
    this.round += 1;
    const plan = await planApprovalRoute({ requesterId: this.requesterId, definition: this.definition, fields: this.fields });
    if (!plan.ok) {
      this.decided('rejected', SYSTEM_ACTOR, 'approval_request_rejected', { reason: plan.problem });
      this.recorder.notify(this.requesterId, 'approval_request_rejected', `Your ${this.subjectTitle} cannot be routed: ${plan.problem}`);
      return;
    }
    this.approval = ApprovalProcess.create(
      this.recorder,
      {
        taskKind: 'approve_request',
        title: this.subjectTitle,
        excluded: [this.requesterId],
        excludedReason: 'a request you made',
        oneDecisionPerPerson: true,
        onApprovers: (ids) => this.addParticipants(...ids),
        onSettled: (outcome, actorId) => this.settled(outcome, actorId, 'no decision in time'),
        onChanged: () => this.touch(),
        round: this.round,
        status: 'pending_approval',
      },
      this.input.policy,
      plan.levels,
    );
    this.addParticipants(...plan.levels.flatMap((l) => l.approvers));
    this.touch();
    if (plan.levels.length === 0) {
      this.autoApprove();
      await this.openFulfilment();
      return;
    }
    this.approval.start();
    await this.approval.openPending();
  }

  /** No level applies to these fields: `system` approves, so every request shows who approved it. */
  private autoApprove(): void {
    const at = new Date().toISOString();
    this.autoApproved = {
      name: 'auto_approved',
      rule: 'any',
      required: 1,
      approvers: [SYSTEM_ACTOR],
      escalations: [],
      decisions: [{ approverId: SYSTEM_ACTOR, decision: 'approve', comment: 'no level of the route applies', at, onBehalfOf: null }],
      status: 'approved',
      startedAt: at,
      decidedAt: at,
    };
    this.approval = null;
    this.decided('approved', SYSTEM_ACTOR, 'approval_request_approved', { reason: 'no level of the route applies' });
    this.recorder.notify(this.requesterId, 'approval_request_approved', `Your ${this.subjectTitle} is approved`);
  }

  private decided(to: 'approved' | 'rejected', actorId: string, action: string, data: Record<string, unknown>): void {
    this.decidedAt = new Date().toISOString();
    this.decidedBy = actorId;
    if (to === 'rejected' || !this.fulfilRole) this.closedAt = this.decidedAt;
    this.setStatus(to, actorId, action, data);
  }

  validateDecision(actorId: string): void {
    if (!this.approval) {
      if (actorId === this.requesterId) throw forbidden('segregation of duties: you cannot decide on a request you made');
      throw this.participants.has(actorId) ? conflict(`no approval is pending (status ${this.status})`) : forbidden('you are not an approver of this request');
    }
    if (this.status !== 'pending_approval' && actorId !== this.requesterId) {
      throw this.participants.has(actorId) ? conflict(`no approval is pending (status ${this.status})`) : forbidden('you are not an approver of this request');
    }
    this.approval.validateDecision(actorId);
  }

  async decide(actorId: string, decision: Decision, comment: string | null): Promise<void> {
    const outcome = this.approval!.decide(actorId, decision, comment);
    this.touch();
    await this.approval!.openPending();
    await this.settled(outcome, actorId, comment);
  }

  /** What an outcome of the approval (a decision, or a level's timeout) means for the request. */
  private async settled(outcome: ApprovalOutcome, actorId: string, comment: string | null): Promise<void> {
    if (outcome === 'approved') {
      this.decided('approved', actorId, 'approval_request_approved', { comment });
      this.recorder.notify(this.requesterId, 'approval_request_approved', `Your ${this.subjectTitle} is approved`);
      await this.openFulfilment();
    } else if (outcome === 'rejected') {
      this.decided('rejected', actorId, 'approval_request_rejected', { comment });
      this.recorder.notify(this.requesterId, 'approval_request_rejected', `Your ${this.subjectTitle} was rejected by ${actorId}: ${comment ?? ''}`);
    } else if (outcome === 'changes_requested') {
      this.setStatus('changes_requested', actorId, 'changes_requested', { comment });
      this.recorder.openTask({ key: `r${this.round}:revise`, assigneeId: this.requesterId, kind: 'revise_request', title: `Revise ${this.subjectTitle}`, dueAt: null });
      this.recorder.notify(this.requesterId, 'changes_requested', `${actorId} asked for changes to your ${this.subjectTitle}: ${comment ?? ''}`);
    }
  }

  /** With a fulfil role, its holders (other than the requester) each get a task to carry the request out. */
  private async openFulfilment(): Promise<void> {
    const role = this.fulfilRole;
    if (!role) return;
    const holders = await roleHolders(role);
    // A withdrawal may have been accepted while the directory was read.
    if (this.status !== 'approved') return;
    const assignees = holders.filter((id) => id !== this.requesterId);
    this.fulfilment = { role, assignees, note: null, by: null, at: null };
    for (const id of assignees) {
      this.recorder.openTask({ key: `fulfil:${id}`, assigneeId: id, kind: 'fulfil_request', title: `Fulfil ${this.subjectTitle}`, dueAt: null });
      this.recorder.notify(id, 'fulfil_requested', `Please fulfil the approved ${this.subjectTitle}`);
    }
    this.touch();
  }

  validateRevision(actorId: string): void {
    if (actorId !== this.requesterId) throw forbidden('only the requester may revise this request');
    if (this.status !== 'changes_requested') throw conflict(`revisions are accepted only while changes are requested (status ${this.status})`);
  }

  async revise(actorId: string, title: string | undefined, fields: FieldValues): Promise<void> {
    this.recorder.closeTask(`r${this.round}:revise`, 'revised');
    if (this.approval) this.previousRounds.push(this.approval.levels);
    this.approval = null;
    const changed = Object.keys({ ...this.fields, ...fields }).filter((k) => JSON.stringify(this.fields[k]) !== JSON.stringify(fields[k]));
    this.title = title ?? this.title;
    this.fields = { ...fields };
    this.setStatus('pending_approval', actorId, 'approval_request_revised', { title: this.title, changed, fields: this.fields, round: this.round + 1 });
    await this.startRound();
  }

  validateWithdrawal(actorId: string): void {
    if (actorId !== this.requesterId) throw forbidden('only the requester may withdraw this request');
    if (!WITHDRAWABLE_APPROVAL_STATUSES.includes(this.status) || this.done) {
      throw conflict(`a request can be withdrawn only before it is decided or fulfilled (status ${this.status})`);
    }
  }

  withdraw(actorId: string, reason: string): void {
    const asked = this.approval?.levels.filter((l) => l.status === 'pending').flatMap((l) => l.approvers) ?? [];
    const notify = new Set([...asked, ...(this.status === 'approved' ? (this.fulfilment?.assignees ?? []) : [])]);
    this.approval?.cancel('withdrawn');
    this.recorder.closeTasksWithPrefix('', 'withdrawn');
    this.withdrawal = { reason, at: new Date().toISOString() };
    this.closedAt = this.withdrawal.at;
    this.setStatus('withdrawn', actorId, 'approval_request_withdrawn', { reason });
    notify.delete(actorId);
    for (const userId of notify) this.recorder.notify(userId, 'approval_request_withdrawn', `The ${this.subjectTitle} was withdrawn: ${reason}`);
  }

  validateFulfilment(actorId: string, roles: string[]): void {
    const role = this.fulfilRole;
    if (!role) throw conflict('this request type has no fulfilment');
    if (actorId === this.requesterId) throw forbidden('segregation of duties: you cannot fulfil a request you made');
    if (!roles.includes(role)) throw forbidden(`only holders of the ${role} role may fulfil this request`);
    if (this.status !== 'approved') throw conflict(`only an approved request can be fulfilled (status ${this.status})`);
  }

  fulfil(actorId: string, note: string): void {
    const at = new Date().toISOString();
    this.fulfilment = { role: this.fulfilRole!, assignees: this.fulfilment?.assignees ?? [], note, by: actorId, at };
    this.addParticipants(actorId);
    this.recorder.closeTasksWithPrefix('fulfil:', `fulfilled by ${actorId}`);
    this.closedAt = at;
    this.setStatus('fulfilled', actorId, 'approval_request_fulfilled', { note });
    this.recorder.notify(this.requesterId, 'approval_request_fulfilled', `Your ${this.subjectTitle} was fulfilled by ${actorId}: ${note}`);
  }

  /** Reminders, escalations and level timeouts while approval runs. */
  deadlines(): Deadline[] {
    return this.status === 'pending_approval' && this.approval ? this.approval.deadlines() : [];
  }

  private get currentLevels(): ApprovalLevel[] {
    return this.approval?.levels ?? (this.autoApproved ? [this.autoApproved] : []);
  }

  view(): ApprovalRequestView {
    const current = this.status === 'pending_approval' ? this.approval?.currentLevel : undefined;
    return {
      id: this.input.caseId,
      workflowId: workflowInfo().workflowId,
      type: this.input.type,
      typeTitle: this.definition.title,
      title: this.title,
      fields: this.fields,
      status: this.status,
      requesterId: this.requesterId,
      approvalLevels: this.currentLevels,
      previousRounds: this.previousRounds,
      currentLevel: current?.name ?? null,
      revision: this.round,
      decidedAt: this.decidedAt,
      decidedBy: this.decidedBy,
      fulfilment: this.fulfilment,
      withdrawal: this.withdrawal,
      closedAt: this.closedAt,
      createdAt: this.createdAt,
      updatedAt: this.updatedAt,
    };
  }
}
