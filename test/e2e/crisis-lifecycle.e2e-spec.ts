import { DEFAULT_CRISIS_POLICY } from '@steward/domain';
import { eventually, notificationsOf, tasksOf } from '../support/change-requests';
import {
  ActionView,
  crisisAudit,
  crisisBody,
  crisisPost,
  CrisisView,
  declareCrisis,
  decideStatement,
  draftStatement,
  getCrisis,
  publishStatement,
  StatementView,
  writeCrisisPolicyFile,
} from '../support/crises';
import { startSteward, Steward } from '../support/steward';

/**
 * A crisis through the real API, worker, Postgres and Temporal: declaration to close, with the tasks,
 * notifications and audit trail each step leaves; idempotent declaration; the policy's deadlines firing live
 * (a policy in seconds); and a bad CRISIS_POLICY_FILE stopping the boot.
 */

jest.setTimeout(90_000);

describe('crisis lifecycle', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward({ CRISIS_POLICY_FILE: writeCrisisPolicyFile() });
  });
  afterAll(() => s.close());

  it('runs one crisis from declaration to close', async () => {
    // sue declares a major crisis: the holding statement is due in 24 h, each group has its notice.
    const t0 = Date.now();
    const declared = await declareCrisis(s, 'sue');
    expect(declared).toMatchObject({
      status: 'active',
      severity: 'major',
      declaredBy: 'sue',
      commanderId: 'mike',
      commsLeadId: 'priya',
      legalId: 'leo',
      statements: [],
      awaiting: ['post_mortem_approved', 'final_statement_published'],
    });
    const due = Date.parse(declared.holdingStatementDueAt) - Date.parse(declared.createdAt);
    expect(due).toBe(24 * 3_600_000);
    expect(Date.parse(declared.createdAt)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(declared.notices.map((n) => [n.group, n.status])).toEqual(
      ['employees', 'customers', 'partners', 'suppliers', 'regulators', 'media'].map((g) => [g, 'pending']),
    );
    const id = declared.id;
    for (const who of ['mike', 'priya', 'leo', 'grace']) {
      expect((await notificationsOf(s, who)).filter((n) => n.caseId === id).map((n) => n.kind)).toEqual(['crisis_declared']);
    }
    expect(await getCrisis(s, id, 'grace')).toEqual(declared);

    // The commander drafts the holding statement; only priya and leo can approve it.
    const holding = await draftStatement(s, id, 'mike', 'holding', ['employees', 'customers', 'partners', 'media']);
    expect(holding).toMatchObject({ crisisId: id, crisisStatus: 'active', status: 'pending_approval', approvers: ['priya', 'leo'], draftedBy: 'mike' });
    for (const who of ['priya', 'leo']) {
      expect((await tasksOf(s, who)).filter((t) => t.caseId === id)).toEqual([expect.objectContaining({ caseType: 'crisis', kind: 'approve_statement' })]);
    }
    await s.http.post(`/crises/${id}/statements/${holding.id}/decisions`).set(s.as('mike')).send({ decision: 'approve' }).expect(403);
    expect(await decideStatement(s, id, holding.id, 'leo', 'approve', 'No admission of liability')).toMatchObject({ status: 'pending_approval', publishedAt: null });
    const out = await decideStatement(s, id, holding.id, 'priya');
    expect(out).toMatchObject({ status: 'published', publishedAt: expect.any(String) });
    let crisis = await getCrisis(s, id);
    expect(crisis).toMatchObject({ holdingStatementPublishedAt: out.publishedAt, holdingStatementOverdueAt: null, nextUpdateDueAt: expect.any(String) });
    expect(crisis.notices.filter((n) => n.status === 'sent').map((n) => n.group)).toEqual(['employees', 'customers', 'partners', 'media']);
    expect((await tasksOf(s, 'priya')).filter((t) => t.caseId === id).map((t) => t.kind)).toEqual(['crisis_update_due']);
    expect((await tasksOf(s, 'leo')).filter((t) => t.caseId === id)).toEqual([]);

    // A rejected update, then one both approve: suppliers and regulators are told.
    const draft = await draftStatement(s, id, 'priya', 'update', ['suppliers', 'regulators'], 'Refunds will follow');
    expect(await decideStatement(s, id, draft.id, 'leo', 'reject', 'We have not agreed refunds')).toMatchObject({ status: 'rejected' });
    await publishStatement(s, id, 'update', ['suppliers', 'regulators']);
    const statements = (await s.http.get(`/crises/${id}/statements`).set(s.as('leo')).expect(200)).body as { items: StatementView[]; nextCursor: string | null };
    expect(statements.items.map((x) => [x.number, x.kind, x.status])).toEqual([
      [1, 'holding', 'published'],
      [2, 'update', 'rejected'],
      [3, 'update', 'published'],
    ]);
    expect(statements.nextCursor).toBeNull();
    const page = (await s.http.get(`/crises/${id}/statements?limit=2`).set(s.as('leo')).expect(200)).body as { items: StatementView[]; nextCursor: string };
    const next = (await s.http.get(`/crises/${id}/statements?limit=2&cursor=${page.nextCursor}`).set(s.as('leo')).expect(200)).body as { items: StatementView[] };
    expect([...page.items, ...next.items].map((x) => x.number)).toEqual([1, 2, 3]);
    expect((await getCrisis(s, id)).notices.every((n) => n.status === 'sent')).toBe(true);

    // Aftercare: an action for sam; recovery ends the update cadence.
    const action = await crisisPost<ActionView>(s, id, 'actions', 'mike', { title: 'Call back key accounts', ownerId: 'sam', dueAt: new Date(Date.now() + 86_400_000).toISOString() }, 201);
    expect(action).toMatchObject({ crisisId: id, status: 'open', ownerId: 'sam' });
    expect((await tasksOf(s, 'sam')).filter((t) => t.caseId === id).map((t) => t.kind)).toEqual(['crisis_action']);
    crisis = await crisisPost(s, id, 'recovery', 'mike', { note: 'Card payments restored' });
    expect(crisis).toMatchObject({ status: 'recovering', nextUpdateDueAt: null });
    expect((await tasksOf(s, 'priya')).filter((t) => t.caseId === id)).toEqual([]);

    // The post-mortem: grace asks for changes, then approves; the crisis waits for its final statement and sam.
    crisis = await crisisPost(s, id, 'post-mortem', 'mike', { summary: 'Four hours without card payments', rootCause: 'Expired certificate', lessons: ['Alert on expiry'] });
    expect(crisis).toMatchObject({ status: 'post_mortem_review', postMortem: { status: 'in_review', revision: 1 } });
    expect((await tasksOf(s, 'grace')).filter((t) => t.caseId === id).map((t) => t.kind)).toEqual(['approve_post_mortem']);
    crisis = await crisisPost(s, id, 'post-mortem/decisions', 'grace', { decision: 'request_changes', comment: 'Add the timeline' });
    expect(crisis).toMatchObject({ status: 'recovering', postMortem: { status: 'changes_requested' } });
    await crisisPost(s, id, 'post-mortem', 'mike', { summary: 'Four hours without card payments', rootCause: 'Expired certificate', lessons: ['Alert on expiry', 'Timeline: 08:00-12:00'] });
    crisis = await crisisPost(s, id, 'post-mortem/decisions', 'grace', { decision: 'approve', comment: 'Thorough' });
    expect(crisis).toMatchObject({ status: 'recovering', postMortem: { status: 'approved', revision: 2 }, awaiting: ['final_statement_published', 'actions_complete'] });

    await publishStatement(s, id, 'final', ['employees', 'customers', 'partners', 'suppliers', 'regulators', 'media']);
    expect((await getCrisis(s, id)).awaiting).toEqual(['actions_complete']);
    const done = await crisisPost<ActionView>(s, id, `actions/${action.id}/complete`, 'sam', { note: 'All 40 accounts called' });
    expect(done).toMatchObject({ status: 'done', crisisStatus: 'closed' });
    crisis = await getCrisis(s, id, 'sue');
    expect(crisis).toMatchObject({ status: 'closed', closedAt: expect.any(String), awaiting: [] });
    for (const who of ['mike', 'priya', 'leo', 'sam', 'grace']) expect((await tasksOf(s, who)).filter((t) => t.caseId === id)).toEqual([]);

    const trail = await crisisAudit(s, id, 'sue');
    expect(trail.map((e) => e.action)).toEqual([
      'crisis_declared',
      'statement_drafted',
      'statement_decision',
      'statement_decision',
      'statement_published',
      'statement_drafted',
      'statement_decision',
      'statement_rejected',
      'statement_drafted',
      'statement_decision',
      'statement_decision',
      'statement_published',
      'crisis_action_added',
      'crisis_recovery_started',
      'post_mortem_submitted',
      'post_mortem_changes_requested',
      'post_mortem_submitted',
      'post_mortem_approved',
      'statement_drafted',
      'statement_decision',
      'statement_decision',
      'statement_published',
      'crisis_action_completed',
      'crisis_closed',
    ]);
    expect(trail[0]).toMatchObject({ actorId: 'sue', fromStatus: null, toStatus: 'active' });
    expect(trail.at(-1)).toMatchObject({ actorId: 'sam', fromStatus: 'recovering', toStatus: 'closed' });
    expect(trail.slice(1).every((e, i) => e.seq > trail[i].seq)).toBe(true);
  });

  it('shows the response type of every crisis route in the OpenAPI document', async () => {
    const doc = (await s.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }> }>>;
    };
    const routes = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/crises'))
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => {
          const ok = op.responses['200'] ?? op.responses['201'];
          return [`${method.toUpperCase()} ${path}`, ok?.content?.['application/json']?.schema?.$ref?.split('/').at(-1)];
        }),
      );
    expect(Object.fromEntries(routes)).toEqual({
      'POST /crises': 'CrisisResponseDto',
      'GET /crises': 'CrisisPageDto',
      'GET /crises/{id}': 'CrisisResponseDto',
      'GET /crises/{id}/audit': 'CrisisAuditPageDto',
      'GET /crises/{id}/statements': 'StatementPageDto',
      'POST /crises/{id}/statements': 'CrisisStatementDto',
      'POST /crises/{id}/statements/{statementId}/decisions': 'CrisisStatementDto',
      'POST /crises/{id}/recovery': 'CrisisResponseDto',
      'POST /crises/{id}/actions': 'CrisisActionResultDto',
      'POST /crises/{id}/actions/{actionId}/complete': 'CrisisActionResultDto',
      'POST /crises/{id}/post-mortem': 'CrisisResponseDto',
      'POST /crises/{id}/post-mortem/decisions': 'CrisisResponseDto',
    });
  });

  it('declares once per Idempotency-Key', async () => {
    const key = `crisis-${Date.now()}`;
    const first = await s.http.post('/crises').set(s.as('mike')).set('Idempotency-Key', key).send(crisisBody({ title: 'Warehouse fire', commanderId: 'sue' })).expect(201);
    const again = await s.http.post('/crises').set(s.as('mike')).set('Idempotency-Key', key).send(crisisBody({ title: 'Warehouse fire', commanderId: 'sue' })).expect(201);
    expect(again.body.id).toBe(first.body.id);
    const listed = (await s.http.get('/crises?limit=200').set(s.as('mike')).expect(200)).body.items as CrisisView[];
    expect(listed.filter((c) => c.title === 'Warehouse fire')).toHaveLength(1);
  });
});

describe('crisis deadlines, live (a policy in seconds)', () => {
  let s: Steward;
  const policy = {
    ...DEFAULT_CRISIS_POLICY,
    holdingStatementWithin: 'PT6S',
    holdingReminders: [0.5],
    updateEvery: { major: 'PT4S', general: 'PT1H' },
    stakeholders: { ...DEFAULT_CRISIS_POLICY.stakeholders, employees: { major: 'PT2S', general: 'PT8H' } },
  };
  beforeAll(async () => {
    s = await startSteward({ CRISIS_POLICY_FILE: writeCrisisPolicyFile(policy) });
  });
  afterAll(() => s.close());

  it('reminds the comms lead, turns the employees notice overdue, and at the deadline gives the executive a task', async () => {
    const c = await declareCrisis(s, 'sue');
    expect(Date.parse(c.holdingStatementDueAt) - Date.parse(c.createdAt)).toBe(6000);
    await eventually(async () => {
      const kinds = (await notificationsOf(s, 'priya')).filter((n) => n.caseId === c.id).map((n) => n.kind);
      expect(kinds).toEqual(expect.arrayContaining(['crisis_notice_overdue', 'crisis_holding_reminder']));
    });
    expect((await notificationsOf(s, 'mike')).filter((n) => n.caseId === c.id).map((n) => n.kind)).toContain('crisis_notice_overdue');
    await eventually(async () => expect((await tasksOf(s, 'grace')).filter((t) => t.caseId === c.id).map((t) => t.kind)).toEqual(['crisis_holding_overdue']));
    const view = await getCrisis(s, c.id);
    expect(view.holdingStatementOverdueAt).toBe(c.holdingStatementDueAt);
    expect(view.notices.find((n) => n.group === 'employees')).toMatchObject({ status: 'overdue', overdueAt: c.notices[0].dueAt });
    const actions = (await crisisAudit(s, c.id)).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['notice_overdue', 'holding_statement_reminder', 'holding_statement_overdue']));

    // The late holding statement closes grace's task and starts the update cadence; a missed update tells mike.
    await publishStatement(s, c.id, 'holding', ['employees', 'customers']);
    expect((await tasksOf(s, 'grace')).filter((t) => t.caseId === c.id)).toEqual([]);
    await eventually(async () => {
      expect((await notificationsOf(s, 'mike')).filter((n) => n.caseId === c.id).map((n) => n.kind)).toContain('crisis_update_missed');
    });
    expect((await getCrisis(s, c.id)).updatesMissed).toBeGreaterThanOrEqual(1);
    await crisisPost(s, c.id, 'recovery', 'mike', { note: 'Stable' });
  });
});

describe('an invalid CRISIS_POLICY_FILE', () => {
  // The real boot (createApiApp) rejects with the configuration error instead of exiting the process.
  it('stops the API boot naming the variable and every bad entry', async () => {
    const file = writeCrisisPolicyFile({
      ...DEFAULT_CRISIS_POLICY,
      holdingStatementWithin: '24 hours',
      stakeholders: { ...DEFAULT_CRISIS_POLICY.stakeholders, media: { major: 'soon', general: null } },
    });
    const error = await startSteward({ CRISIS_POLICY_FILE: file }, { worker: false }).then(
      () => null,
      (e: Error & { problems?: string[] }) => e,
    );
    expect(error).toMatchObject({ name: 'ConfigError' });
    expect(error?.problems).toEqual([
      expect.stringMatching(/^CRISIS_POLICY_FILE .*: holdingStatementWithin: "24 hours" is not a positive ISO 8601 duration/),
      expect.stringMatching(/^CRISIS_POLICY_FILE .*: stakeholders\.media\.major: "soon" is not a positive ISO 8601 duration/),
    ]);
  });

  it('stops the boot when the file is not JSON', async () => {
    await expect(startSteward({ CRISIS_POLICY_FILE: writeCrisisPolicyFile('{ not json') }, { worker: false })).rejects.toThrow(/CRISIS_POLICY_FILE/);
  });
});
