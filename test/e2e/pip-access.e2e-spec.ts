import { randomUUID } from 'node:crypto';
import { badTokens, detailFields, notificationsOf, tasksOf } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { DEMO_USERS, draftPip, getPip, listPips, pipAct, pipAudit, pipBody, PipView, readersOfBobsPlan } from '../support/pips';
import { startSteward, Steward } from '../support/steward';

/**
 * Who may call what on performance improvement plans: authentication (401), input naming every bad field (400),
 * who may act and segregation of duties (403), confidentiality (404 for everyone who may not see the plan, and
 * absent from their lists, tasks and notifications) and actions the plan's state does not accept (409).
 * Demo directory: bob manages alice, ivan and eve; bob's manager is sue; hank is HR; lena manages sam.
 */

jest.setTimeout(120_000);

describe('PIP access rules', () => {
  let s: Steward;
  /** alice's plan, drafted with an Idempotency-Key: waiting for HR. */
  let pending: PipView;
  /** eve's plan, approved and acknowledged: active. */
  let active: PipView;
  /** ivan's first plan: withdrawn by bob, its workflow finished. */
  let withdrawn: PipView;
  /** ivan's second plan: HR asked for changes. */
  let changes: PipView;
  const PENDING_KEY = `pip-alice-${randomUUID()}`;

  beforeAll(async () => {
    s = await startSteward();
    pending = await draftPip(s, 'bob', { employeeId: 'alice' }, PENDING_KEY);
    active = await draftPip(s, 'bob', { employeeId: 'eve' });
    await pipAct(s, active.id, 'decisions', 'hank', { decision: 'approve' });
    active = await pipAct(s, active.id, 'acknowledgement', 'eve', { acknowledged: true });
    withdrawn = await draftPip(s, 'bob', { employeeId: 'ivan' });
    withdrawn = await pipAct(s, withdrawn.id, 'withdraw', 'bob', { reason: 'Drafted in error' });
    changes = await draftPip(s, 'bob', { employeeId: 'ivan', reason: 'Second attempt' });
    changes = await pipAct(s, changes.id, 'decisions', 'hank', { decision: 'request_changes', comment: 'Goals need dates' });
  });
  afterAll(() => s.close());

  it('has its fixtures in the states the tests below rely on', () => {
    expect([pending.status, active.status, withdrawn.status, changes.status]).toEqual([
      'pending_hr_approval',
      'active',
      'withdrawn',
      'changes_requested',
    ]);
    expect(pending).toMatchObject({ employeeId: 'alice', managerId: 'bob', managersManagerId: 'sue', duration: 'P60D', checkInEvery: 'P14D', pendingApproval: 'plan' });
    expect(pending.approvalLevels).toEqual([expect.objectContaining({ name: 'hr', approvers: ['hank'], status: 'pending' })]);
    expect(active.acknowledgement).toMatchObject({ status: 'acknowledged' });
  });

  type Route = { label: string; method: 'get' | 'post'; path: (id: string) => string; body?: object };
  const ROUTES: Route[] = [
    { label: 'POST /pips', method: 'post', path: () => '/pips', body: pipBody() },
    { label: 'GET /pips', method: 'get', path: () => '/pips' },
    { label: 'GET /pips/:id', method: 'get', path: (id) => `/pips/${id}` },
    { label: 'GET /pips/:id/audit', method: 'get', path: (id) => `/pips/${id}/audit` },
    { label: 'POST /pips/:id/decisions', method: 'post', path: (id) => `/pips/${id}/decisions`, body: { decision: 'approve' } },
    { label: 'POST /pips/:id/revisions', method: 'post', path: (id) => `/pips/${id}/revisions`, body: { reason: 'Clearer goals' } },
    { label: 'POST /pips/:id/acknowledgement', method: 'post', path: (id) => `/pips/${id}/acknowledgement`, body: { acknowledged: true } },
    { label: 'POST /pips/:id/check-ins', method: 'post', path: (id) => `/pips/${id}/check-ins`, body: { goals: [{ index: 0, status: 'on_track' }], note: 'ok' } },
    { label: 'POST /pips/:id/midpoint-review', method: 'post', path: (id) => `/pips/${id}/midpoint-review`, body: { note: 'Half-way' } },
    { label: 'POST /pips/:id/comments', method: 'post', path: (id) => `/pips/${id}/comments`, body: { note: 'My view' } },
    { label: 'POST /pips/:id/outcome', method: 'post', path: (id) => `/pips/${id}/outcome`, body: { outcome: 'passed', note: 'Done' } },
    { label: 'POST /pips/:id/withdraw', method: 'post', path: (id) => `/pips/${id}/withdraw`, body: { reason: 'Not needed' } },
  ];
  const ID_ROUTES = ROUTES.filter((r) => r.path('X').includes('X'));
  const call = (r: Route, id: string) => (r.method === 'get' ? s.http.get(r.path(id)) : s.http.post(r.path(id)).send(r.body ?? {}));

  describe('authentication (401)', () => {
    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses a request without a token', async (_label, r) => {
      expectError(await call(r, active.id), 401);
    });

    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses a token signed with another secret', async (_label, r) => {
      expectError(await call(r, active.id).set('Authorization', `Bearer ${badTokens.wrongSecret('bob')}`), 401);
    });
  });

  describe('confidentiality: each demo user x each route of a plan', () => {
    const readers = readersOfBobsPlan('eve');
    const outsiders = DEMO_USERS.filter((u) => !readers.includes(u));

    it('the demo directory has both readers and outsiders of the plan', () => {
      expect(outsiders.length).toBeGreaterThan(10);
      expect(readers.every((r) => DEMO_USERS.includes(r))).toBe(true);
    });

    it.each(ID_ROUTES.map((r) => [r.label, r] as const))('%s: every outsider gets 404, as for an id that does not exist', async (_label, r) => {
      const statuses = await Promise.all(outsiders.map(async (u) => [u, (await call(r, active.id).set(s.as(u))).status] as const));
      expect(statuses.filter(([, status]) => status !== 404)).toEqual([]);
      const res = await call(r, active.id).set(s.as(outsiders[0]));
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: `pip ${active.id} not found`, details: [] });
    });

    it.each(ID_ROUTES.filter((r) => r.method === 'get').map((r) => [r.label, r] as const))('%s: every reader gets 200', async (_label, r) => {
      const statuses = await Promise.all(readers.map(async (u) => [u, (await call(r, active.id).set(s.as(u))).status] as const));
      expect(statuses).toEqual(readers.map((u) => [u, 200]));
    });

    it('outsiders acting on the plan change nothing', async () => {
      const before = await getPip(s, active.id);
      await Promise.all(outsiders.map((u) => s.http.post(`/pips/${active.id}/withdraw`).set(s.as(u)).send({ reason: 'x' }).expect(404)));
      expect(await getPip(s, active.id)).toEqual(before);
    });

    it('GET /pips shows each user exactly the plans they may see', async () => {
      const all = [pending, active, withdrawn, changes].map((p) => p.id);
      for (const u of DEMO_USERS) {
        const seen = (await listPips(s, '', u)).map((p) => p.id).filter((id) => all.includes(id));
        const expected = [pending, active, withdrawn, changes].filter((p) => readersOfBobsPlan(p.employeeId).includes(u)).map((p) => p.id);
        expect({ u, seen: seen.sort() }).toEqual({ u, seen: expected.sort() });
      }
    });

    it('tasks and notifications of a plan only ever reach the people who may see it', async () => {
      const byCase = new Map([pending, active, withdrawn, changes].map((p) => [p.id, readersOfBobsPlan(p.employeeId)]));
      for (const u of DEMO_USERS) {
        // Plans of this file only: other spec files run their own plans on the same database.
        const tasks = (await tasksOf(s, u)).filter((t) => byCase.has(t.caseId));
        const notes = (await notificationsOf(s, u)).filter((n) => byCase.has(n.caseId));
        for (const item of [...tasks, ...notes]) expect({ u, caseId: item.caseId, allowed: byCase.get(item.caseId)?.includes(u) }).toEqual({ u, caseId: item.caseId, allowed: true });
      }
      expect((await tasksOf(s, 'hank')).filter((t) => t.caseId === pending.id).map((t) => t.kind)).toEqual(['approve_pip']);
      expect((await tasksOf(s, 'bob')).filter((t) => t.caseId === changes.id).map((t) => t.kind)).toEqual(['revise_pip']);
    });

    it('an unknown id is 404 for HR too; a malformed id is 400 naming id', async () => {
      expectError(await s.http.get(`/pips/${randomUUID()}`).set(s.as('hank')), 404);
      expectInvalid(await s.http.get('/pips/not-a-uuid').set(s.as('hank')), 'id');
    });
  });

  describe('POST /pips', () => {
    const post = (userId: string, body: unknown, key?: string) => {
      const req = s.http.post('/pips').set(s.as(userId));
      if (key) req.set('Idempotency-Key', key);
      return req.send(body as object);
    };

    it('names every missing field (400)', async () => {
      expectInvalid(await post('bob', {}), 'employeeId', 'reason', 'goals', 'resources', 'support', 'duration', 'checkInEvery');
    });

    it('wants 1 to 10 goals, each with title, measure and target', async () => {
      expectInvalid(await post('bob', pipBody({ goals: [] })), 'goals');
      const goal = { title: 'g', measure: 'm', target: 't' };
      expectInvalid(await post('bob', pipBody({ goals: Array.from({ length: 11 }, () => goal) })), 'goals');
      const res = await post('bob', { ...pipBody(), goals: [goal, { title: 'g', measure: 'm' }] });
      expectInvalid(res, 'goals.1.target');
    });

    it("names duration outside the policy's bounds and checkInEvery not shorter than duration, both at once", async () => {
      const res = await post('bob', pipBody({ employeeId: 'ivan', duration: 'P10D', checkInEvery: 'P14D' }));
      expectInvalid(res, 'duration', 'checkInEvery');
      expectInvalid(await post('bob', pipBody({ employeeId: 'ivan', duration: 'P181D' })), 'duration');
      expectInvalid(await post('bob', pipBody({ employeeId: 'ivan', checkInEvery: 'P60D' })), 'checkInEvery');
      expectInvalid(await post('bob', pipBody({ employeeId: 'ivan', duration: 'two months', checkInEvery: 'weekly' })), 'duration', 'checkInEvery');
    });

    it('refuses unknown fields and unknown employees, naming them', async () => {
      expectInvalid(await post('bob', { ...pipBody(), salary: 1 }), 'salary');
      expectInvalid(await post('bob', pipBody({ employeeId: 'nobody' })), 'employeeId');
    });

    it("403 for anyone but the employee's manager, whatever their roles", async () => {
      for (const u of ['alice', 'sue', 'hank', 'lena', 'root']) {
        const res = await post(u, pipBody({ employeeId: 'alice' }));
        expect({ u, status: res.status }).toEqual({ u, status: 403 });
      }
    });

    it('409 while the employee has an open plan; a repeat with the first Idempotency-Key returns the first plan', async () => {
      const res = await post('bob', pipBody({ employeeId: 'alice' }));
      expectError(res, 409);
      expect(res.body.message).toContain(pending.id);
      const replay = await post('bob', pipBody({ employeeId: 'alice' }), PENDING_KEY);
      expect(replay.status).toBe(201);
      expect(replay.body.id).toBe(pending.id);
      expectError(await post('bob', pipBody({ employeeId: 'ivan' })), 409);
    });

    it('a plan that ended does not block a new one', async () => {
      // ivan's first plan was withdrawn, and his second (changes requested) was drafted after it.
      expect(changes.employeeId).toBe('ivan');
      expect((await listPips(s, 'employeeId=ivan', 'hank')).map((p) => p.status).sort()).toEqual(['changes_requested', 'withdrawn']);
    });

    it('two drafts for the same employee at once: exactly one is created, the other is 409', async () => {
      const results = await Promise.all([1, 2, 3].map((n) => post('lena', pipBody({ employeeId: 'sam', reason: `Race ${n}` }))));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      expect((await listPips(s, 'employeeId=sam', 'hank')).map((p) => p.status)).toEqual(['pending_hr_approval']);
    });
  });

  describe('decisions', () => {
    it('the manager never approves their own plan, even holding hr; the employee and non-approvers cannot either (403)', async () => {
      for (const u of ['bob', 'alice', 'sue']) {
        const res = await s.http.post(`/pips/${pending.id}/decisions`).set(s.as(u)).send({ decision: 'approve' });
        expect({ u, status: res.status }).toEqual({ u, status: 403 });
      }
      const res = await s.http.post(`/pips/${pending.id}/decisions`).set(s.as('bob')).send({ decision: 'approve' });
      expect(res.body.message).toMatch(/segregation of duties/);
    });

    it('a rejection or a request for changes needs a comment (400); a bad decision is named', async () => {
      expectInvalid(await s.http.post(`/pips/${pending.id}/decisions`).set(s.as('hank')).send({ decision: 'reject' }), 'comment');
      expectInvalid(await s.http.post(`/pips/${pending.id}/decisions`).set(s.as('hank')).send({ decision: 'maybe' }), 'decision');
    });

    it('409 when no approval is pending', async () => {
      expectError(await s.http.post(`/pips/${active.id}/decisions`).set(s.as('hank')).send({ decision: 'approve' }), 409);
      expectError(await s.http.post(`/pips/${withdrawn.id}/decisions`).set(s.as('hank')).send({ decision: 'approve' }), 409);
    });
  });

  describe('revisions', () => {
    it('only the manager revises (403), only while changes are requested (409), naming every bad field (400)', async () => {
      expectError(await s.http.post(`/pips/${changes.id}/revisions`).set(s.as('hank')).send({ reason: 'x' }), 403);
      expectError(await s.http.post(`/pips/${changes.id}/revisions`).set(s.as('ivan')).send({ reason: 'x' }), 403);
      expectError(await s.http.post(`/pips/${pending.id}/revisions`).set(s.as('bob')).send({ reason: 'x' }), 409);
      expectInvalid(await s.http.post(`/pips/${changes.id}/revisions`).set(s.as('bob')).send({ duration: 'P10D', checkInEvery: 'P20D' }), 'duration', 'checkInEvery');
      expectInvalid(await s.http.post(`/pips/${changes.id}/revisions`).set(s.as('bob')).send({ employeeId: 'eve' }), 'employeeId');
    });
  });

  describe('acknowledgement', () => {
    it('only the employee (403), only while awaiting it (409); a refusal needs a comment (400)', async () => {
      expectError(await s.http.post(`/pips/${pending.id}/acknowledgement`).set(s.as('alice')).send({ acknowledged: true }), 409);
      expectError(await s.http.post(`/pips/${active.id}/acknowledgement`).set(s.as('bob')).send({ acknowledged: true }), 403);
      expectInvalid(await s.http.post(`/pips/${active.id}/acknowledgement`).set(s.as('eve')).send({ acknowledged: false }), 'comment');
      expectInvalid(await s.http.post(`/pips/${active.id}/acknowledgement`).set(s.as('eve')).send({ acknowledged: 'yes' }), 'acknowledged');
    });
  });

  describe('check-ins', () => {
    it('names every goal index outside the plan (400)', async () => {
      const res = await s.http
        .post(`/pips/${active.id}/check-ins`)
        .set(s.as('bob'))
        .send({ goals: [{ index: 0, status: 'met' }, { index: 2, status: 'at_risk' }, { index: 7, status: 'met' }], note: 'x' });
      expectInvalid(res, 'goals[1].index', 'goals[2].index');
      expect(detailFields(res)).not.toContain('goals[0].index');
      expectInvalid(await s.http.post(`/pips/${active.id}/check-ins`).set(s.as('bob')).send({ goals: [{ index: 0, status: 'great' }], note: 'x' }), 'goals.0.status');
      expectInvalid(await s.http.post(`/pips/${active.id}/check-ins`).set(s.as('bob')).send({ goals: [], note: 'x' }), 'goals');
    });

    it('only the manager (403), only while active (409); the check-in is recorded', async () => {
      expectError(await s.http.post(`/pips/${active.id}/check-ins`).set(s.as('hank')).send({ goals: [{ index: 0, status: 'met' }], note: 'x' }), 403);
      expectError(await s.http.post(`/pips/${active.id}/check-ins`).set(s.as('eve')).send({ goals: [{ index: 0, status: 'met' }], note: 'x' }), 403);
      expectError(await s.http.post(`/pips/${pending.id}/check-ins`).set(s.as('bob')).send({ goals: [{ index: 0, status: 'met' }], note: 'x' }), 409);
      const view = await pipAct(s, active.id, 'check-ins', 'bob', { goals: [{ index: 1, status: 'at_risk' }], note: 'Reviews still slow' });
      expect(view.checkIns).toEqual([expect.objectContaining({ number: null, status: 'recorded', goals: [{ index: 1, status: 'at_risk' }] })]);
    });
  });

  describe('mid-point review, comments, outcome, withdrawal', () => {
    it('the mid-point review opens half-way (409 before), never for the employee (403)', async () => {
      expectError(await s.http.post(`/pips/${active.id}/midpoint-review`).set(s.as('bob')).send({ note: 'x' }), 409);
      expectError(await s.http.post(`/pips/${active.id}/midpoint-review`).set(s.as('eve')).send({ note: 'x' }), 403);
      expectInvalid(await s.http.post(`/pips/${active.id}/midpoint-review`).set(s.as('bob')).send({}), 'note');
    });

    it('the employee comments while the plan is open; nobody else does (403); not once it ended (409)', async () => {
      const view = await pipAct(s, active.id, 'comments', 'eve', { note: 'I asked for pairing twice' });
      expect(view.comments).toEqual([expect.objectContaining({ by: 'eve', note: 'I asked for pairing twice' })]);
      expectError(await s.http.post(`/pips/${active.id}/comments`).set(s.as('bob')).send({ note: 'x' }), 403);
      expectError(await s.http.post(`/pips/${withdrawn.id}/comments`).set(s.as('ivan')).send({ note: 'x' }), 409);
    });

    it('the outcome waits for the final review (409), is the manager\'s (403), and is one of three (400)', async () => {
      expectError(await s.http.post(`/pips/${active.id}/outcome`).set(s.as('bob')).send({ outcome: 'passed', note: 'x' }), 409);
      expectError(await s.http.post(`/pips/${active.id}/outcome`).set(s.as('hank')).send({ outcome: 'passed', note: 'x' }), 403);
      expectInvalid(await s.http.post(`/pips/${active.id}/outcome`).set(s.as('bob')).send({ outcome: 'great', note: 'x', extension: 'soon' }), 'outcome', 'extension');
    });

    it('the manager or HR withdraws; not the employee nor the manager\'s manager (403); not twice (409)', async () => {
      expectError(await s.http.post(`/pips/${pending.id}/withdraw`).set(s.as('alice')).send({ reason: 'x' }), 403);
      expectError(await s.http.post(`/pips/${pending.id}/withdraw`).set(s.as('sue')).send({ reason: 'x' }), 403);
      expectInvalid(await s.http.post(`/pips/${pending.id}/withdraw`).set(s.as('bob')).send({}), 'reason');
      expectError(await s.http.post(`/pips/${withdrawn.id}/withdraw`).set(s.as('bob')).send({ reason: 'x' }), 409);
    });
  });

  describe('reads', () => {
    it("the audit trail tells the plan's story to its readers, oldest first", async () => {
      const events = await pipAudit(s, withdrawn.id, 'ivan');
      expect(events.map((e) => e.action)).toEqual(['pip_drafted', 'approval_level_started', 'pip_withdrawn']);
      expect(events.at(-1)).toMatchObject({ actorId: 'bob', fromStatus: 'pending_hr_approval', toStatus: 'withdrawn', data: { reason: 'Drafted in error' } });
    });

    it('lists filter by status and employee; a bad status is 400', async () => {
      expect((await listPips(s, 'status=active&employeeId=eve', 'hank')).map((p) => p.id)).toEqual([active.id]);
      expect((await listPips(s, 'status=withdrawn', 'bob')).map((p) => p.id)).toEqual([withdrawn.id]);
      expect((await listPips(s, 'employeeId=alice', 'sue')).map((p) => p.id)).toEqual([pending.id]);
      expect(await listPips(s, 'employeeId=alice', 'carol')).toEqual([]);
      expectInvalid(await s.http.get('/pips?status=open').set(s.as('hank')), 'status');
      expectInvalid(await s.http.get('/pips?limit=500').set(s.as('hank')), 'limit');
    });

    it('OpenAPI documents the response of every PIP route', async () => {
      const doc = (await s.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: unknown }> }>> };
      const pipPaths = Object.entries(doc.paths).filter(([p]) => p.startsWith('/pips'));
      const routes = pipPaths.flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ route: `${m} ${p}`, documented: Object.values(op.responses).some((r) => r.content) })));
      expect(routes).toHaveLength(ROUTES.length);
      expect(routes.filter((r) => !r.documented)).toEqual([]);
    });
  });
});
