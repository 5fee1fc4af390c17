import { randomUUID } from 'node:crypto';
import { badTokens, detailFields } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import {
  ActionView,
  crisisBody,
  crisisPost,
  CrisisView,
  declareCrisis,
  decideStatement,
  draftStatement,
  getCrisis,
  publishStatement,
  StatementView,
} from '../support/crises';
import { startSteward, Steward } from '../support/steward';

/**
 * Who may call what on crises, and what a refusal looks like: authentication (401), input naming the field
 * (400), permissions, one voice and segregation of duties (403), unknown ids (404) and actions the crisis's
 * state does not accept (409).
 */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

const inADay = () => new Date(Date.now() + 86_400_000).toISOString();

describe('crisis access rules', () => {
  let s: Steward;
  /** Declared by sue, commanded by mike: holding statement published, an update waiting for approval, sam's action open. */
  let active: CrisisView;
  let published: StatementView;
  let pending: StatementView;
  let openAction: ActionView;
  let doneAction: ActionView;
  /** Declared by mike, commanded by sue: recovering, post-mortem not yet written. */
  let recovering: CrisisView;
  /** Everything done: closed, its workflow finished. */
  let closed: CrisisView;

  beforeAll(async () => {
    s = await startSteward();
    active = await declareCrisis(s, 'sue');
    published = await publishStatement(s, active.id, 'holding', ['employees', 'customers']);
    pending = await draftStatement(s, active.id, 'priya', 'update', ['partners']);
    openAction = await crisisPost<ActionView>(s, active.id, 'actions', 'mike', { title: 'Call back key accounts', ownerId: 'sam', dueAt: inADay() }, 201);
    doneAction = await crisisPost<ActionView>(s, active.id, 'actions', 'mike', { title: 'Brief the staff', ownerId: 'ivan', dueAt: inADay() }, 201);
    doneAction = await crisisPost<ActionView>(s, active.id, `actions/${doneAction.id}/complete`, 'ivan', { note: 'Town hall held' });
    active = await getCrisis(s, active.id);

    recovering = await declareCrisis(s, 'mike', { commanderId: 'sue', severity: 'general', title: 'Supplier recall' });
    recovering = await crisisPost(s, recovering.id, 'recovery', 'sue', { note: 'Recalled goods are off the shelves' });

    closed = await declareCrisis(s, 'grace', { title: 'Data leak', commanderId: 'sue', severity: 'general' });
    await publishStatement(s, closed.id, 'final', ['employees', 'customers', 'partners', 'suppliers']);
    await crisisPost(s, closed.id, 'recovery', 'sue', { note: 'Leak closed' });
    await crisisPost(s, closed.id, 'post-mortem', 'sue', { summary: 'A bucket was public', rootCause: 'No review of bucket policies', lessons: ['Review policies'] });
    closed = await crisisPost(s, closed.id, 'post-mortem/decisions', 'grace', { decision: 'approve' });
  });
  afterAll(() => s.close());

  it('has its fixtures in the states the tests below rely on', () => {
    expect([active.status, recovering.status, closed.status]).toEqual(['active', 'recovering', 'closed']);
    expect([published.status, pending.status, openAction.status, doneAction.status]).toEqual(['published', 'pending_approval', 'open', 'done']);
  });

  type Route = { label: string; method: 'get' | 'post'; path: (id: string) => string; body?: object };
  /** Every crisis route, with a body each would accept. */
  const ROUTES: Route[] = [
    { label: 'POST /crises', method: 'post', path: () => '/crises', body: crisisBody() },
    { label: 'GET /crises', method: 'get', path: () => '/crises' },
    { label: 'GET /crises/:id', method: 'get', path: (id) => `/crises/${id}` },
    { label: 'GET /crises/:id/audit', method: 'get', path: (id) => `/crises/${id}/audit` },
    { label: 'GET /crises/:id/statements', method: 'get', path: (id) => `/crises/${id}/statements` },
    { label: 'POST /crises/:id/statements', method: 'post', path: (id) => `/crises/${id}/statements`, body: { kind: 'update', audience: ['media'], text: 'x' } },
    {
      label: 'POST /crises/:id/statements/:statementId/decisions',
      method: 'post',
      path: (id) => `/crises/${id}/statements/${pending?.id}/decisions`,
      body: { decision: 'approve' },
    },
    { label: 'POST /crises/:id/recovery', method: 'post', path: (id) => `/crises/${id}/recovery`, body: { note: 'x' } },
    { label: 'POST /crises/:id/actions', method: 'post', path: (id) => `/crises/${id}/actions`, body: { title: 'x', ownerId: 'sam', dueAt: inADay() } },
    { label: 'POST /crises/:id/actions/:actionId/complete', method: 'post', path: (id) => `/crises/${id}/actions/${openAction?.id}/complete`, body: { note: 'x' } },
    { label: 'POST /crises/:id/post-mortem', method: 'post', path: (id) => `/crises/${id}/post-mortem`, body: { summary: 'x', rootCause: 'y', lessons: ['z'] } },
    { label: 'POST /crises/:id/post-mortem/decisions', method: 'post', path: (id) => `/crises/${id}/post-mortem/decisions`, body: { decision: 'approve' } },
  ];
  const ID_ROUTES = ROUTES.filter((r) => r.path('X').includes('X'));
  const call = (r: Route, id: string) => (r.method === 'get' ? s.http.get(r.path(id)) : s.http.post(r.path(id)).send(r.body ?? {}));

  describe('authentication (401)', () => {
    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses a request without a token', async (_label, r) => {
      expectError(await call(r, active.id), 401);
    });

    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses a token signed with another secret', async (_label, r) => {
      expectError(await call(r, active.id).set('Authorization', `Bearer ${badTokens.wrongSecret('mike')}`), 401);
    });

    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses an expired token and one whose sub is not in the directory', async (_label, r) => {
      expectError(await call(r, active.id).set('Authorization', `Bearer ${badTokens.expired('mike', s.config.jwtSecret)}`), 401);
      expectError(await call(r, active.id).set('Authorization', `Bearer ${badTokens.unknownUser(s.config.jwtSecret)}`), 401);
    });
  });

  describe('POST /crises input (400)', () => {
    const post = (body: unknown) => s.http.post('/crises').set(s.as('sue')).send(body as object);

    it('names every missing field', async () => {
      expectInvalid(await post({}), 'title', 'description', 'severity', 'category', 'commanderId', 'commsLeadId', 'legalId');
    });

    it("refuses severity 'critical' and an unknown field, naming them", async () => {
      const res = await post({ ...crisisBody(), severity: 'critical', urgent: true });
      expectInvalid(res, 'severity', 'urgent');
    });

    it('names a commander who is not in the directory', async () => {
      const res = await post(crisisBody({ commanderId: 'nobody' }));
      expectInvalid(res, 'commanderId');
      expect(detailFields(res)).toEqual(['commanderId']);
    });

    it('names a comms lead without the comms role and legal without the legal role, at once', async () => {
      const res = await post(crisisBody({ commsLeadId: 'leo', legalId: 'priya' }));
      expectInvalid(res, 'commsLeadId', 'legalId');
      expect(res.body.message).toMatch(/commsLeadId leo does not have the role comms/);
      expect(res.body.message).toMatch(/legalId priya does not have the role legal/);
    });

    it('names an unknown comms lead and an unknown legal', async () => {
      expectInvalid(await post(crisisBody({ commsLeadId: 'ghost', legalId: 'phantom' })), 'commsLeadId', 'legalId');
    });

    it('refuses malformed JSON with a 400, never a 500', async () => {
      const res = await s.http.post('/crises').set(s.as('sue')).set('Content-Type', 'application/json').send('{"title": ');
      expectError(res, 400);
    });
  });

  describe('input of the actions (400)', () => {
    it('names a bad statement kind, an unknown group and a missing text', async () => {
      const res = await s.http.post(`/crises/${active.id}/statements`).set(s.as('priya')).send({ kind: 'tweet', audience: ['investors'] });
      expectInvalid(res, 'kind', 'audience', 'text');
    });

    it('refuses an empty audience', async () => {
      expectInvalid(await s.http.post(`/crises/${active.id}/statements`).set(s.as('priya')).send({ kind: 'update', audience: [], text: 'x' }), 'audience');
    });

    it('wants a comment to reject a statement', async () => {
      const res = await s.http.post(`/crises/${active.id}/statements/${pending.id}/decisions`).set(s.as('leo')).send({ decision: 'reject' });
      expectInvalid(res, 'comment');
      expect((await getCrisis(s, active.id)).statements.find((x) => x.id === pending.id)?.status).toBe('pending_approval');
    });

    it("refuses decision 'publish', naming decision", async () => {
      expectInvalid(await s.http.post(`/crises/${active.id}/statements/${pending.id}/decisions`).set(s.as('leo')).send({ decision: 'publish' }), 'decision');
    });

    it('names an unknown action owner and a due date in the past', async () => {
      const res = await s.http
        .post(`/crises/${active.id}/actions`)
        .set(s.as('mike'))
        .send({ title: 'Call back', ownerId: 'nobody', dueAt: new Date(Date.now() - 60_000).toISOString() });
      expectInvalid(res, 'ownerId', 'dueAt');
    });

    it('names a dueAt that is not a date', async () => {
      expectInvalid(await s.http.post(`/crises/${active.id}/actions`).set(s.as('mike')).send({ title: 'x', ownerId: 'sam', dueAt: 'tomorrow' }), 'dueAt');
    });

    it('wants a note to start recovery', async () => {
      expectInvalid(await s.http.post(`/crises/${active.id}/recovery`).set(s.as('mike')).send({}), 'note');
    });

    it('wants at least one lesson in the post-mortem, and a comment to request changes', async () => {
      expectInvalid(await s.http.post(`/crises/${recovering.id}/post-mortem`).set(s.as('sue')).send({ summary: 'x', rootCause: 'y', lessons: [] }), 'lessons');
      expectInvalid(await s.http.post(`/crises/${recovering.id}/post-mortem`).set(s.as('sue')).send({ summary: 'x' }), 'rootCause', 'lessons');
      expectInvalid(await s.http.post(`/crises/${recovering.id}/post-mortem/decisions`).set(s.as('grace')).send({ decision: 'request_changes' }), 'comment');
    });

    it('names a path id that is not a UUID', async () => {
      expectInvalid(await s.http.get('/crises/not-a-uuid').set(s.as('audrey')), 'id');
      expectInvalid(await s.http.post(`/crises/${active.id}/statements/42/decisions`).set(s.as('leo')).send({ decision: 'approve' }), 'statementId');
      expectInvalid(await s.http.post(`/crises/${active.id}/actions/42/complete`).set(s.as('sam')).send({}), 'actionId');
    });

    it('names bad list filters', async () => {
      expectInvalid(await s.http.get('/crises?status=burning&severity=huge&limit=0').set(s.as('grace')), 'status', 'severity', 'limit');
    });
  });

  describe('permissions (403)', () => {
    it('lets only supervisors, managers and executives declare', async () => {
      for (const who of ['alice', 'priya', 'sam']) expectError(await s.http.post('/crises').set(s.as(who)).send(crisisBody()), 403);
    });

    it('lets only the comms lead and the commander draft', async () => {
      for (const who of ['leo', 'sue', 'grace', 'alice']) {
        expectError(await s.http.post(`/crises/${active.id}/statements`).set(s.as(who)).send({ kind: 'update', audience: ['media'], text: 'x' }), 403);
      }
    });

    it('lets nobody but the comms lead and legal approve: not the commander, the declarer or an executive', async () => {
      for (const who of ['mike', 'sue', 'grace', 'audrey', 'root']) {
        const res = await s.http.post(`/crises/${active.id}/statements/${pending.id}/decisions`).set(s.as(who)).send({ decision: 'approve' });
        expectError(res, 403);
      }
      const view = await getCrisis(s, active.id);
      expect(view.statements.find((x) => x.id === pending.id)).toMatchObject({ status: 'pending_approval', decisions: [] });
    });

    it('lets only the commander start recovery, add actions and write the post-mortem', async () => {
      expectError(await s.http.post(`/crises/${active.id}/recovery`).set(s.as('sue')).send({ note: 'x' }), 403);
      expectError(await s.http.post(`/crises/${active.id}/actions`).set(s.as('priya')).send({ title: 'x', ownerId: 'sam', dueAt: inADay() }), 403);
      expectError(await s.http.post(`/crises/${recovering.id}/post-mortem`).set(s.as('mike')).send({ summary: 'x', rootCause: 'y', lessons: ['z'] }), 403);
    });

    it("lets only the action's owner complete it", async () => {
      expectError(await s.http.post(`/crises/${active.id}/actions/${openAction.id}/complete`).set(s.as('mike')).send({}), 403);
    });

    it('lets only an executive other than the commander decide on the post-mortem', async () => {
      await crisisPost(s, recovering.id, 'post-mortem', 'sue', { summary: 'x', rootCause: 'y', lessons: ['z'] });
      try {
        expectError(await s.http.post(`/crises/${recovering.id}/post-mortem/decisions`).set(s.as('mike')).send({ decision: 'approve' }), 403);
        expectError(await s.http.post(`/crises/${recovering.id}/post-mortem/decisions`).set(s.as('sue')).send({ decision: 'approve' }), 403);
      } finally {
        recovering = await crisisPost(s, recovering.id, 'post-mortem/decisions', 'grace', { decision: 'request_changes', comment: 'Add the timeline' });
      }
      expect(recovering.status).toBe('recovering');
    });

    it('lets outsiders read nothing: not the crisis, its audit trail or its statements', async () => {
      for (const who of ['alice', 'bob', 'hank', 'fiona']) {
        for (const path of ['', '/audit', '/statements']) expectError(await s.http.get(`/crises/${active.id}${path}`).set(s.as(who)), 403);
      }
    });

    it('lets the declarer, the three roles, executives, action owners, auditors and admins read', async () => {
      for (const who of ['sue', 'mike', 'priya', 'leo', 'grace', 'sam', 'ivan', 'audrey', 'root']) {
        await s.http.get(`/crises/${active.id}`).set(s.as(who)).expect(200);
        await s.http.get(`/crises/${active.id}/audit`).set(s.as(who)).expect(200);
        await s.http.get(`/crises/${active.id}/statements`).set(s.as(who)).expect(200);
      }
    });

    it('lists to each reader only the crises they may read', async () => {
      const ids = async (who: string, query = '') => ((await s.http.get(`/crises?limit=200${query}`).set(s.as(who)).expect(200)).body.items as CrisisView[]).map((c) => c.id);
      expect(await ids('alice')).toEqual([]);
      expect(await ids('sam')).toEqual([active.id]);
      expect(await ids('grace')).toEqual(expect.arrayContaining([active.id, recovering.id, closed.id]));
      expect(await ids('grace', '&severity=general')).toEqual(expect.arrayContaining([recovering.id, closed.id]));
      expect(await ids('grace', '&severity=general')).not.toContain(active.id);
      expect(await ids('audrey', '&status=closed')).toEqual(expect.arrayContaining([closed.id]));
      expect(await ids('audrey', '&status=closed')).not.toContain(active.id);
    });
  });

  describe('unknown ids (404)', () => {
    it.each(ID_ROUTES.map((r) => [r.label, r] as const))('%s answers 404 for an unknown crisis', async (_label, r) => {
      expectError(await call(r, randomUUID()).set(s.as('audrey')), 404);
    });

    it('answers 404 for a statement or an action the crisis does not have', async () => {
      expectError(await s.http.post(`/crises/${active.id}/statements/${randomUUID()}/decisions`).set(s.as('leo')).send({ decision: 'approve' }), 404);
      expectError(await s.http.post(`/crises/${active.id}/actions/${randomUUID()}/complete`).set(s.as('sam')).send({}), 404);
      // A statement of another crisis is not this crisis's.
      expectError(await s.http.post(`/crises/${recovering.id}/statements/${pending.id}/decisions`).set(s.as('leo')).send({ decision: 'approve' }), 404);
    });
  });

  describe('state (409)', () => {
    it('refuses a decision on a statement already published', async () => {
      expectError(await s.http.post(`/crises/${active.id}/statements/${published.id}/decisions`).set(s.as('priya')).send({ decision: 'approve' }), 409);
    });

    it('refuses a second decision by the same approver', async () => {
      await decideStatement(s, active.id, pending.id, 'leo');
      expectError(await s.http.post(`/crises/${active.id}/statements/${pending.id}/decisions`).set(s.as('leo')).send({ decision: 'approve' }), 409);
    });

    it('refuses completing an action twice', async () => {
      expectError(await s.http.post(`/crises/${active.id}/actions/${doneAction.id}/complete`).set(s.as('ivan')).send({}), 409);
    });

    it('refuses a post-mortem while active, and recovery while recovering', async () => {
      expectError(await s.http.post(`/crises/${active.id}/post-mortem`).set(s.as('mike')).send({ summary: 'x', rootCause: 'y', lessons: ['z'] }), 409);
      expectError(await s.http.post(`/crises/${recovering.id}/recovery`).set(s.as('sue')).send({ note: 'again' }), 409);
    });

    it('refuses a post-mortem decision when none waits for review', async () => {
      expectError(await s.http.post(`/crises/${active.id}/post-mortem/decisions`).set(s.as('grace')).send({ decision: 'approve' }), 409);
    });

    it('refuses every action on a closed crisis', async () => {
      expectError(await s.http.post(`/crises/${closed.id}/statements`).set(s.as('priya')).send({ kind: 'update', audience: ['media'], text: 'x' }), 409);
      expectError(await s.http.post(`/crises/${closed.id}/actions`).set(s.as('sue')).send({ title: 'x', ownerId: 'sam', dueAt: inADay() }), 409);
      expectError(await s.http.post(`/crises/${closed.id}/recovery`).set(s.as('sue')).send({ note: 'x' }), 409);
      expect((await getCrisis(s, closed.id)).status).toBe('closed');
    });
  });
});
