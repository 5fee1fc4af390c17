import { randomUUID } from 'node:crypto';
import { AccessRoute, expectAuthMatrix, UNAUTHENTICATED } from '../support/access';
import { tasksOf } from '../support/change-requests';
import { act, complaintAudit, complaintBody, ComplaintView, expectError, expectInvalid, getComplaint, openComplaint } from '../support/complaints';
import { startSteward, Steward } from '../support/steward';

/**
 * Who may call what on complaints and their reports, and what a refusal looks like: authentication (401),
 * input validation naming the field (400), permissions and segregation of duties (403), unknown ids (404)
 * and actions the complaint's state does not accept (409).
 */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

/** An agent who does not own `c` and leads nobody. */
const otherAgent = (c: ComplaintView) => (c.ownerId === 'sam' ? 'tina' : 'sam');

describe('complaint access rules', () => {
  let s: Steward;
  /** Just opened: waiting for the first response. */
  let fresh: ComplaintView;
  /** First response given: in progress. */
  let inProgress: ComplaintView;
  /** Resolved with 1500 CNY compensation, above the threshold: waiting for a supervisor. */
  let pending: ComplaintView;
  /** Resolved without compensation: waiting for the customer's feedback. */
  let resolved: ComplaintView;
  /** Resolved and the customer was satisfied: closed, its workflow finished. */
  let closed: ComplaintView;

  beforeAll(async () => {
    s = await startSteward({ COMPENSATION_APPROVAL_THRESHOLD: '1000' });
    // One at a time: each owner is the least loaded agent when the complaint is opened.
    fresh = await openComplaint(s, 'sam', { subject: 'Fresh complaint' });
    inProgress = await openComplaint(s, 'sam', { subject: 'Complaint in progress' });
    pending = await openComplaint(s, 'sam', { subject: 'Compensation pending' });
    resolved = await openComplaint(s, 'sam', { subject: 'Resolved complaint' });
    closed = await openComplaint(s, 'sam', { subject: 'Closed complaint' });
    inProgress = await act(s, inProgress.id, 'responses', inProgress.ownerId, { message: 'Looking into it' });
    pending = await act(s, pending.id, 'resolution', pending.ownerId, { summary: 'Refund', compensation: { amount: 1500, currency: 'CNY' } });
    resolved = await act(s, resolved.id, 'resolution', resolved.ownerId, { summary: 'Replaced the parcel' });
    await act(s, closed.id, 'resolution', closed.ownerId, { summary: 'Replaced the parcel' });
    closed = await act(s, closed.id, 'feedback', closed.ownerId, { satisfied: true, comment: 'thanks' });
  });
  afterAll(() => s.close());

  it('has its fixtures in the states the tests below rely on', () => {
    expect([fresh.status, inProgress.status, pending.status, resolved.status, closed.status]).toEqual([
      'open',
      'in_progress',
      'pending_compensation_approval',
      'resolved',
      'closed',
    ]);
  });

  /** Every complaint route and the report, with a body each would accept, for the complaint `id`. */
  const routes = (id: string): AccessRoute[] => [
    { method: 'post', path: '/complaints', body: complaintBody() },
    { method: 'get', path: '/complaints' },
    ...idRoutes(id),
    { method: 'get', path: '/reports/complaints' },
  ];
  /** The routes about one complaint. */
  const idRoutes = (id: string): AccessRoute[] => [
    { method: 'get', path: `/complaints/${id}` },
    { method: 'get', path: `/complaints/${id}/audit` },
    { method: 'post', path: `/complaints/${id}/responses`, body: { message: 'Hello' } },
    { method: 'post', path: `/complaints/${id}/transfers`, body: { toUserId: 'sue', reason: 'cover' } },
    { method: 'post', path: `/complaints/${id}/pause`, body: { reason: 'waiting' } },
    { method: 'post', path: `/complaints/${id}/resume`, body: {} },
    { method: 'post', path: `/complaints/${id}/priority`, body: { severity: 'high', reason: 'x' } },
    { method: 'post', path: `/complaints/${id}/resolution`, body: { summary: 'Done' } },
    { method: 'post', path: `/complaints/${id}/compensation/decisions`, body: { decision: 'approve' } },
    { method: 'post', path: `/complaints/${id}/feedback`, body: { satisfied: true } },
  ];

  describe('authentication (401)', () => {
    it('refuses every route without a valid token: none, another secret, expired, an unknown user, malformed', async () => {
      await expectAuthMatrix(s, routes(fresh.id), UNAUTHENTICATED);
    });

    it('leaves the complaint untouched when an unauthenticated caller acts on it', async () => {
      await s.http.post(`/complaints/${fresh.id}/responses`).send({ message: 'sneaky' }).expect(401);
      await s.http.post(`/complaints/${fresh.id}/transfers`).send({ toUserId: 'sue', reason: 'x' }).expect(401);
      const view = await getComplaint(s, fresh.id);
      expect(view).toMatchObject({ status: 'open', ownerId: fresh.ownerId, responses: [], transfers: [] });
    });
  });

  describe('POST /complaints input (400)', () => {
    const post = (body: unknown) => s.http.post('/complaints').set(s.as('sam')).send(body as object);

    it('names every missing field', async () => {
      expectInvalid(await post({}), 'customer', 'channel', 'subject', 'description', 'severity');
    });

    it('names customer.tier when the tier is missing', async () => {
      const res = await post({ ...complaintBody(), customer: { id: 'C-1', name: 'Acme' } });
      expectInvalid(res, 'customer.tier');
      expect(res.body.details).toHaveLength(1);
    });

    it("refuses tier 'D', naming customer.tier", async () => {
      expectInvalid(await post({ ...complaintBody(), customer: { id: 'C-1', name: 'Acme', tier: 'D' } }), 'customer.tier');
    });

    it("refuses channel 'fax', naming channel", async () => {
      expectInvalid(await post({ ...complaintBody(), channel: 'fax' }), 'channel');
    });

    it("refuses severity 'urgent', naming severity", async () => {
      expectInvalid(await post({ ...complaintBody(), severity: 'urgent' }), 'severity');
    });

    it('names every bad field at once', async () => {
      const res = await post({ ...complaintBody(), channel: 'fax', severity: 'urgent', customer: { id: 'C-1', name: 'Acme', tier: 'D' } });
      expectInvalid(res, 'channel', 'severity', 'customer.tier');
    });

    it('refuses an unknown field, top-level or in customer, naming it', async () => {
      expectInvalid(await post({ ...complaintBody(), vip: true }), 'vip');
      expectInvalid(await post({ ...complaintBody(), customer: { id: 'C-1', name: 'Acme', tier: 'A', vip: true } }), 'customer.vip');
    });

    it('refuses a blank subject and a customer that is not an object', async () => {
      expectInvalid(await post({ ...complaintBody(), subject: '   ' }), 'subject');
      expectInvalid(await post({ ...complaintBody(), customer: 'Acme' }), 'customer');
    });

    it('answers malformed JSON with 400, not 500', async () => {
      expectError(await s.http.post('/complaints').set(s.as('sam')).set('Content-Type', 'application/json').send('{"subject": "oops",'), 400);
    });

    it('opens nothing for a refused intake', async () => {
      await post({ ...complaintBody(), severity: 'urgent', subject: 'Never opened' }).expect(400);
      const after = (await s.http.get('/complaints?limit=200').set(s.as('sam')).expect(200)).body.items as ComplaintView[];
      expect(after.map((c) => c.subject)).not.toContain('Never opened');
    });
  });

  describe('GET /complaints and GET /reports/complaints query (400)', () => {
    it('refuses ?priority=P9, naming priority', async () => {
      expectInvalid(await s.http.get('/complaints?priority=P9').set(s.as('lena')), 'priority');
    });

    it('refuses ?breached=maybe, naming breached', async () => {
      expectInvalid(await s.http.get('/complaints?breached=maybe').set(s.as('lena')), 'breached');
    });

    it('refuses an unknown status, a bad ownerId, limit and cursor, naming each', async () => {
      expectInvalid(await s.http.get('/complaints?status=done').set(s.as('lena')), 'status');
      expectInvalid(await s.http.get('/complaints?ownerId=a%20b').set(s.as('lena')), 'ownerId');
      expectInvalid(await s.http.get('/complaints?limit=201').set(s.as('lena')), 'limit');
      expectInvalid(await s.http.get('/complaints?cursor=garbage').set(s.as('lena')), 'cursor');
    });

    it('refuses report ?from=notadate, naming from', async () => {
      expectInvalid(await s.http.get('/reports/complaints?from=notadate').set(s.as('sue')), 'from');
    });

    it('refuses a report window that ends before it starts, naming to', async () => {
      expectInvalid(await s.http.get('/reports/complaints?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z').set(s.as('sue')), 'to');
      expectInvalid(await s.http.get('/reports/complaints?to=yesterday').set(s.as('sue')), 'to');
    });
  });

  describe('actions: input (400)', () => {
    const post = (id: string, action: string, user: string, body: unknown) =>
      s.http.post(`/complaints/${id}/${action}`).set(s.as(user)).send(body as object);

    it('refuses a non-UUID id on every route about one complaint, naming id', async () => {
      await expectAuthMatrix(s, idRoutes('not-a-uuid'), { lena: { status: 400, fields: ['id'] } });
    });

    it('refuses a transfer to someone who is not service staff, naming toUserId', async () => {
      for (const toUserId of ['alice', 'audrey', 'nobody-here']) {
        expectInvalid(await post(fresh.id, 'transfers', 'lena', { toUserId, reason: 'cover' }), 'toUserId');
      }
      expect((await getComplaint(s, fresh.id)).ownerId).toBe(fresh.ownerId);
    });

    it('refuses a transfer to the current owner, naming toUserId', async () => {
      expectInvalid(await post(fresh.id, 'transfers', 'lena', { toUserId: fresh.ownerId, reason: 'no-op' }), 'toUserId');
    });

    it('refuses a transfer without a reason, naming reason', async () => {
      expectInvalid(await post(fresh.id, 'transfers', 'lena', { toUserId: 'sue' }), 'reason');
    });

    it('refuses compensation amount -5 and currency "euro", naming compensation.amount and compensation.currency', async () => {
      const owner = inProgress.ownerId;
      expectInvalid(await post(inProgress.id, 'resolution', owner, { summary: 'x', compensation: { amount: -5, currency: 'CNY' } }), 'compensation.amount');
      expectInvalid(await post(inProgress.id, 'resolution', owner, { summary: 'x', compensation: { amount: 50, currency: 'euro' } }), 'compensation.currency');
      const both = await post(inProgress.id, 'resolution', owner, { summary: 'x', compensation: { amount: -5, currency: 'euro' } });
      expectInvalid(both, 'compensation.amount', 'compensation.currency');
      expect((await getComplaint(s, inProgress.id)).status).toBe('in_progress');
    });

    it('refuses a rejection of compensation without a comment, naming comment', async () => {
      expectInvalid(await post(pending.id, 'compensation/decisions', 'sue', { decision: 'reject' }), 'comment');
      expectInvalid(await post(pending.id, 'compensation/decisions', 'sue', { decision: 'reject', comment: '  ' }), 'comment');
      expectInvalid(await post(pending.id, 'compensation/decisions', 'sue', { decision: 'maybe' }), 'decision');
      expect((await getComplaint(s, pending.id)).status).toBe('pending_compensation_approval');
    });

    it("refuses feedback satisfied 'yes', naming satisfied", async () => {
      expectInvalid(await post(resolved.id, 'feedback', resolved.ownerId, { satisfied: 'yes' }), 'satisfied');
      expect((await getComplaint(s, resolved.id)).status).toBe('resolved');
    });

    it('refuses bad bodies of the other actions, naming the field', async () => {
      expectInvalid(await post(fresh.id, 'responses', fresh.ownerId, {}), 'message');
      expectInvalid(await post(fresh.id, 'responses', fresh.ownerId, { message: 'hi', channel: 'sms' }), 'channel');
      expectInvalid(await post(inProgress.id, 'pause', inProgress.ownerId, {}), 'reason');
      expectInvalid(await post(inProgress.id, 'resume', inProgress.ownerId, { now: true }), 'now');
      expectInvalid(await post(fresh.id, 'priority', 'lena', { severity: 'urgent', reason: 'x' }), 'severity');
      expectInvalid(await post(fresh.id, 'resolution', fresh.ownerId, {}), 'summary');
    });

    it('answers malformed JSON on an action with 400', async () => {
      const res = await s.http.post(`/complaints/${fresh.id}/responses`).set(s.as(fresh.ownerId)).set('Content-Type', 'application/json').send('{message:');
      expectError(res, 400);
    });
  });

  describe('unknown ids (404)', () => {
    it('answers 404 for an unknown UUID on every route about one complaint', async () => {
      await expectAuthMatrix(s, idRoutes(randomUUID()), { lena: 404 });
    });

    it('answers 404, not 403, to someone outside the service for an unknown UUID', async () => {
      expectError(await s.http.get(`/complaints/${randomUUID()}`).set(s.as('alice')), 404);
    });
  });

  describe('permissions (403)', () => {
    const post = (id: string, action: string, user: string, body: object) => s.http.post(`/complaints/${id}/${action}`).set(s.as(user)).send(body);

    it('forbids non-service staff (alice, eve, the auditor) from opening a complaint', async () => {
      for (const user of ['alice', 'eve', 'audrey']) expectError(await s.http.post('/complaints').set(s.as(user)).send(complaintBody()), 403);
    });

    it('forbids an agent who does not own the complaint from responding, and leaves it waiting', async () => {
      expectError(await post(fresh.id, 'responses', otherAgent(fresh), { message: 'Not mine to answer' }), 403);
      const view = await getComplaint(s, fresh.id);
      expect(view).toMatchObject({ status: 'open', responses: [], firstResponseAt: null });
      expect(view.sla.firstResponse.status).toBe('running');
    });

    it('forbids an agent who does not own the complaint from resolving it', async () => {
      expectError(await post(inProgress.id, 'resolution', otherAgent(inProgress), { summary: 'Not mine' }), 403);
      expect(await getComplaint(s, inProgress.id)).toMatchObject({ status: 'in_progress', resolution: null });
    });

    it('forbids a plain agent who does not own it from transferring, pausing or re-prioritising it', async () => {
      const other = otherAgent(inProgress);
      expectError(await post(inProgress.id, 'transfers', other, { toUserId: other, reason: 'mine now' }), 403);
      expectError(await post(inProgress.id, 'pause', other, { reason: 'waiting' }), 403);
      expectError(await post(inProgress.id, 'priority', other, { severity: 'critical', reason: 'x' }), 403);
      expect(await getComplaint(s, inProgress.id)).toMatchObject({ status: 'in_progress', ownerId: inProgress.ownerId, severity: 'medium' });
    });

    it('forbids alice, who has no part in it, from reading a complaint or its audit trail', async () => {
      expectError(await s.http.get(`/complaints/${fresh.id}`).set(s.as('alice')), 403);
      expectError(await s.http.get(`/complaints/${fresh.id}/audit`).set(s.as('alice')), 403);
      const list = await s.http.get('/complaints?limit=200').set(s.as('alice')).expect(200);
      expect((list.body.items as ComplaintView[]).map((c) => c.id)).not.toContain(fresh.id);
    });

    it('forbids alice from acting on a complaint at all', async () => {
      expectError(await post(fresh.id, 'responses', 'alice', { message: 'hi' }), 403);
      expectError(await post(inProgress.id, 'pause', 'alice', { reason: 'x' }), 403);
      expectError(await post(resolved.id, 'feedback', 'alice', { satisfied: true }), 403);
      expectError(await post(closed.id, 'responses', 'alice', { message: 'hi' }), 403);
    });

    it('lets service staff and the auditor read any complaint and its audit trail', async () => {
      for (const user of ['lena', otherAgent(fresh), 'sue', 'audrey', 'root']) {
        expect(await getComplaint(s, fresh.id, user)).toMatchObject({ id: fresh.id, status: 'open', ownerId: fresh.ownerId });
        expect((await complaintAudit(s, fresh.id, user))[0]).toMatchObject({ action: 'complaint_opened', actorId: 'sam' });
      }
    });

    it('forbids the owner from deciding on the compensation of their own complaint (segregation of duties)', async () => {
      const res = await post(pending.id, 'compensation/decisions', pending.ownerId, { decision: 'approve' });
      expectError(res, 403);
      expect(res.body.message).toMatch(/segregation of duties/);
      const view = await getComplaint(s, pending.id);
      expect(view.status).toBe('pending_compensation_approval');
      expect(view.resolution?.compensation).toMatchObject({ amount: 1500, currency: 'CNY', status: 'pending' });
    });

    it('forbids the supervisor from deciding on compensation for a complaint transferred to her while it waited', async () => {
      const c = await openComplaint(s, 'sam', { subject: 'Transferred to the approver' });
      await act(s, c.id, 'resolution', c.ownerId, { summary: 'Refund', compensation: { amount: 2500, currency: 'CNY' } });
      expect(await act(s, c.id, 'transfers', c.ownerId, { toUserId: 'sue', reason: 'Sue takes the escalated customer' })).toMatchObject({
        ownerId: 'sue',
        status: 'pending_compensation_approval',
      });
      const res = await post(c.id, 'compensation/decisions', 'sue', { decision: 'approve' });
      expectError(res, 403);
      expect(res.body.message).toMatch(/segregation of duties/);
      const view = await getComplaint(s, c.id);
      expect(view.status).toBe('pending_compensation_approval');
      expect(view.resolution?.compensation?.status).toBe('pending');
    });

    it('forbids someone who is not a supervisor (the team lead, a manager, another agent) from deciding on compensation', async () => {
      const others = ['lena', 'mike', 'sam', 'tina'].filter((u) => u !== pending.ownerId);
      for (const user of others) {
        expectError(await post(pending.id, 'compensation/decisions', user, { decision: 'approve' }), 403);
      }
      expect(await tasksOf(s, 'sue')).toContainEqual(expect.objectContaining({ caseId: pending.id, kind: 'approve_compensation' }));
      expect((await getComplaint(s, pending.id)).status).toBe('pending_compensation_approval');
    });

    it('forbids engineering employees from reading complaint reports, and lets supervisors and auditors', async () => {
      for (const user of ['alice', 'eve']) expectError(await s.http.get('/reports/complaints').set(s.as(user)), 403);
      for (const user of ['sue', 'lena', 'audrey']) {
        const report = await s.http.get('/reports/complaints').set(s.as(user)).expect(200);
        expect(report.body.total).toBeGreaterThanOrEqual(5);
      }
    });
  });

  describe('state conflicts (409)', () => {
    const post = (id: string, action: string, user: string, body: object) => s.http.post(`/complaints/${id}/${action}`).set(s.as(user)).send(body);

    it('refuses to pause before the first response', async () => {
      expectError(await post(fresh.id, 'pause', fresh.ownerId, { reason: 'waiting for the customer' }), 409);
      const view = await getComplaint(s, fresh.id);
      expect(view.status).toBe('open');
      expect(view.sla.firstResponse.status).toBe('running');
    });

    it('refuses to resume a complaint that is not paused', async () => {
      expectError(await post(inProgress.id, 'resume', inProgress.ownerId, {}), 409);
      expectError(await post(fresh.id, 'resume', fresh.ownerId, {}), 409);
      expect((await getComplaint(s, inProgress.id)).status).toBe('in_progress');
    });

    it('refuses feedback before the complaint is resolved', async () => {
      expectError(await post(inProgress.id, 'feedback', inProgress.ownerId, { satisfied: true }), 409);
      expectError(await post(fresh.id, 'feedback', fresh.ownerId, { satisfied: false }), 409);
      expect(await getComplaint(s, inProgress.id)).toMatchObject({ status: 'in_progress', feedback: [] });
    });

    it('refuses a compensation decision when none is pending', async () => {
      expectError(await post(resolved.id, 'compensation/decisions', 'sue', { decision: 'approve' }), 409);
      expectError(await post(inProgress.id, 'compensation/decisions', 'sue', { decision: 'reject', comment: 'no' }), 409);
      expect((await getComplaint(s, resolved.id)).status).toBe('resolved');
    });

    it('refuses a response, a transfer or a reopening once the complaint is closed', async () => {
      expectError(await post(closed.id, 'responses', closed.ownerId, { message: 'One more thing' }), 409);
      expectError(await post(closed.id, 'transfers', closed.ownerId, { toUserId: 'sue', reason: 'late' }), 409);
      expectError(await post(closed.id, 'feedback', closed.ownerId, { satisfied: false }), 409);
      const view = await getComplaint(s, closed.id);
      expect(view).toMatchObject({ status: 'closed', reopenCount: 0 });
      expect(view.responses).toHaveLength(1);
    });

    it('refuses to resolve a complaint that is already resolved', async () => {
      expectError(await post(resolved.id, 'resolution', resolved.ownerId, { summary: 'Again' }), 409);
    });
  });
});
