import { randomUUID } from 'node:crypto';
import { badTokens } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { actOn, ApprovalRequestView, getRequest, purchaseBody, submitRequest } from '../support/approval-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * Who may call what on approval requests, their types and their report, and what a refusal looks like:
 * authentication (401), input naming every bad field (400), readers and segregation of duties (403),
 * unknown ids (404) and actions the request's state does not accept (409).
 */

jest.setTimeout(60_000);

describe('approval request access rules', () => {
  let s: Steward;
  /** alice's purchase of 5 000 CNY: waiting for bob. */
  let pending: ApprovalRequestView;
  /** Approved by bob: waiting for finance to fulfil it. */
  let approved: ApprovalRequestView;
  /** Rejected by bob: finished, its workflow closed. */
  let rejected: ApprovalRequestView;

  beforeAll(async () => {
    s = await startSteward();
    pending = await submitRequest(s, 'alice', purchaseBody(5000, 'Pending purchase'));
    approved = await submitRequest(s, 'alice', purchaseBody(4000, 'Approved purchase'));
    rejected = await submitRequest(s, 'alice', purchaseBody(3000, 'Rejected purchase'));
    approved = await actOn(s, approved.id, 'decisions', 'bob', { decision: 'approve' });
    rejected = await actOn(s, rejected.id, 'decisions', 'bob', { decision: 'reject', comment: 'Not this quarter' });
  });
  afterAll(() => s.close());

  it('has its fixtures in the states the tests below rely on', () => {
    expect([pending.status, approved.status, rejected.status]).toEqual(['pending_approval', 'approved', 'rejected']);
  });

  type Route = { label: string; method: 'get' | 'post'; path: (id: string) => string; body?: object };
  const ROUTES: Route[] = [
    { label: 'GET /approval-types', method: 'get', path: () => '/approval-types' },
    { label: 'POST /approval-requests', method: 'post', path: () => '/approval-requests', body: purchaseBody(100) },
    { label: 'GET /approval-requests', method: 'get', path: () => '/approval-requests' },
    { label: 'GET /approval-requests/:id', method: 'get', path: (id) => `/approval-requests/${id}` },
    { label: 'GET /approval-requests/:id/audit', method: 'get', path: (id) => `/approval-requests/${id}/audit` },
    { label: 'POST /approval-requests/:id/decisions', method: 'post', path: (id) => `/approval-requests/${id}/decisions`, body: { decision: 'approve' } },
    { label: 'POST /approval-requests/:id/revisions', method: 'post', path: (id) => `/approval-requests/${id}/revisions`, body: { title: 'x' } },
    { label: 'POST /approval-requests/:id/withdraw', method: 'post', path: (id) => `/approval-requests/${id}/withdraw`, body: { reason: 'x' } },
    { label: 'POST /approval-requests/:id/fulfilment', method: 'post', path: (id) => `/approval-requests/${id}/fulfilment`, body: { note: 'x' } },
    { label: 'GET /reports/approvals', method: 'get', path: () => '/reports/approvals' },
  ];
  const ID_ROUTES = ROUTES.filter((r) => r.path('X').includes('X'));
  const call = (r: Route, id: string) => (r.method === 'get' ? s.http.get(r.path(id)) : s.http.post(r.path(id)).send(r.body ?? {}));

  describe('authentication (401)', () => {
    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses a request without a token', async (_label, r) => {
      expectError(await call(r, pending.id), 401);
    });

    it.each(ROUTES.map((r) => [r.label, r] as const))('%s refuses an expired token', async (_label, r) => {
      expectError(await call(r, pending.id).set('Authorization', `Bearer ${badTokens.expired('bob', s.config.jwtSecret)}`), 401);
    });
  });

  describe('GET /approval-types', () => {
    it('lists the shipped types with their field schemas and routes', async () => {
      const res = await s.http.get('/approval-types').set(s.as('eve')).expect(200);
      const items = res.body.items as { type: string; fields: Record<string, { type: string; required: boolean }>; route: { name: string }[] }[];
      expect(items.map((t) => t.type)).toEqual(['purchase', 'budget', 'access', 'expense']);
      const purchase = items.find((t) => t.type === 'purchase')!;
      expect(purchase.fields.amount).toEqual({ type: 'money', required: true });
      expect(purchase.route.map((l) => l.name)).toEqual(['manager', 'finance', 'executive']);
    });
  });

  it('documents the routes with their response types in OpenAPI, every schema reference resolving', async () => {
    const doc = (await s.http.get('/docs-json').expect(200)).body;
    const json = (path: string, method: string, status: string) => doc.paths[path][method].responses[status].content['application/json'].schema;
    expect(json('/approval-requests', 'post', '201')).toEqual({ $ref: '#/components/schemas/ApprovalRequestResponseDto' });
    expect(json('/approval-requests/{id}/decisions', 'post', '200')).toEqual({ $ref: '#/components/schemas/ApprovalRequestResponseDto' });
    expect(json('/approval-types', 'get', '200')).toEqual({ $ref: '#/components/schemas/ApprovalTypeListDto' });
    expect(json('/reports/approvals', 'get', '200')).toEqual({ $ref: '#/components/schemas/ApprovalReportDto' });
    expect(json('/me/delegations', 'post', '201')).toEqual({ $ref: '#/components/schemas/DelegationResponseDto' });
    const refs = new Set<string>(JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z0-9_]+/g) ?? []);
    expect([...refs].filter((r) => !doc.components.schemas[r.split('/').pop()!])).toEqual([]);
  });

  describe('POST /approval-requests input (400)', () => {
    const post = (body: unknown, user = 'alice') => s.http.post('/approval-requests').set(s.as(user)).send(body as object);

    it('names every missing top-level field', async () => {
      expectInvalid(await post({}), 'type', 'title', 'fields');
    });

    it('refuses an unknown type, naming type', async () => {
      expectInvalid(await post({ ...purchaseBody(10), type: 'holiday' }), 'type');
    });

    it('names every bad field inside fields, down to fields.amount.value', async () => {
      const res = await post({ type: 'purchase', title: 'x', fields: { amount: { value: 'lots', currency: 'yuan' }, vendor: 'x'.repeat(201), colour: 'red' } });
      expectInvalid(res, 'fields.amount.value', 'fields.amount.currency', 'fields.vendor', 'fields.justification', 'fields.colour');
    });

    it('refuses fields that are not an object and unknown body fields', async () => {
      expectInvalid(await post({ ...purchaseBody(10), fields: 'amount=10' }), 'fields');
      expectInvalid(await post({ ...purchaseBody(10), priority: 'high' }), 'priority');
    });

    it('refuses an unroutable request (the requester has no manager), naming type, and starts nothing', async () => {
      const res = await post(purchaseBody(10, 'Unroutable purchase'), 'root');
      expectInvalid(res, 'type');
      expect(res.body.message).toContain('no eligible approvers for level "manager"');
      const mine = (await s.http.get('/approval-requests?requesterId=root').set(s.as('root')).expect(200)).body.items as ApprovalRequestView[];
      expect(mine.map((r) => r.title)).not.toContain('Unroutable purchase');
    });

    it('returns the first response for a repeated Idempotency-Key, starting nothing new', async () => {
      const key = `purchase-${randomUUID()}`;
      const first = await s.http.post('/approval-requests').set(s.as('eve')).set('Idempotency-Key', key).send(purchaseBody(700, 'Headset')).expect(201);
      const again = await s.http.post('/approval-requests').set(s.as('eve')).set('Idempotency-Key', key).send(purchaseBody(700, 'Headset')).expect(201);
      expect(again.body.id).toBe(first.body.id);
      const mine = (await s.http.get('/approval-requests?requesterId=eve&limit=200').set(s.as('eve')).expect(200)).body.items as ApprovalRequestView[];
      expect(mine.filter((r) => r.title === 'Headset')).toHaveLength(1);
    });

    it('answers malformed JSON with 400, not 500', async () => {
      expectError(await s.http.post('/approval-requests').set(s.as('alice')).set('Content-Type', 'application/json').send('{"type": "purchase",'), 400);
    });
  });

  describe('queries and actions input (400)', () => {
    it.each(ID_ROUTES.map((r) => [r.label, r] as const))('%s refuses a non-UUID id, naming id', async (_label, r) => {
      expectInvalid(await call(r, 'not-a-uuid').set(s.as('bob')), 'id');
    });

    it('refuses bad list filters, naming each', async () => {
      expectInvalid(await s.http.get('/approval-requests?status=done').set(s.as('bob')), 'status');
      expectInvalid(await s.http.get('/approval-requests?type=Bad%20Type').set(s.as('bob')), 'type');
      expectInvalid(await s.http.get('/approval-requests?limit=201').set(s.as('bob')), 'limit');
      expectInvalid(await s.http.get('/approval-requests?cursor=garbage').set(s.as('bob')), 'cursor');
    });

    it('refuses a rejection without a comment and an unknown decision', async () => {
      expectInvalid(await s.http.post(`/approval-requests/${pending.id}/decisions`).set(s.as('bob')).send({ decision: 'reject' }), 'comment');
      expectInvalid(await s.http.post(`/approval-requests/${pending.id}/decisions`).set(s.as('bob')).send({ decision: 'maybe' }), 'decision');
    });

    it('refuses bad report windows, naming from or to (never 500)', async () => {
      expectInvalid(await s.http.get('/reports/approvals?from=notadate').set(s.as('fiona')), 'from');
      expectInvalid(await s.http.get('/reports/approvals?to=2026-13-45T00:00:00Z').set(s.as('fiona')), 'to');
      expectInvalid(await s.http.get('/reports/approvals?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z').set(s.as('fiona')), 'to');
    });
  });

  describe('readers (403)', () => {
    it('lets the requester, the approver, the fulfil role (finance), auditors and admins read; refuses anyone else', async () => {
      for (const user of ['alice', 'bob', 'fiona', 'audrey', 'root']) {
        expect((await s.http.get(`/approval-requests/${pending.id}`).set(s.as(user))).status).toBe(200);
      }
      expectError(await s.http.get(`/approval-requests/${pending.id}`).set(s.as('eve')), 403);
      expectError(await s.http.get(`/approval-requests/${pending.id}/audit`).set(s.as('eve')), 403);
    });

    it("leaves others' requests out of their lists", async () => {
      const eve = (await s.http.get('/approval-requests?limit=200').set(s.as('eve')).expect(200)).body.items as ApprovalRequestView[];
      expect(eve.map((r) => r.id)).not.toContain(pending.id);
      const byType = (await s.http.get('/approval-requests?type=purchase&requesterId=alice&limit=200').set(s.as('bob')).expect(200)).body.items as ApprovalRequestView[];
      expect(byType.map((r) => r.id)).toEqual(expect.arrayContaining([pending.id, approved.id, rejected.id]));
      expect(byType.every((r) => r.type === 'purchase')).toBe(true);
    });

    it('answers 404 for an unknown id', async () => {
      expectError(await s.http.get(`/approval-requests/${randomUUID()}`).set(s.as('audrey')), 404);
      expectError(await s.http.post(`/approval-requests/${randomUUID()}/decisions`).set(s.as('bob')).send({ decision: 'approve' }), 404);
    });

    it('keeps the report for managers, finance, executives, auditors and admins', async () => {
      expectError(await s.http.get('/reports/approvals').set(s.as('alice')), 403);
      for (const user of ['bob', 'fiona', 'grace', 'audrey', 'root']) expect((await s.http.get('/reports/approvals').set(s.as(user))).status).toBe(200);
    });
  });

  describe('segregation of duties and permissions (403)', () => {
    it('refuses the requester deciding on their own request', async () => {
      expectError(await s.http.post(`/approval-requests/${pending.id}/decisions`).set(s.as('alice')).send({ decision: 'approve' }), 403);
    });

    it('refuses a decision by someone who is not an approver', async () => {
      expectError(await s.http.post(`/approval-requests/${pending.id}/decisions`).set(s.as('eve')).send({ decision: 'approve' }), 403);
    });

    it('refuses revision and withdrawal by anyone but the requester', async () => {
      expectError(await s.http.post(`/approval-requests/${pending.id}/withdraw`).set(s.as('bob')).send({ reason: 'no' }), 403);
    });

    it('refuses fulfilment by anyone without the fulfil role, and by the approver', async () => {
      expectError(await s.http.post(`/approval-requests/${approved.id}/fulfilment`).set(s.as('bob')).send({ note: 'done' }), 403);
      expectError(await s.http.post(`/approval-requests/${approved.id}/fulfilment`).set(s.as('eve')).send({ note: 'done' }), 403);
    });

    it('leaves the request untouched by refused actions', async () => {
      const view = await getRequest(s, pending.id);
      expect(view).toMatchObject({ status: 'pending_approval', currentLevel: 'manager' });
      expect(view.approvalLevels[0].decisions).toEqual([]);
    });
  });

  describe('state (409)', () => {
    it('refuses a second decision on an approved request, and fulfilment before approval', async () => {
      expectError(await s.http.post(`/approval-requests/${approved.id}/decisions`).set(s.as('bob')).send({ decision: 'approve' }), 409);
      expectError(await s.http.post(`/approval-requests/${pending.id}/fulfilment`).set(s.as('fiona')).send({ note: 'done' }), 409);
    });

    it('refuses a revision while no changes are requested', async () => {
      expectError(await s.http.post(`/approval-requests/${pending.id}/revisions`).set(s.as('alice')).send({ title: 'New title' }), 409);
    });

    it('refuses every action on a finished (rejected) request', async () => {
      expectError(await s.http.post(`/approval-requests/${rejected.id}/withdraw`).set(s.as('alice')).send({ reason: 'x' }), 409);
      expectError(await s.http.post(`/approval-requests/${rejected.id}/decisions`).set(s.as('bob')).send({ decision: 'approve' }), 409);
    });
  });
});
