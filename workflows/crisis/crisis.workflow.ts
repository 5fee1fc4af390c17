import { condition, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  closeBlockers,
  CRISIS_READER_ROLES,
  CrisisStatement,
  CrisisStatus,
  decideStatement,
  EXECUTIVE_ROLE,
  holdingSchedule,
  nextHoldingReminder,
  noticeSchedule,
  sendNotices,
  statementApproval,
  statementDecisionRefusal,
  SYSTEM_ACTOR,
  updateEveryMs,
} from '@steward/domain';
import type { CrisisActivities } from './activities';
import { caseActivities } from '../common/activity-options';
import type { CaseSnapshot } from '../common/case-recorder';
import { CaseBase, runCase } from '../common/case-runtime';
import type { Deadline } from '../common/deadlines';
import { conflict, forbidden, invalid } from '../common/errors';
import {
  Actor,
  AddActionInput,
  addActionUpdate,
  CompleteActionInput,
  completeActionUpdate,
  CrisisCarried,
  CrisisInput,
  CrisisState,
  crisisStateQuery,
  declaredUpdate,
  DraftStatementInput,
  draftStatementUpdate,
  PostMortemDecisionInput,
  postMortemDecisionUpdate,
  PostMortemInput,
  postMortemUpdate,
  RecoveryInput,
  recoveryUpdate,
  StatementDecisionInput,
  statementDecisionUpdate,
} from './definitions';

const { crisisExecutives } = caseActivities<CrisisActivities>();

const CASE_TYPE = 'crisis';

/**
 * A crisis from declaration to close. One voice: every statement is drafted by the comms lead or the commander
 * and published only once the comms lead and legal have both approved it. Deadlines (the holding statement and
 * its reminders, each stakeholder group's notice, the update cadence, late actions) derive from the state; one
 * timer waits for the earliest. The crisis closes once its post-mortem is approved, a final statement is
 * published and every action is done, in whatever order those happen.
 */
export async function crisisWorkflow(input: CrisisInput): Promise<CrisisState> {
  const c = new CrisisCase(input);

  setHandler(crisisStateQuery, () => c.state);
  setHandler(declaredUpdate, async () => {
    await condition(() => c.declared);
    return c.state;
  });
  setHandler(draftStatementUpdate, async (a) => (c.draftStatement(a), c.commit()), { validator: (a) => c.validateDraft(a) });
  setHandler(statementDecisionUpdate, async (a) => (c.decideOnStatement(a), c.commit()), { validator: (a) => c.validateStatementDecision(a) });
  setHandler(recoveryUpdate, async (a) => (c.startRecovery(a), c.commit()), { validator: (a) => c.validateRecovery(a) });
  setHandler(addActionUpdate, async (a) => (c.addAction(a), c.commit()), { validator: (a) => c.validateAddAction(a) });
  setHandler(completeActionUpdate, async (a) => (c.completeAction(a), c.commit()), { validator: (a) => c.validateCompleteAction(a) });
  setHandler(
    postMortemUpdate,
    async (a) => {
      await c.submitPostMortem(a);
      return c.commit();
    },
    { validator: (a) => c.validatePostMortem(a) },
  );
  setHandler(postMortemDecisionUpdate, async (a) => (c.decidePostMortem(a), c.commit()), { validator: (a) => c.validatePostMortemDecision(a) });

  if (input.carried) c.declared = true;
  else await c.declare();

  await runCase(c, {
    caseId: input.caseId,
    historyLimit: input.historyLimit,
    carry: () => c.carry(),
    continueAsNew: (carried) => continueAsNew<typeof crisisWorkflow>({ ...input, carried }),
  });
  return c.state;
}

const iso = (ms: number) => new Date(ms).toISOString();

class CrisisCase extends CaseBase<CrisisStatus> {
  readonly state: CrisisState;
  declared = false;
  private readonly holding: { dueAt: number; reminders: number[] };

  constructor(private readonly input: CrisisInput) {
    const d = input.declaration;
    super(CASE_TYPE, input.caseId, input.carried ?? { participants: [input.declaredBy, d.commanderId, d.commsLeadId, d.legalId] });
    const now = Date.now();
    const declaredAt = input.carried ? Date.parse(input.carried.state.declaredAt) : now;
    this.holding = holdingSchedule(input.policy, declaredAt);
    this.state = input.carried?.state ?? {
      id: input.caseId,
      workflowId: workflowInfo().workflowId,
      status: 'active',
      title: d.title,
      description: d.description,
      severity: d.severity,
      category: d.category,
      declaredBy: input.declaredBy,
      commanderId: d.commanderId,
      commsLeadId: d.commsLeadId,
      legalId: d.legalId,
      declaredAt: iso(now),
      holdingStatementDueAt: iso(this.holding.dueAt),
      holdingStatementId: null,
      holdingStatementPublishedAt: null,
      holdingStatementOverdueAt: null,
      holdingRemindersSent: 0,
      notices: noticeSchedule(input.policy, d.severity, now).map((n) => ({
        group: n.group,
        dueAt: iso(n.dueAt),
        status: 'pending',
        sentAt: null,
        statementId: null,
        overdueAt: null,
      })),
      statements: [],
      updateEvery: input.policy.updateEvery[d.severity],
      nextUpdateDueAt: null,
      updatePeriods: 0,
      updatesMissed: 0,
      recovery: null,
      actions: [],
      postMortem: null,
      closedAt: null,
      createdAt: iso(now),
      updatedAt: iso(now),
    };
  }

  get status(): CrisisStatus {
    return this.state.status;
  }

  protected set status(to: CrisisStatus) {
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
      requesterId: this.state.declaredBy,
      participants: [...this.participants],
      readerRoles: [...CRISIS_READER_ROLES],
      view: this.state,
      createdAt: this.state.createdAt,
      updatedAt: this.state.updatedAt,
    };
  }

  carry(): CrisisCarried {
    return { state: this.state, recorder: this.recorder.state, participants: [...this.participants] };
  }

  async commit(): Promise<CrisisState> {
    await this.recorder.flush();
    return this.state;
  }

  private get title(): string {
    return `crisis "${this.state.title}" (${this.state.severity})`;
  }

  /** The people who run the crisis, each told once even when one person holds two parts. */
  private notifyLeads(kind: string, message: string, ...others: string[]): void {
    const s = this.state;
    for (const userId of new Set([s.commanderId, s.commsLeadId, s.legalId, ...others])) this.recorder.notify(userId, kind, message);
  }

  // --- declaration -----------------------------------------------------------------------------------------

  async declare(): Promise<void> {
    const s = this.state;
    // A major crisis reaches the top at once: every executive, as the directory has them now.
    const executives = s.severity === 'major' ? await crisisExecutives() : [];
    this.recorder.audit({
      actorId: s.declaredBy,
      action: 'crisis_declared',
      fromStatus: null,
      toStatus: 'active',
      data: {
        ...this.input.declaration,
        holdingStatementDueAt: s.holdingStatementDueAt,
        notices: s.notices.map((n) => ({ group: n.group, dueAt: n.dueAt })),
        executivesAlerted: executives,
      },
    });
    const due = `holding statement due ${s.holdingStatementDueAt}`;
    this.recorder.notify(s.commanderId, 'crisis_declared', `You command ${this.title}, declared by ${s.declaredBy}: ${due}`);
    this.recorder.notify(s.commsLeadId, 'crisis_declared', `You are the one voice of ${this.title}: draft the holding statement, ${due}`);
    this.recorder.notify(s.legalId, 'crisis_declared', `You are legal for ${this.title}: every statement needs your approval`);
    for (const userId of executives) {
      if (![s.commanderId, s.commsLeadId, s.legalId].includes(userId)) {
        this.recorder.notify(userId, 'crisis_declared', `Major ${this.title} declared by ${s.declaredBy}, commander ${s.commanderId}`);
      }
    }
    await this.recorder.flush();
    this.declared = true;
  }

  // --- who may act ----------------------------------------------------------------------------------------

  private assertNotClosed(what: string): void {
    if (this.state.status === 'closed') throw conflict(`cannot ${what}: the crisis is closed`);
  }

  private assertCommander(a: Actor, what: string): void {
    if (a.actorId !== this.state.commanderId) throw forbidden(`only the commander (${this.state.commanderId}) may ${what}`);
  }

  // --- statements -----------------------------------------------------------------------------------------

  validateDraft(a: DraftStatementInput): void {
    const s = this.state;
    if (a.actorId !== s.commsLeadId && a.actorId !== s.commanderId) {
      throw forbidden(`only the comms lead (${s.commsLeadId}) or the commander (${s.commanderId}) may draft statements: one voice`);
    }
    this.assertNotClosed('draft a statement');
    if (a.audience.length === 0) throw invalid('audience', 'audience must name at least one stakeholder group');
    if (s.statements.some((st) => st.id === a.statementId)) throw conflict(`statement ${a.statementId} exists already`);
  }

  draftStatement(a: DraftStatementInput): void {
    const s = this.state;
    const at = iso(Date.now());
    const statement: CrisisStatement = {
      id: a.statementId,
      number: s.statements.length + 1,
      kind: a.kind,
      audience: [...new Set(a.audience)],
      text: a.text,
      status: 'pending_approval',
      draftedBy: a.actorId,
      draftedAt: at,
      approval: statementApproval(s.commsLeadId, s.legalId, at),
      publishedAt: null,
      rejectedAt: null,
    };
    s.statements.push(statement);
    const dueAt = this.statementDueAt(statement);
    for (const approverId of statement.approval.approvers) {
      this.recorder.openTask({
        key: `statement:${statement.number}:approve:${approverId}`,
        assigneeId: approverId,
        kind: 'approve_statement',
        title: `Approve the ${statement.kind} statement #${statement.number} to ${statement.audience.join(', ')}: ${this.title}`,
        dueAt,
      });
      this.recorder.notify(approverId, 'statement_approval_requested', `${a.actorId} drafted ${statement.kind} statement #${statement.number} of ${this.title}: your approval is needed`);
    }
    this.record(a.actorId, 'statement_drafted', {
      statementId: statement.id,
      number: statement.number,
      kind: statement.kind,
      audience: statement.audience,
      text: statement.text,
    });
  }

  /** The earliest deadline the statement would meet: the holding statement's, the next update's, or a notice's. */
  private statementDueAt(statement: CrisisStatement): string | null {
    const s = this.state;
    const candidates: string[] = [];
    if (statement.kind === 'holding' && !s.holdingStatementPublishedAt) candidates.push(s.holdingStatementDueAt);
    if (statement.kind === 'update' && s.nextUpdateDueAt) candidates.push(s.nextUpdateDueAt);
    for (const n of s.notices) if (n.status !== 'sent' && statement.audience.includes(n.group)) candidates.push(n.dueAt);
    return candidates.length ? candidates.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b)) : null;
  }

  private statement(id: string): CrisisStatement {
    const statement = this.state.statements.find((st) => st.id === id);
    if (!statement) throw invalid('statementId', `crisis ${this.state.id} has no statement ${id}`);
    return statement;
  }

  validateStatementDecision(a: StatementDecisionInput): void {
    const s = this.state;
    const statement = this.statement(a.statementId);
    const refusal = statementDecisionRefusal(statement, a.actorId);
    if (refusal === 'not_an_approver') {
      throw forbidden(`only the comms lead (${s.commsLeadId}) and legal (${s.legalId}) approve statements; nobody else may approve or publish`);
    }
    if (refusal === 'not_pending') throw conflict(`statement #${statement.number} is ${statement.status}, not waiting for approval`);
    if (refusal === 'already_decided') throw conflict(`you have already decided on statement #${statement.number}`);
    if (a.decision === 'reject' && !a.comment) throw invalid('comment', 'comment is required to reject');
  }

  decideOnStatement(a: StatementDecisionInput): void {
    const statement = this.statement(a.statementId);
    const at = Date.now();
    const outcome = decideStatement(statement, a.actorId, a.decision, a.comment, iso(at));
    const prefix = `statement:${statement.number}:`;
    this.recorder.closeTask(`${prefix}approve:${a.actorId}`, a.decision);
    this.record(a.actorId, 'statement_decision', { statementId: statement.id, number: statement.number, decision: a.decision, comment: a.comment });
    if (outcome === 'rejected') {
      this.recorder.closeTasksWithPrefix(prefix, 'rejected');
      this.record(a.actorId, 'statement_rejected', { statementId: statement.id, number: statement.number, comment: a.comment });
      this.recorder.notify(statement.draftedBy, 'statement_rejected', `${a.actorId} rejected ${statement.kind} statement #${statement.number} of ${this.title}: ${a.comment ?? ''}`);
    }
    if (outcome === 'published') this.publish(statement, a.actorId, at);
  }

  /** Approved by both: the statement goes out, tells its audience, and meets whatever deadline it serves. */
  private publish(statement: CrisisStatement, actorId: string, at: number): void {
    const s = this.state;
    this.recorder.closeTasksWithPrefix(`statement:${statement.number}:`, 'published');
    const noticesSent = sendNotices(s.notices, statement.audience, statement.id, iso(at));
    const data: Record<string, unknown> = { statementId: statement.id, number: statement.number, kind: statement.kind, audience: statement.audience, noticesSent };
    if (statement.kind === 'holding' && !s.holdingStatementPublishedAt) {
      s.holdingStatementId = statement.id;
      s.holdingStatementPublishedAt = iso(at);
      data.holdingStatement = at <= this.holding.dueAt ? 'met' : 'late';
      this.recorder.closeTasksWithPrefix('holding-overdue:', 'holding_published');
      if (s.status === 'active') this.startUpdatePeriod(at);
    } else if (statement.kind === 'update' && s.nextUpdateDueAt) {
      this.recorder.closeTask(this.updateTaskKey(), 'published');
      this.startUpdatePeriod(at);
    }
    this.record(actorId, 'statement_published', data);
    this.notifyLeads('statement_published', `${statement.kind} statement #${statement.number} of ${this.title} is published to ${statement.audience.join(', ')}`);
    if (statement.kind === 'final') this.closeIfDone(actorId);
  }

  // --- update cadence -------------------------------------------------------------------------------------

  private updateTaskKey(): string {
    return `update:${this.state.updatePeriods}`;
  }

  /** A new cadence period from `fromMs`: the comms lead owes an update statement by its end. */
  private startUpdatePeriod(fromMs: number): void {
    const s = this.state;
    s.updatePeriods += 1;
    s.nextUpdateDueAt = iso(fromMs + updateEveryMs(this.input.policy, s.severity));
    this.recorder.openTask({
      key: this.updateTaskKey(),
      assigneeId: s.commsLeadId,
      kind: 'crisis_update_due',
      title: `Publish an update statement on ${this.title} by ${s.nextUpdateDueAt}`,
      dueAt: s.nextUpdateDueAt,
    });
  }

  private updateMissed(): void {
    const s = this.state;
    if (s.status !== 'active' || !s.nextUpdateDueAt) return;
    const dueAt = s.nextUpdateDueAt;
    s.updatesMissed += 1;
    this.recorder.closeTask(this.updateTaskKey(), 'missed');
    this.record(SYSTEM_ACTOR, 'update_missed', { dueAt, period: s.updatePeriods, updatesMissed: s.updatesMissed });
    this.recorder.notify(s.commanderId, 'crisis_update_missed', `No update statement on ${this.title} was published by ${dueAt}`);
    // The next period counts from the missed deadline, so the cadence does not drift.
    this.startUpdatePeriod(Date.parse(dueAt));
  }

  // --- recovery and actions -------------------------------------------------------------------------------

  validateRecovery(a: RecoveryInput): void {
    this.assertCommander(a, 'start recovery');
    if (this.state.status !== 'active') throw conflict(`recovery starts from active; the crisis is ${this.state.status}`);
  }

  startRecovery(a: RecoveryInput): void {
    const s = this.state;
    const at = iso(Date.now());
    s.recovery = { note: a.note, by: a.actorId, at };
    if (s.nextUpdateDueAt) this.recorder.closeTask(this.updateTaskKey(), 'recovery');
    s.nextUpdateDueAt = null;
    this.setStatus('recovering', a.actorId, 'crisis_recovery_started', { note: a.note });
    this.notifyLeads('crisis_recovering', `${this.title} is recovering: ${a.note}`);
  }

  validateAddAction(a: AddActionInput): void {
    this.assertCommander(a, 'add actions');
    this.assertNotClosed('add an action');
    const due = Date.parse(a.dueAt);
    if (Number.isNaN(due) || due <= Date.now()) throw invalid('dueAt', 'dueAt must be in the future');
    if (this.state.actions.some((x) => x.id === a.actionId)) throw conflict(`action ${a.actionId} exists already`);
  }

  addAction(a: AddActionInput): void {
    const s = this.state;
    const action = {
      id: a.actionId,
      title: a.title,
      ownerId: a.ownerId,
      dueAt: iso(Date.parse(a.dueAt)),
      status: 'open' as const,
      createdBy: a.actorId,
      createdAt: iso(Date.now()),
      completedAt: null,
      completionNote: null,
      overdueAt: null,
    };
    s.actions.push(action);
    this.addParticipants(a.ownerId);
    this.recorder.openTask({ key: `action:${action.id}`, assigneeId: a.ownerId, kind: 'crisis_action', title: `${action.title} (${this.title})`, dueAt: action.dueAt });
    this.recorder.notify(a.ownerId, 'crisis_action_assigned', `${a.actorId} gave you an action on ${this.title}: ${action.title}, due ${action.dueAt}`);
    this.record(a.actorId, 'crisis_action_added', { actionId: action.id, title: action.title, ownerId: action.ownerId, dueAt: action.dueAt });
  }

  private action(id: string) {
    const action = this.state.actions.find((x) => x.id === id);
    if (!action) throw invalid('actionId', `crisis ${this.state.id} has no action ${id}`);
    return action;
  }

  validateCompleteAction(a: CompleteActionInput): void {
    const action = this.action(a.actionId);
    if (a.actorId !== action.ownerId) throw forbidden(`only the action's owner (${action.ownerId}) may complete it`);
    if (action.status === 'done') throw conflict(`the action "${action.title}" is already complete`);
  }

  completeAction(a: CompleteActionInput): void {
    const action = this.action(a.actionId);
    action.status = 'done';
    action.completedAt = iso(Date.now());
    action.completionNote = a.note;
    this.recorder.closeTask(`action:${action.id}`, 'done');
    this.record(a.actorId, 'crisis_action_completed', { actionId: action.id, title: action.title, note: a.note });
    if (a.actorId !== this.state.commanderId) {
      this.recorder.notify(this.state.commanderId, 'crisis_action_completed', `${a.actorId} completed "${action.title}" on ${this.title}`);
    }
    this.closeIfDone(a.actorId);
  }

  private actionOverdue(id: string): void {
    const action = this.action(id);
    if (action.status !== 'open' || action.overdueAt) return;
    action.overdueAt = action.dueAt;
    this.record(SYSTEM_ACTOR, 'crisis_action_overdue', { actionId: action.id, title: action.title, ownerId: action.ownerId, dueAt: action.dueAt });
    const message = `The action "${action.title}" on ${this.title} (owner ${action.ownerId}) was due ${action.dueAt}`;
    for (const userId of new Set([action.ownerId, this.state.commanderId])) this.recorder.notify(userId, 'crisis_action_overdue', message);
  }

  // --- post-mortem ----------------------------------------------------------------------------------------

  validatePostMortem(a: PostMortemInput): void {
    this.assertCommander(a, 'submit the post-mortem');
    if (this.state.postMortem?.status === 'approved') throw conflict('the post-mortem is already approved');
    if (this.state.status !== 'recovering') throw conflict(`the post-mortem is submitted while recovering; the crisis is ${this.state.status}`);
    if (a.lessons.length === 0) throw invalid('lessons', 'lessons must list at least one lesson');
  }

  async submitPostMortem(a: PostMortemInput): Promise<void> {
    // Directory read first: nothing changes if it fails. The commander never reviews their own post-mortem.
    const reviewers = (await crisisExecutives()).filter((id) => id !== this.state.commanderId);
    // Other Updates ran while the directory was read (another submission, say): check again.
    this.validatePostMortem(a);
    if (reviewers.length === 0) throw conflict('no executive other than the commander can review the post-mortem');
    const s = this.state;
    const previous = s.postMortem;
    s.postMortem = {
      summary: a.summary,
      rootCause: a.rootCause,
      lessons: [...a.lessons],
      submittedBy: a.actorId,
      submittedAt: iso(Date.now()),
      revision: (previous?.revision ?? 0) + 1,
      status: 'in_review',
      decisions: previous?.decisions ?? [],
    };
    this.addParticipants(...reviewers);
    this.setStatus('post_mortem_review', a.actorId, 'post_mortem_submitted', {
      revision: s.postMortem.revision,
      summary: a.summary,
      rootCause: a.rootCause,
      lessons: a.lessons,
      reviewers,
    });
    for (const userId of reviewers) {
      this.recorder.openTask({
        key: `post-mortem:${s.postMortem.revision}:${userId}`,
        assigneeId: userId,
        kind: 'approve_post_mortem',
        title: `Review the post-mortem (revision ${s.postMortem.revision}) of ${this.title}`,
        dueAt: null,
      });
      this.recorder.notify(userId, 'post_mortem_review_requested', `The post-mortem of ${this.title} waits for an executive's decision`);
    }
  }

  validatePostMortemDecision(a: PostMortemDecisionInput): void {
    if (!a.roles.includes(EXECUTIVE_ROLE)) throw forbidden('only an executive may decide on the post-mortem');
    if (a.actorId === this.state.commanderId) throw forbidden('segregation of duties: the commander cannot decide on their own post-mortem');
    if (this.state.status !== 'post_mortem_review') throw conflict(`no post-mortem is waiting for review; the crisis is ${this.state.status}`);
    if (a.decision === 'request_changes' && !a.comment) throw invalid('comment', 'comment is required to request changes');
  }

  decidePostMortem(a: PostMortemDecisionInput): void {
    const s = this.state;
    const pm = s.postMortem!;
    pm.decisions.push({ by: a.actorId, decision: a.decision, comment: a.comment, at: iso(Date.now()) });
    this.recorder.closeTasksWithPrefix(`post-mortem:${pm.revision}:`, a.decision);
    if (a.decision === 'request_changes') {
      pm.status = 'changes_requested';
      this.setStatus('recovering', a.actorId, 'post_mortem_changes_requested', { revision: pm.revision, comment: a.comment });
      this.recorder.notify(s.commanderId, 'post_mortem_changes_requested', `${a.actorId} asks for changes to the post-mortem of ${this.title}: ${a.comment ?? ''}`);
      return;
    }
    pm.status = 'approved';
    // Aftercare goes on until the final statement is out and every action is done.
    this.setStatus('recovering', a.actorId, 'post_mortem_approved', { revision: pm.revision, comment: a.comment });
    this.recorder.notify(s.commanderId, 'post_mortem_approved', `${a.actorId} approved the post-mortem of ${this.title}`);
    this.closeIfDone(a.actorId);
  }

  /** Closes the crisis once nothing is missing; every task still open goes with it. */
  private closeIfDone(actorId: string): void {
    const s = this.state;
    if (s.status === 'closed' || closeBlockers(s).length > 0) return;
    s.closedAt = iso(Date.now());
    this.recorder.closeTasksWithPrefix('', 'crisis_closed');
    this.setStatus('closed', actorId, 'crisis_closed', {});
    this.notifyLeads('crisis_closed', `${this.title} is closed`, s.declaredBy);
  }

  // --- timers ---------------------------------------------------------------------------------------------

  deadlines(): Deadline[] {
    const s = this.state;
    const due: Deadline[] = [];
    if (!s.holdingStatementPublishedAt && !s.holdingStatementOverdueAt) {
      const reminder = nextHoldingReminder(this.holding.reminders, s.holdingRemindersSent);
      if (reminder !== null) due.push({ name: 'holding:reminder', at: reminder, fire: () => this.remindHolding(Date.now()) });
      due.push({ name: 'holding:deadline', at: this.holding.dueAt, fire: () => this.holdingOverdue() });
    }
    for (const n of s.notices) {
      if (n.status === 'pending') due.push({ name: `notice:${n.group}`, at: Date.parse(n.dueAt), fire: () => this.noticesOverdue(Date.now()) });
    }
    if (s.status === 'active' && s.nextUpdateDueAt) due.push({ name: 'update:due', at: Date.parse(s.nextUpdateDueAt), fire: () => this.updateMissed() });
    for (const a of s.actions) {
      if (a.status === 'open' && !a.overdueAt) due.push({ name: `action:${a.id}`, at: Date.parse(a.dueAt), fire: () => this.actionOverdue(a.id) });
    }
    return due;
  }

  /** Every reminder whose time has come (a worker down for a while sends the missed ones together). */
  private remindHolding(now: number): void {
    const s = this.state;
    const fractions = this.input.policy.holdingReminders;
    for (let at = nextHoldingReminder(this.holding.reminders, s.holdingRemindersSent); at !== null && at <= now; at = nextHoldingReminder(this.holding.reminders, s.holdingRemindersSent)) {
      const fraction = fractions[s.holdingRemindersSent];
      s.holdingRemindersSent += 1;
      this.record(SYSTEM_ACTOR, 'holding_statement_reminder', { fraction, dueAt: s.holdingStatementDueAt });
      this.recorder.notify(
        s.commsLeadId,
        'crisis_holding_reminder',
        `${Math.round(fraction * 100)}% of the time for the holding statement of ${this.title} is spent: it is due ${s.holdingStatementDueAt}`,
      );
    }
  }

  /** 黄金24小时 passed with no holding statement: audited, and every executive gets a task. */
  private async holdingOverdue(): Promise<void> {
    const s = this.state;
    if (s.holdingStatementPublishedAt || s.holdingStatementOverdueAt) return;
    s.holdingStatementOverdueAt = s.holdingStatementDueAt;
    const executives = await crisisExecutives();
    // Published while the directory was read: it was late, but nobody needs chasing now.
    const chase = s.holdingStatementPublishedAt ? [] : executives;
    this.addParticipants(...chase);
    this.record(SYSTEM_ACTOR, 'holding_statement_overdue', { dueAt: s.holdingStatementDueAt, executives: chase });
    for (const userId of chase) {
      this.recorder.openTask({
        key: `holding-overdue:${userId}`,
        assigneeId: userId,
        kind: 'crisis_holding_overdue',
        title: `No holding statement on ${this.title} was published within ${this.input.policy.holdingStatementWithin} (due ${s.holdingStatementDueAt})`,
        dueAt: null,
      });
    }
    this.notifyLeads('crisis_holding_overdue', `The holding statement of ${this.title} is overdue (due ${s.holdingStatementDueAt})`, ...chase);
  }

  private noticesOverdue(now: number): void {
    const s = this.state;
    for (const n of s.notices) {
      if (n.status !== 'pending' || Date.parse(n.dueAt) > now) continue;
      n.status = 'overdue';
      n.overdueAt = n.dueAt;
      this.record(SYSTEM_ACTOR, 'notice_overdue', { group: n.group, dueAt: n.dueAt });
      const message = `The ${n.group} of ${this.title} have not been told: their notice was due ${n.dueAt}`;
      for (const userId of new Set([s.commanderId, s.commsLeadId])) this.recorder.notify(userId, 'crisis_notice_overdue', message);
    }
  }
}
