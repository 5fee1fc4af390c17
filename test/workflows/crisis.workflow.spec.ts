/**
 * The crisis workflow on the time-skipping test server: the holding statement's reminders and deadline, both
 * approvals behind every statement (the commander cannot bypass them), notices going overdue, the update
 * cadence, actions, the post-mortem and the close conditions, and continue-as-new. sue declares, mike commands,
 * priya is the comms lead, leo legal, grace the only executive (fake activities, crisis.fixtures.ts).
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { CaseFailure } from '@steward/domain';
import { crisisStateQuery } from '@steward/workflows/crisis/definitions';
import { crisisActivities, declareCrisis, viewOf } from './crisis.fixtures';
import { bundleWorkflows, CaseTestContext, createTestEnvironment, DAY, HOUR, refusal, SETUP_TIMEOUT_MS, teardownEnvironment, withCaseWorker } from './harness';

jest.setTimeout(60_000);

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string | null | undefined) => Date.parse(s ?? '');

describe('crisis workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // One after the other, and a second try: on a busy machine the test server may miss the SDK's 5 s start window.
    env = await createTestEnvironment().catch(() => createTestEnvironment());
    workflowBundle = await bundleWorkflows();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  const run = <T>(fn: (ctx: CaseTestContext) => Promise<T>, executives: () => readonly string[] = () => ['grace']) =>
    withCaseWorker(env, workflowBundle, fn, { activities: crisisActivities(executives) });

  it('declares a major crisis: a notice per group, the holding deadline, and commander, comms lead, legal and every executive alerted', () =>
    run(async (ctx) => {
      const crisis = await declareCrisis(ctx);
      const d = crisis.declared;
      const t0 = at(d.declaredAt);
      expect(d).toMatchObject({
        status: 'active',
        severity: 'major',
        declaredBy: 'sue',
        commanderId: 'mike',
        commsLeadId: 'priya',
        legalId: 'leo',
        holdingStatementDueAt: iso(t0 + 24 * HOUR),
        holdingStatementPublishedAt: null,
        updateEvery: 'PT4H',
        nextUpdateDueAt: null,
      });
      expect(d.notices.map((n) => [n.group, n.dueAt, n.status])).toEqual([
        ['employees', iso(t0 + 2 * HOUR), 'pending'],
        ['customers', iso(t0 + 24 * HOUR), 'pending'],
        ['partners', iso(t0 + 24 * HOUR), 'pending'],
        ['suppliers', iso(t0 + 48 * HOUR), 'pending'],
        ['regulators', iso(t0 + 72 * HOUR), 'pending'],
        ['media', iso(t0 + 24 * HOUR), 'pending'],
      ]);
      expect(ctx.ledger.actions).toEqual(['crisis_declared']);
      expect(ctx.ledger.event('crisis_declared')).toMatchObject({ actorId: 'sue', fromStatus: null, toStatus: 'active', data: expect.objectContaining({ executivesAlerted: ['grace'] }) });
      expect(ctx.ledger.notifications.map((n) => [n.userId, n.kind])).toEqual([
        ['mike', 'crisis_declared'],
        ['priya', 'crisis_declared'],
        ['leo', 'crisis_declared'],
        ['grace', 'crisis_declared'],
      ]);
      expect(ctx.ledger.latest).toMatchObject({ caseType: 'crisis', requesterId: 'sue', readerRoles: ['executive'] });
      expect(ctx.ledger.latest.participants.sort()).toEqual(['leo', 'mike', 'priya', 'sue']);
    }));

  it('declares a general crisis without alerting executives and without notices for regulators and media', () =>
    run(async (ctx) => {
      const crisis = await declareCrisis(ctx, { severity: 'general' });
      expect(crisis.declared.notices.map((n) => n.group)).toEqual(['employees', 'customers', 'partners', 'suppliers']);
      expect(crisis.declared.updateEvery).toBe('PT12H');
      expect(ctx.ledger.notifications.map((n) => n.userId)).toEqual(['mike', 'priya', 'leo']);
    }));

  it('reminds the comms lead at 50 % and 83 % of 24 h, then at the deadline audits the breach and gives every executive a task', () =>
    run(async (ctx) => {
      const { ledger, sleepUntil } = ctx;
      const crisis = await declareCrisis(ctx, { severity: 'general' });
      const t0 = at(crisis.declared.declaredAt);
      const key = (k: string) => `${crisis.caseId}:task:${k}`;

      // The employees' notice (PT8H for a general crisis) goes overdue first.
      await sleepUntil(t0 + 12 * HOUR - MIN);
      expect(ledger.actions).toEqual(['crisis_declared', 'notice_overdue']);
      expect(ledger.event('notice_overdue')).toMatchObject({ data: { group: 'employees', dueAt: iso(t0 + 8 * HOUR) } });
      await sleepUntil(t0 + 12 * HOUR + MIN);
      const first = await ledger.waitForAction('holding_statement_reminder');
      expect(first.events).toEqual([expect.objectContaining({ actorId: 'system', action: 'holding_statement_reminder', data: { fraction: 0.5, dueAt: iso(t0 + 24 * HOUR) } })]);
      expect(first.notifications).toEqual([expect.objectContaining({ userId: 'priya', kind: 'crisis_holding_reminder' })]);

      await sleepUntil(t0 + 20 * HOUR);
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'holding_statement_reminder' && e.data.fraction === 0.83));
      expect(ledger.events.filter((e) => e.action === 'holding_statement_reminder')).toHaveLength(2);
      expect(viewOf(ledger.latest).holdingRemindersSent).toBe(2);

      expect(ledger.actions).not.toContain('holding_statement_overdue');
      await sleepUntil(t0 + 24 * HOUR + MIN);
      const breach = await ledger.waitForAction('holding_statement_overdue');
      expect(breach.events).toEqual([
        expect.objectContaining({ actorId: 'system', action: 'holding_statement_overdue', data: { dueAt: iso(t0 + 24 * HOUR), executives: ['grace'] } }),
      ]);
      expect(breach.openTasks).toEqual([expect.objectContaining({ key: key('holding-overdue:grace'), assigneeId: 'grace', kind: 'crisis_holding_overdue' })]);
      expect(viewOf(breach)).toMatchObject({ holdingStatementOverdueAt: iso(t0 + 24 * HOUR), status: 'active' });
      expect(breach.participants).toContain('grace');

      // A late holding statement still counts as the holding statement: grace's task closes, the cadence starts.
      await crisis.publish('holding', ['customers', 'employees']);
      const published = ledger.events.find((e) => e.action === 'statement_published');
      expect(published?.data).toMatchObject({ kind: 'holding', holdingStatement: 'late', noticesSent: ['employees', 'customers'] });
      expect(ledger.openTasks.map((t) => t.kind)).toEqual(['crisis_update_due']);
      const state = await crisis.state();
      expect(state.notices.filter((n) => n.status === 'sent').map((n) => [n.group, n.overdueAt !== null])).toEqual([
        ['employees', true],
        ['customers', false],
      ]);
      // No more reminders, and the breach is not repeated.
      await sleepUntil(t0 + 30 * HOUR);
      expect(ledger.events.filter((e) => e.action.startsWith('holding_statement_'))).toHaveLength(3);
    }));

  it('publishes only with both approvals: the commander drafts but cannot approve, nor can an executive; legal alone is not enough', () =>
    run(async (ctx) => {
      const { ledger } = ctx;
      const crisis = await declareCrisis(ctx);
      const t0 = at(crisis.declared.declaredAt);
      const key = (k: string) => `${crisis.caseId}:task:${k}`;

      expect(await refusal(crisis.draft('sam', 'holding', ['employees']))).toMatchObject({ type: CaseFailure.forbidden });
      expect(await refusal(crisis.draft('grace', 'holding', ['employees']))).toMatchObject({ type: CaseFailure.forbidden });
      const drafted = await crisis.draft('mike', 'holding', ['employees', 'media'], 'We are aware of a payment outage.');
      const statement = drafted.statements[0];
      expect(statement).toMatchObject({
        number: 1,
        kind: 'holding',
        status: 'pending_approval',
        draftedBy: 'mike',
        audience: ['employees', 'media'],
        approval: { rule: 'all', approvers: ['priya', 'leo'], decisions: [] },
      });
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: key('statement:1:approve:priya'), assigneeId: 'priya', kind: 'approve_statement', dueAt: iso(t0 + 2 * HOUR) }),
        expect.objectContaining({ key: key('statement:1:approve:leo'), assigneeId: 'leo', kind: 'approve_statement', dueAt: iso(t0 + 2 * HOUR) }),
      ]);
      expect(ledger.event('statement_drafted')).toMatchObject({ actorId: 'mike', data: expect.objectContaining({ statementId: statement.id, kind: 'holding' }) });

      for (const who of ['mike', 'grace', 'sue']) {
        expect(await refusal(crisis.decide(who, statement.id, 'approve'))).toMatchObject({ type: CaseFailure.forbidden, message: expect.stringContaining('nobody else') });
      }
      const half = await crisis.decide('leo', statement.id, 'approve', 'Legally fine');
      expect(half.statements[0]).toMatchObject({ status: 'pending_approval', publishedAt: null });
      expect(await refusal(crisis.decide('leo', statement.id, 'approve'))).toMatchObject({ type: CaseFailure.conflict });
      expect(half.notices.find((n) => n.group === 'employees')?.status).toBe('pending');

      const published = await crisis.decide('priya', statement.id, 'approve');
      const at1 = published.statements[0].publishedAt;
      expect(published.statements[0]).toMatchObject({ status: 'published', approval: { status: 'approved' } });
      expect(published).toMatchObject({ holdingStatementId: statement.id, holdingStatementPublishedAt: at1, nextUpdateDueAt: iso(at(at1) + 4 * HOUR) });
      expect(published.notices.filter((n) => n.status === 'sent').map((n) => [n.group, n.sentAt, n.statementId])).toEqual([
        ['employees', at1, statement.id],
        ['media', at1, statement.id],
      ]);
      expect(ledger.actions).toEqual(['crisis_declared', 'statement_drafted', 'statement_decision', 'statement_decision', 'statement_published']);
      expect(ledger.event('statement_published')).toMatchObject({ actorId: 'priya', data: expect.objectContaining({ holdingStatement: 'met' }) });
      expect(await refusal(crisis.decide('priya', statement.id, 'approve'))).toMatchObject({ type: CaseFailure.conflict });
      expect(await refusal(crisis.decide('mike', statement.id, 'approve'))).toMatchObject({ type: CaseFailure.forbidden });

      // A rejection needs a comment and ends the statement; the drafter hears of it. Two may be pending at once.
      const two = await crisis.draft('priya', 'update', ['customers']);
      const three = await crisis.draft('priya', 'update', ['partners']);
      const [s2, s3] = [two.statements[1], three.statements[2]];
      expect(await refusal(crisis.decide('leo', s2.id, 'reject'))).toMatchObject({ type: CaseFailure.invalid });
      const rejected = await crisis.decide('leo', s2.id, 'reject', 'Promises a refund we have not agreed');
      expect(rejected.statements[1]).toMatchObject({ status: 'rejected', publishedAt: null });
      expect(rejected.statements[2].status).toBe('pending_approval');
      expect(ledger.notifications.at(-1)).toMatchObject({ userId: 'priya', kind: 'statement_rejected' });
      expect(ledger.openTasks.filter((t) => t.kind === 'approve_statement').map((t) => t.key)).toEqual([key('statement:3:approve:priya'), key('statement:3:approve:leo')]);
      expect(rejected.notices.find((n) => n.group === 'customers')?.status).toBe('pending');
      await crisis.decide('priya', s3.id, 'approve');
      expect((await crisis.decide('leo', s3.id, 'approve')).notices.find((n) => n.group === 'partners')?.status).toBe('sent');
    }));

  it('turns a notice nobody sent overdue at its deadline, telling commander and comms lead', () =>
    run(async (ctx) => {
      const { ledger, sleepUntil } = ctx;
      const crisis = await declareCrisis(ctx);
      const t0 = at(crisis.declared.declaredAt);
      await sleepUntil(t0 + 2 * HOUR - MIN);
      expect(ledger.actions).toEqual(['crisis_declared']);
      await sleepUntil(t0 + 2 * HOUR + MIN);
      const overdue = await ledger.waitForAction('notice_overdue');
      expect(overdue.events).toEqual([expect.objectContaining({ actorId: 'system', action: 'notice_overdue', data: { group: 'employees', dueAt: iso(t0 + 2 * HOUR) } })]);
      expect(overdue.notifications.map((n) => [n.userId, n.kind])).toEqual([
        ['mike', 'crisis_notice_overdue'],
        ['priya', 'crisis_notice_overdue'],
      ]);
      expect(viewOf(overdue).notices[0]).toMatchObject({ group: 'employees', status: 'overdue', overdueAt: iso(t0 + 2 * HOUR) });
      expect(viewOf(overdue).notices.slice(1).every((n) => n.status === 'pending')).toBe(true);
      // Customers, partners and media share the 24 h deadline (with the holding statement): one step, three notices.
      await sleepUntil(t0 + 24 * HOUR + MIN);
      await ledger.waitForAction('holding_statement_overdue');
      expect(ledger.events.filter((e) => e.action === 'notice_overdue').map((e) => e.data.group)).toEqual(['employees', 'customers', 'partners', 'media']);
    }));

  it('wants an update every 4 h after the holding statement: a missed one is audited, the commander told, and the next period starts', () =>
    run(async (ctx) => {
      const { ledger, sleepUntil } = ctx;
      const crisis = await declareCrisis(ctx);
      const key = (k: string) => `${crisis.caseId}:task:${k}`;
      await crisis.publish('holding', ['employees', 'customers', 'partners', 'suppliers', 'regulators', 'media']);
      const h = at((await crisis.state()).holdingStatementPublishedAt);
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: key('update:1'), assigneeId: 'priya', kind: 'crisis_update_due', dueAt: iso(h + 4 * HOUR) }),
      ]);

      await sleepUntil(h + 4 * HOUR - MIN);
      expect(ledger.actions).not.toContain('update_missed');
      await sleepUntil(h + 4 * HOUR + MIN);
      const missed = await ledger.waitForAction('update_missed');
      expect(missed.events).toEqual([expect.objectContaining({ actorId: 'system', action: 'update_missed', data: { dueAt: iso(h + 4 * HOUR), period: 1, updatesMissed: 1 } })]);
      expect(missed.notifications).toEqual([expect.objectContaining({ userId: 'mike', kind: 'crisis_update_missed' })]);
      expect(missed.closeTasks).toEqual([expect.objectContaining({ key: key('update:1'), outcome: 'missed' })]);
      expect(missed.openTasks).toEqual([expect.objectContaining({ key: key('update:2'), kind: 'crisis_update_due', dueAt: iso(h + 8 * HOUR) })]);

      // An update published in the second period meets it; the next is due 4 h after it.
      await sleepUntil(h + 6 * HOUR);
      await crisis.publish('update', ['customers']);
      const state = await crisis.state();
      const u = at(state.statements[1].publishedAt);
      expect(state).toMatchObject({ nextUpdateDueAt: iso(u + 4 * HOUR), updatesMissed: 1, updatePeriods: 3 });
      expect(ledger.closedTasks.find((t) => t.key === key('update:2'))?.outcome).toBe('published');
      expect(ledger.openTasks.map((t) => t.key)).toEqual([key('update:3')]);

      // Recovery ends the cadence: nothing more is missed.
      const recovering = await crisis.recover('mike');
      expect(recovering).toMatchObject({ status: 'recovering', nextUpdateDueAt: null, recovery: { note: 'Payments restored', by: 'mike' } });
      expect(ledger.openTasks).toEqual([]);
      await sleepUntil(u + 12 * HOUR);
      expect(ledger.events.filter((e) => e.action === 'update_missed')).toHaveLength(1);
      expect(await refusal(crisis.recover('mike'))).toMatchObject({ type: CaseFailure.conflict });
    }));

  it('closes only once the post-mortem is approved, a final statement is published and every action is done', () =>
    run(async (ctx) => {
      const { ledger, sleepUntil, now } = ctx;
      const crisis = await declareCrisis(ctx, { severity: 'general' });
      const key = (k: string) => `${crisis.caseId}:task:${k}`;
      await crisis.publish('holding', ['employees', 'customers', 'partners', 'suppliers']);

      expect(await refusal(crisis.recover('priya'))).toMatchObject({ type: CaseFailure.forbidden });
      expect(await refusal(crisis.submitPostMortem('mike'))).toMatchObject({ type: CaseFailure.conflict });
      const t = await now();
      expect(await refusal(crisis.addAction('sue', 'Call back key accounts', 'sam', t + DAY))).toMatchObject({ type: CaseFailure.forbidden });
      expect(await refusal(crisis.addAction('mike', 'Call back key accounts', 'sam', t - MIN))).toMatchObject({ type: CaseFailure.invalid, message: 'dueAt must be in the future' });
      const withAction = await crisis.addAction('mike', 'Call back key accounts', 'sam', t + DAY);
      const action = withAction.actions[0];
      expect(action).toMatchObject({ title: 'Call back key accounts', ownerId: 'sam', status: 'open', dueAt: iso(t + DAY) });
      expect(ledger.openTasks.find((x) => x.kind === 'crisis_action')).toMatchObject({ key: key(`action:${action.id}`), assigneeId: 'sam', dueAt: iso(t + DAY) });
      expect(ledger.latest.participants).toContain('sam');

      await crisis.recover('mike');
      expect(await refusal(crisis.submitPostMortem('sue'))).toMatchObject({ type: CaseFailure.forbidden });
      const review = await crisis.submitPostMortem('mike');
      expect(review).toMatchObject({ status: 'post_mortem_review', postMortem: { revision: 1, status: 'in_review', rootCause: 'An expired gateway certificate' } });
      expect(ledger.openTasks.find((x) => x.kind === 'approve_post_mortem')).toMatchObject({ key: key('post-mortem:1:grace'), assigneeId: 'grace' });

      expect(await refusal(crisis.decidePostMortem('mike', 'approve'))).toMatchObject({ type: CaseFailure.forbidden });
      expect(await refusal(crisis.decidePostMortem('grace', 'request_changes'))).toMatchObject({ type: CaseFailure.invalid });
      expect(await crisis.decidePostMortem('grace', 'request_changes', 'Name the monitoring gap')).toMatchObject({
        status: 'recovering',
        postMortem: { status: 'changes_requested' },
      });
      expect(await refusal(crisis.decidePostMortem('grace', 'approve'))).toMatchObject({ type: CaseFailure.conflict });
      await crisis.submitPostMortem('mike', ['Fail over automatically', 'Alert on certificate expiry']);
      // Approved first: the crisis waits for its final statement and the open action.
      const approved = await crisis.decidePostMortem('grace', 'approve', 'Good');
      expect(approved).toMatchObject({ status: 'recovering', postMortem: { revision: 2, status: 'approved', decisions: [{ by: 'grace' }, { by: 'grace' }] } });
      expect(await refusal(crisis.submitPostMortem('mike'))).toMatchObject({ type: CaseFailure.conflict });

      // The action goes overdue: owner and commander hear of it, once.
      await sleepUntil(t + DAY + MIN);
      const overdue = await ledger.waitForAction('crisis_action_overdue');
      expect(overdue.notifications.map((n) => [n.userId, n.kind])).toEqual([
        ['sam', 'crisis_action_overdue'],
        ['mike', 'crisis_action_overdue'],
      ]);
      await sleepUntil(t + 2 * DAY);
      expect(ledger.events.filter((e) => e.action === 'crisis_action_overdue')).toHaveLength(1);

      await crisis.publish('final', ['customers', 'employees']);
      expect((await crisis.state()).status).toBe('recovering');
      expect(await refusal(crisis.completeAction('mike', action.id))).toMatchObject({ type: CaseFailure.forbidden });
      const closed = await crisis.completeAction('sam', action.id, 'All 40 key accounts called');
      expect(closed).toMatchObject({ status: 'closed', actions: [{ status: 'done', completionNote: 'All 40 key accounts called' }] });
      expect(ledger.event('crisis_closed')).toMatchObject({ actorId: 'sam', fromStatus: 'recovering', toStatus: 'closed' });
      expect(ledger.openTasks).toEqual([]);
      expect(await crisis.result()).toEqual(closed);
    }));

  it('never lets the commander decide on their own post-mortem, and refuses it when no other executive can', () =>
    run(async (ctx) => {
      const crisis = await declareCrisis(ctx, { commanderId: 'grace' });
      await crisis.recover('grace');
      expect(await refusal(crisis.submitPostMortem('grace'))).toMatchObject({ type: CaseFailure.conflict, message: expect.stringContaining('no executive other than the commander') });
      expect((await crisis.state()).status).toBe('recovering');
    }));

  it('closes whatever the order: final statement and actions first, the post-mortem approval last', () =>
    run(async (ctx) => {
      const crisis = await declareCrisis(ctx, { commanderId: 'sue' }, { declaredBy: 'mike' });
      await crisis.publish('holding', ['employees']);
      await crisis.publish('final', ['employees', 'customers'], 'sue');
      await crisis.recover('sue');
      await crisis.submitPostMortem('sue');
      const closed = await crisis.decidePostMortem('grace', 'approve');
      expect(closed).toMatchObject({ status: 'closed' });
      expect(ctx.ledger.event('crisis_closed')).toMatchObject({ actorId: 'grace', fromStatus: 'recovering' });
      expect(await crisis.result()).toEqual(closed);
    }));

  it('continues as new past the history limit, carrying the whole state, and still closes', () =>
    run(async (ctx) => {
      const { ledger, sleepUntil } = ctx;
      const crisis = await declareCrisis(ctx, {}, { historyLimit: 40 });
      const firstRun = (await crisis.handle.describe()).runId;
      await crisis.publish('holding', ['employees', 'customers']);
      const h = at((await crisis.state()).holdingStatementPublishedAt);
      for (let i = 1; i <= 3; i++) {
        await sleepUntil(h + i * 4 * HOUR + MIN);
        await ledger.waitFor((c) => viewOf(c).updatesMissed >= i);
      }
      await crisis.publish('update', ['partners']);
      const before = await crisis.state();
      expect((await crisis.handle.describe()).runId).not.toBe(firstRun);
      expect(before.statements).toHaveLength(2);
      expect(before.updatesMissed).toBeGreaterThanOrEqual(3);
      expect(viewOf(ledger.latest)).toEqual(before);
      const ended = await env.client.workflow.getHandle(crisis.handle.workflowId, firstRun).query(crisisStateQuery);
      expect(ended.statements[0].status).toBe('published');

      await crisis.recover('mike');
      await crisis.submitPostMortem('mike');
      await crisis.decidePostMortem('grace', 'approve');
      expect((await crisis.state()).status).toBe('recovering');
      await crisis.publish('final', ['media']);
      expect(await crisis.result()).toMatchObject({ status: 'closed', statements: [{ kind: 'holding' }, { kind: 'update' }, { kind: 'final' }] });
    }));
});
