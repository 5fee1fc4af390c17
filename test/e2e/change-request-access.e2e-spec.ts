import { randomUUID } from 'node:crypto';
import { AccessRoute, expectAuthMatrix, expectError, expectInvalid, UNAUTHENTICATED } from '../support/access';
import { changeBody, decide, hoursFromNow, RISK, submitChange } from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * Who may call what, and what a refusal looks like: authentication (401), input validation (400),
 * unknown ids (404), permissions and segregation of duties (403) and state conflicts (409).
 */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

describe('change request access rules', () => {
  let s: Steward;
  /** alice's normal low-risk change, waiting for bob. */
  let pending: string;
  /** alice's change, approved by bob, window open. */
  let scheduled: string;
  /** alice's change, approved by bob, window opens in two hours. */
  let scheduledLater: string;
  /** alice's change, ivan started implementing it. */
  let inProgress: string;
  /** alice's normal change, implemented by ivan (waiting for her verification). */
  let implemented: string;

  beforeAll(async () => {
    s = await startSteward();
    const [a, b, c, d, e] = await Promise.all([
      submitChange(s, 'alice', { title: 'Pending change' }),
      submitChange(s, 'alice', { title: 'Scheduled change' }),
      submitChange(s, 'alice', { title: 'Later change', plannedStart: hoursFromNow(2), plannedEnd: hoursFromNow(3) }),
      submitChange(s, 'alice', { title: 'Change in progress' }),
      submitChange(s, 'alice', { title: 'Implemented change' }),
    ]);
    pending = a.id;
    scheduled = b.id;
    scheduledLater = c.id;
    inProgress = d.id;
    implemented = e.id;
    await Promise.all([decide(s, scheduled, 'bob'), decide(s, scheduledLater, 'bob'), decide(s, inProgress, 'bob'), decide(s, implemented, 'bob')]);
    const implement = (id: string, event: string) =>
      s.http.post(`/change-requests/${id}/implementation`).set(s.as('ivan')).send({ event }).expect(200);
    await Promise.all([implement(inProgress, 'started'), implement(implemented, 'started')]);
    await implement(implemented, 'completed');
  });
  afterAll(() => s.close());

  /** Every route of the change-request API and the common routes, with a body each would accept. */
  const routes = (): AccessRoute[] => [
    { method: 'post', path: '/change-requests', body: changeBody() },
    { method: 'get', path: '/change-requests' },
    { method: 'get', path: `/change-requests/${pending}` },
    { method: 'get', path: `/change-requests/${pending}/audit` },
    { method: 'post', path: `/change-requests/${pending}/decisions`, body: { decision: 'approve' } },
    { method: 'post', path: `/change-requests/${pending}/revisions`, body: { title: 'x' } },
    { method: 'post', path: `/change-requests/${pending}/withdraw`, body: { reason: 'x' } },
    { method: 'post', path: `/change-requests/${pending}/implementation`, body: { event: 'started' } },
    { method: 'post', path: `/change-requests/${pending}/verification`, body: { outcome: 'verified' } },
    { method: 'post', path: `/change-requests/${pending}/review`, body: { note: 'x' } },
    { method: 'get', path: '/tasks' },
    { method: 'get', path: '/notifications' },
    { method: 'post', path: `/notifications/${randomUUID()}/read` },
    { method: 'get', path: '/me' },
  ];

  describe('authentication (401)', () => {
    it('refuses every route without a valid token: none, another secret, expired, an unknown user, malformed', async () => {
      await expectAuthMatrix(s, routes(), UNAUTHENTICATED);
    });

    it('refuses a non-bearer scheme', async () => {
      expectError(await s.http.get('/me').set('Authorization', `Basic ${Buffer.from('alice:pw').toString('base64')}`), 401);
    });

    it('does not touch the case when an unauthenticated caller tries to act on it', async () => {
      await s.http.post(`/change-requests/${pending}/decisions`).send({ decision: 'approve' }).expect(401);
      const view = await s.http.get(`/change-requests/${pending}`).set(s.as('alice')).expect(200);
      expect(view.body).toMatchObject({ status: 'pending_approval', currentLevel: 'manager' });
      expect(view.body.approvalLevels[0].decisions).toEqual([]);
    });

    it('GET /me returns the caller as the directory has them', async () => {
      const me = await s.http.get('/me').set(s.as('bob')).expect(200);
      expect(me.body).toMatchObject({ id: 'bob', name: 'Bob Huang', managerId: 'sue', team: 'engineering' });
      expect(me.body.roles).toEqual(expect.arrayContaining(['team_lead', 'manager']));
    });
  });

  describe('POST /change-requests input (400)', () => {
    const post = (body: unknown) => s.http.post('/change-requests').set(s.as('alice')).send(body as object);

    it('names every missing field', async () => {
      const res = await post({});
      expectInvalid(
        res,
        'title',
        'description',
        'type',
        'probability',
        'impact',
        'affectedSystems',
        'plannedStart',
        'plannedEnd',
        'rollbackPlan',
        'implementerId',
      );
    });

    it('refuses an unknown body field, naming it', async () => {
      expectInvalid(await post({ ...changeBody(), colour: 'blue' }), 'colour');
    });

    it('answers malformed JSON with 400, not 500', async () => {
      const res = await s.http.post('/change-requests').set(s.as('alice')).set('Content-Type', 'application/json').send('{"title": "oops",');
      expectError(res, 400);
    });

    it('refuses plannedEnd equal to or before plannedStart, naming plannedEnd', async () => {
      const start = hoursFromNow(1);
      expectInvalid(await post(changeBody({ plannedStart: start, plannedEnd: start })), 'plannedEnd');
      expectInvalid(await post(changeBody({ plannedStart: start, plannedEnd: hoursFromNow(0.5) })), 'plannedEnd');
    });

    it('refuses times that are not ISO 8601, naming them', async () => {
      expectInvalid(await post(changeBody({ plannedStart: 'tomorrow', plannedEnd: 'next week' })), 'plannedStart', 'plannedEnd');
    });

    it('refuses a standard change with high risk, naming type', async () => {
      const res = await post(changeBody({ type: 'standard', ...RISK.high }));
      expectInvalid(res, 'type');
    });

    it('refuses a standard change with medium risk, naming type', async () => {
      expectInvalid(await post(changeBody({ type: 'standard', ...RISK.medium })), 'type');
    });

    it('refuses an implementerId that is not in the directory, naming implementerId', async () => {
      expectInvalid(await post(changeBody({ implementerId: 'nobody-here' })), 'implementerId');
    });

    it('refuses bad enum values and an empty affectedSystems, naming each field', async () => {
      const res = await post(changeBody({ type: 'urgent' as never, probability: 'certain' as never, affectedSystems: [] }));
      expectInvalid(res, 'type', 'probability', 'affectedSystems');
    });

    it('refuses a malformed Idempotency-Key, naming it', async () => {
      const res = await s.http.post('/change-requests').set(s.as('alice')).set('Idempotency-Key', 'x'.repeat(300)).send(changeBody());
      expectInvalid(res, 'Idempotency-Key');
    });
  });

  describe('GET /change-requests input (400)', () => {
    it.each(['0', '201', 'abc', '1.5'])('refuses limit=%s, naming limit', async (limit) => {
      expectInvalid(await s.http.get(`/change-requests?limit=${limit}`).set(s.as('alice')), 'limit');
    });

    it('accepts limit=1 and limit=200', async () => {
      await s.http.get('/change-requests?limit=1').set(s.as('alice')).expect(200);
      await s.http.get('/change-requests?limit=200').set(s.as('alice')).expect(200);
    });

    it('refuses a cursor it did not issue, naming cursor', async () => {
      expectInvalid(await s.http.get('/change-requests?cursor=not-a-cursor').set(s.as('alice')), 'cursor');
    });

    it('refuses a well-formed but forged cursor, naming cursor (not 500)', async () => {
      const forged = Buffer.from(JSON.stringify(['not-a-date', 'not-a-uuid'])).toString('base64url');
      expectInvalid(await s.http.get(`/change-requests?cursor=${forged}`).set(s.as('alice')), 'cursor');
    });

    it('refuses an unknown status, naming status', async () => {
      expectInvalid(await s.http.get('/change-requests?status=done').set(s.as('alice')), 'status');
    });
  });

  describe('GET /change-requests/:id and /audit', () => {
    it('refuses a non-UUID id, naming id', async () => {
      expectInvalid(await s.http.get('/change-requests/123').set(s.as('alice')), 'id');
      expectInvalid(await s.http.get('/change-requests/123/audit').set(s.as('alice')), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await s.http.get(`/change-requests/${randomUUID()}`).set(s.as('alice')), 404);
      expectError(await s.http.get(`/change-requests/${randomUUID()}/audit`).set(s.as('audrey')), 404);
    });

    it('refuses bad audit paging, naming limit and cursor', async () => {
      expectInvalid(await s.http.get(`/change-requests/${pending}/audit?limit=0`).set(s.as('alice')), 'limit');
      expectInvalid(await s.http.get(`/change-requests/${pending}/audit?limit=abc`).set(s.as('alice')), 'limit');
      expectInvalid(await s.http.get(`/change-requests/${pending}/audit?cursor=%%%`).set(s.as('alice')), 'cursor');
      const forged = Buffer.from(JSON.stringify(['abc'])).toString('base64url');
      expectInvalid(await s.http.get(`/change-requests/${pending}/audit?cursor=${forged}`).set(s.as('alice')), 'cursor');
    });

    it('forbids a non-participant (eve) from reading the case and its audit', async () => {
      expectError(await s.http.get(`/change-requests/${pending}`).set(s.as('eve')), 403);
      expectError(await s.http.get(`/change-requests/${pending}/audit`).set(s.as('eve')), 403);
    });

    it('lets participants read the case: requester, implementer and approver', async () => {
      for (const user of ['alice', 'ivan', 'bob']) {
        const res = await s.http.get(`/change-requests/${pending}`).set(s.as(user)).expect(200);
        expect(res.body).toMatchObject({ id: pending, requesterId: 'alice', implementerId: 'ivan' });
      }
    });

    it('lets the auditor (audrey) and the admin (root) read any case and its audit', async () => {
      for (const user of ['audrey', 'root']) {
        const view = await s.http.get(`/change-requests/${pending}`).set(s.as(user)).expect(200);
        expect(view.body).toMatchObject({ id: pending, status: 'pending_approval', requesterId: 'alice' });
        const audit = await s.http.get(`/change-requests/${pending}/audit`).set(s.as(user)).expect(200);
        expect(audit.body.items[0]).toMatchObject({ action: 'change_submitted', actorId: 'alice', caseId: pending });
      }
    });
  });

  describe('POST /change-requests/:id/decisions', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/decisions`).set(s.as(user)).send(body);

    it('refuses reject and request_changes without a comment, naming comment', async () => {
      expectInvalid(await post(pending, 'bob', { decision: 'reject' }), 'comment');
      expectInvalid(await post(pending, 'bob', { decision: 'request_changes' }), 'comment');
      expectInvalid(await post(pending, 'bob', { decision: 'reject', comment: '' }), 'comment');
    });

    it('refuses an unknown decision and an unknown field, naming them', async () => {
      expectInvalid(await post(pending, 'bob', { decision: 'maybe' }), 'decision');
      expectInvalid(await post(pending, 'bob', { decision: 'approve', weight: 2 }), 'weight');
    });

    it('answers malformed JSON with 400', async () => {
      expectError(await s.http.post(`/change-requests/${pending}/decisions`).set(s.as('bob')).set('Content-Type', 'application/json').send('{decision:'), 400);
    });

    it('refuses a non-UUID id (400) and an unknown id (404)', async () => {
      expectInvalid(await post('abc', 'bob', { decision: 'approve' }), 'id');
      expectError(await post(randomUUID(), 'bob', { decision: 'approve' }), 404);
    });

    it('forbids the requester (alice) and the implementer (ivan) from deciding on their own change', async () => {
      expectError(await post(pending, 'alice', { decision: 'approve' }), 403);
      expectError(await post(pending, 'ivan', { decision: 'approve' }), 403);
      const view = await s.http.get(`/change-requests/${pending}`).set(s.as('alice')).expect(200);
      expect(view.body.approvalLevels[0].decisions).toEqual([]);
    });

    it('forbids someone who is not an approver (eve, the auditor) from deciding', async () => {
      expectError(await post(pending, 'eve', { decision: 'approve' }), 403);
      expectError(await post(pending, 'audrey', { decision: 'approve' }), 403);
    });

    it('forbids a CAB member from approving at the CAB level the high-risk change she requested', async () => {
      const change = await submitChange(s, 'carol', { title: 'Carol changes the firewall', ...RISK.high });
      expect(change.approvalLevels.map((l) => l.name)).toEqual(['manager', 'cab']);
      expect(change.approvalLevels[1].approvers).not.toContain('carol');
      const afterManager = await decide(s, change.id, 'mike');
      expect(afterManager.currentLevel).toBe('cab');
      expectError(await post(change.id, 'carol', { decision: 'approve' }), 403);
      const view = await s.http.get(`/change-requests/${change.id}`).set(s.as('carol')).expect(200);
      expect(view.body).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
      expect(view.body.approvalLevels[1].decisions).toEqual([]);
    });

    it('forbids a CAB member who implements the change from approving it at the CAB level', async () => {
      const change = await submitChange(s, 'alice', { title: 'Dave implements', ...RISK.high, implementerId: 'dave' });
      expect(change.approvalLevels[1].approvers).not.toContain('dave');
      await decide(s, change.id, 'bob');
      expectError(await post(change.id, 'dave', { decision: 'approve' }), 403);
    });

    it('answers 409 to a decision once the change is approved', async () => {
      expectError(await post(scheduled, 'bob', { decision: 'approve' }), 409);
      expectError(await post(scheduled, 'bob', { decision: 'reject', comment: 'too late' }), 409);
      const view = await s.http.get(`/change-requests/${scheduled}`).set(s.as('alice')).expect(200);
      expect(view.body.status).toBe('scheduled');
    });
  });

  describe('POST /change-requests/:id/revisions', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/revisions`).set(s.as(user)).send(body);

    it('refuses bad input, naming the field', async () => {
      expectInvalid(await post(pending, 'alice', { colour: 'blue' }), 'colour');
      expectInvalid(await post(pending, 'alice', { implementerId: 'nobody-here' }), 'implementerId');
      expectInvalid(await post(pending, 'alice', { plannedStart: hoursFromNow(2), plannedEnd: hoursFromNow(1) }), 'plannedEnd');
      expectInvalid(await post('nope', 'alice', { title: 'x' }), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await post(randomUUID(), 'alice', { title: 'x' }), 404);
    });

    it('forbids anyone but the requester from revising', async () => {
      expectError(await post(pending, 'bob', { title: 'Bob rewrites it' }), 403);
      expectError(await post(pending, 'ivan', { title: 'Ivan rewrites it' }), 403);
    });

    it('refuses a revision that would end before it starts or make a standard change risky, naming the field', async () => {
      const change = await submitChange(s, 'alice', { title: 'To be revised' });
      await decide(s, change.id, 'bob', 'request_changes', 'tighten the window');
      const view = await s.http.get(`/change-requests/${change.id}`).set(s.as('alice')).expect(200);
      const before = new Date(Date.parse(view.body.plannedStart) - 3600_000).toISOString();
      expectInvalid(await post(change.id, 'alice', { plannedEnd: before }), 'plannedEnd');
      expectInvalid(await post(change.id, 'alice', { type: 'standard', probability: 'high' }), 'type');
      const after = await s.http.get(`/change-requests/${change.id}`).set(s.as('alice')).expect(200);
      expect(after.body).toMatchObject({ status: 'changes_requested', type: 'normal', revision: 1 });
    });

    it('answers 409 when changes were not requested', async () => {
      expectError(await post(pending, 'alice', { title: 'Revised too early' }), 409);
      const view = await s.http.get(`/change-requests/${pending}`).set(s.as('alice')).expect(200);
      expect(view.body).toMatchObject({ title: 'Pending change', revision: 1 });
    });
  });

  describe('POST /change-requests/:id/withdraw', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/withdraw`).set(s.as(user)).send(body);

    it('refuses a missing reason or an unknown field, naming it', async () => {
      expectInvalid(await post(pending, 'alice', {}), 'reason');
      expectInvalid(await post(pending, 'alice', { reason: 'x', now: true }), 'now');
      expectInvalid(await post('nope', 'alice', { reason: 'x' }), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await post(randomUUID(), 'alice', { reason: 'x' }), 404);
    });

    it('forbids anyone but the requester from withdrawing', async () => {
      expectError(await post(pending, 'bob', { reason: 'not needed' }), 403);
      expectError(await post(scheduled, 'ivan', { reason: 'not needed' }), 403);
      const view = await s.http.get(`/change-requests/${pending}`).set(s.as('alice')).expect(200);
      expect(view.body.status).toBe('pending_approval');
    });

    it('answers 409 once implementation has started', async () => {
      expectError(await post(inProgress, 'alice', { reason: 'changed my mind' }), 409);
      const view = await s.http.get(`/change-requests/${inProgress}`).set(s.as('alice')).expect(200);
      expect(view.body.status).toBe('in_progress');
    });
  });

  describe('POST /change-requests/:id/implementation', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/implementation`).set(s.as(user)).send(body);

    it('refuses an unknown event or field, naming it', async () => {
      expectInvalid(await post(scheduled, 'ivan', { event: 'paused' }), 'event');
      expectInvalid(await post(scheduled, 'ivan', { event: 'started', extra: 1 }), 'extra');
      expectInvalid(await post('nope', 'ivan', { event: 'started' }), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await post(randomUUID(), 'ivan', { event: 'started' }), 404);
    });

    it('forbids anyone but the implementer from reporting implementation', async () => {
      expectError(await post(scheduled, 'alice', { event: 'started' }), 403);
      expectError(await post(scheduled, 'bob', { event: 'started' }), 403);
      const view = await s.http.get(`/change-requests/${scheduled}`).set(s.as('alice')).expect(200);
      expect(view.body.status).toBe('scheduled');
    });

    it('answers 409 to started before plannedStart', async () => {
      const res = await post(scheduledLater, 'ivan', { event: 'started' });
      expectError(res, 409);
      const view = await s.http.get(`/change-requests/${scheduledLater}`).set(s.as('ivan')).expect(200);
      expect(view.body).toMatchObject({ status: 'scheduled', implementation: { startedAt: null } });
    });

    it('answers 409 to implementation before approval, and to completed before started', async () => {
      expectError(await post(pending, 'ivan', { event: 'started' }), 409);
      expectError(await post(scheduled, 'ivan', { event: 'completed' }), 409);
    });
  });

  describe('POST /change-requests/:id/verification', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/verification`).set(s.as(user)).send(body);

    it('refuses an unknown outcome or field, naming it', async () => {
      expectInvalid(await post(implemented, 'alice', { outcome: 'fine' }), 'outcome');
      expectInvalid(await post(implemented, 'alice', { outcome: 'verified', score: 5 }), 'score');
      expectInvalid(await post('nope', 'alice', { outcome: 'verified' }), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await post(randomUUID(), 'alice', { outcome: 'verified' }), 404);
    });

    it('forbids anyone but the requester from verifying', async () => {
      expectError(await post(implemented, 'ivan', { outcome: 'verified' }), 403);
      expectError(await post(implemented, 'bob', { outcome: 'verified' }), 403);
      const view = await s.http.get(`/change-requests/${implemented}`).set(s.as('alice')).expect(200);
      expect(view.body).toMatchObject({ status: 'implemented', verification: null });
    });

    it('answers 409 before the change is implemented', async () => {
      expectError(await post(scheduled, 'alice', { outcome: 'verified' }), 409);
      expectError(await post(inProgress, 'alice', { outcome: 'verified' }), 409);
    });
  });

  describe('POST /change-requests/:id/review', () => {
    const post = (id: string, user: string, body: object) => s.http.post(`/change-requests/${id}/review`).set(s.as(user)).send(body);

    it('refuses a missing note or an unknown field, naming it', async () => {
      expectInvalid(await post(implemented, 'bob', {}), 'note');
      expectInvalid(await post(implemented, 'bob', { note: 'ok', rating: 3 }), 'rating');
      expectInvalid(await post('nope', 'bob', { note: 'ok' }), 'id');
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await post(randomUUID(), 'bob', { note: 'ok' }), 404);
    });

    it('answers 409 to a review of a normal change, even from the requester\'s manager', async () => {
      expectError(await post(implemented, 'bob', { note: 'looks fine' }), 409);
    });
  });

  describe('GET /tasks, GET /notifications, POST /notifications/:id/read', () => {
    it('refuses bad notification paging and filters, naming the field', async () => {
      expectInvalid(await s.http.get('/notifications?limit=0').set(s.as('alice')), 'limit');
      expectInvalid(await s.http.get('/notifications?limit=201').set(s.as('alice')), 'limit');
      expectInvalid(await s.http.get('/notifications?limit=abc').set(s.as('alice')), 'limit');
      expectInvalid(await s.http.get('/notifications?cursor=garbage').set(s.as('alice')), 'cursor');
      expectInvalid(await s.http.get('/notifications?unread=maybe').set(s.as('alice')), 'unread');
      const forged = Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url');
      expectInvalid(await s.http.get(`/notifications?cursor=${forged}`).set(s.as('alice')), 'cursor');
    });

    it('refuses a non-UUID notification id (400) and an unknown one (404)', async () => {
      expectInvalid(await s.http.post('/notifications/42/read').set(s.as('alice')), 'id');
      expectError(await s.http.post(`/notifications/${randomUUID()}/read`).set(s.as('alice')), 404);
    });

    it('GET /tasks shows only the caller\'s own tasks', async () => {
      const bob = (await s.http.get('/tasks').set(s.as('bob')).expect(200)).body as { caseId: string; kind: string }[];
      expect(bob).toContainEqual(expect.objectContaining({ caseId: pending, kind: 'approve_change' }));
      const eve = (await s.http.get('/tasks').set(s.as('eve')).expect(200)).body as { caseId: string }[];
      expect(eve.map((t) => t.caseId)).not.toContain(pending);
    });
  });
});
