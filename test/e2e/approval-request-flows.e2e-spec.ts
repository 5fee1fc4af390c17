import { tasksOf } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { actOn, delegate, DelegationView, getRequest, purchaseBody, submitRequest } from '../support/approval-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * Approval requests end to end on the real stack: a purchase routed by amount, delegation in force (the task
 * goes to the delegate on the delegator's behalf, the audit records both), revision, withdrawal, fulfilment,
 * and the cycle-time report.
 *
 * Delegations are global: only fiona (finance, whom no other case type asks) delegates for now, to root, and
 * the delegation is revoked after the tests.
 */

jest.setTimeout(90_000);

const HOUR = 3_600_000;

describe('approval request flows', () => {
  let s: Steward;
  let fionaAway: DelegationView;
  const startedAt = new Date(Date.now() - 1000).toISOString();

  beforeAll(async () => {
    s = await startSteward();
    fionaAway = await delegate(s, 'fiona', {
      delegateId: 'root',
      from: new Date(Date.now() - HOUR).toISOString(),
      to: new Date(Date.now() + 2 * HOUR).toISOString(),
      reason: 'Annual leave',
    });
  });
  afterAll(async () => {
    await s.http.delete(`/me/delegations/${fionaAway.id}`).set(s.as('fiona'));
    await s.close();
  });

  it('routes a 25 000 CNY purchase to bob, then finance; fiona has delegated, so root approves on her behalf; fiona fulfils', async () => {
    const submitted = await submitRequest(s, 'alice', purchaseBody(25_000, 'Conference room screens'));
    expect(submitted).toMatchObject({ type: 'purchase', status: 'pending_approval', requesterId: 'alice', currentLevel: 'manager' });
    expect(submitted.approvalLevels.map((l) => [l.name, l.approvers, l.status])).toEqual([
      ['manager', ['bob'], 'pending'],
      ['finance', ['fiona'], 'waiting'],
    ]);
    expect((await tasksOf(s, 'bob')).filter((t) => t.caseId === submitted.id)).toEqual([
      expect.objectContaining({ caseType: 'approval_request', kind: 'approve_request', onBehalfOf: null }),
    ]);

    const afterBob = await actOn(s, submitted.id, 'decisions', 'bob', { decision: 'approve', comment: 'Needed' });
    expect(afterBob.currentLevel).toBe('finance');
    expect(afterBob.approvalLevels[1]).toMatchObject({ approvers: ['root'], delegations: [expect.objectContaining({ from: 'fiona', to: 'root' })] });
    expect((await tasksOf(s, 'root')).filter((t) => t.caseId === submitted.id)).toEqual([
      expect.objectContaining({ kind: 'approve_request', onBehalfOf: 'fiona' }),
    ]);
    expect((await tasksOf(s, 'fiona')).filter((t) => t.caseId === submitted.id)).toEqual([]);
    // root may read it now, as fiona's delegate (and admin); fiona, who delegated, may not decide.
    expectError(await s.http.post(`/approval-requests/${submitted.id}/decisions`).set(s.as('fiona')).send({ decision: 'approve' }), 403);

    const approved = await actOn(s, submitted.id, 'decisions', 'root', { decision: 'approve', comment: 'For fiona' });
    expect(approved).toMatchObject({ status: 'approved', decidedBy: 'root', fulfilment: { role: 'finance', assignees: ['fiona'] } });
    expect(approved.approvalLevels[1].decisions).toEqual([expect.objectContaining({ approverId: 'root', onBehalfOf: 'fiona' })]);
    expect((await tasksOf(s, 'fiona')).filter((t) => t.caseId === submitted.id)).toEqual([expect.objectContaining({ kind: 'fulfil_request', onBehalfOf: null })]);

    const fulfilled = await actOn(s, submitted.id, 'fulfilment', 'fiona', { note: 'PO 2026-118 sent' });
    expect(fulfilled).toMatchObject({ status: 'fulfilled', fulfilment: { by: 'fiona', note: 'PO 2026-118 sent' } });

    const audit = (await s.http.get(`/approval-requests/${submitted.id}/audit`).set(s.as('alice')).expect(200)).body.items as {
      actorId: string;
      action: string;
      data: Record<string, unknown>;
    }[];
    expect(audit.map((e) => e.action)).toEqual([
      'approval_request_submitted',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'approval_request_approved',
      'approval_request_fulfilled',
    ]);
    expect(audit[4].data).toMatchObject({ level: 'finance', approvers: ['root'], delegations: [{ from: 'fiona', to: 'root' }] });
    expect(audit[5]).toMatchObject({ actorId: 'root', data: expect.objectContaining({ onBehalfOf: 'fiona' }) });
  });

  it('sends a request back for changes; the revision is validated field by field and re-routed; then withdrawn', async () => {
    const submitted = await submitRequest(s, 'alice', purchaseBody(2000, 'Desk lamps'));
    const back = await actOn(s, submitted.id, 'decisions', 'bob', { decision: 'request_changes', comment: 'Which vendor?' });
    expect(back.status).toBe('changes_requested');
    expect((await tasksOf(s, 'alice')).filter((t) => t.caseId === submitted.id)).toEqual([expect.objectContaining({ kind: 'revise_request' })]);

    expectInvalid(
      await s.http.post(`/approval-requests/${submitted.id}/revisions`).set(s.as('alice')).send({ fields: { amount: { value: -1, currency: 'CNY' }, vendor: '' } }),
      'fields.vendor',
    );
    const revised = await actOn(s, submitted.id, 'revisions', 'alice', { fields: { amount: { value: 12_000, currency: 'CNY' }, vendor: 'IKEA' } });
    expect(revised).toMatchObject({ status: 'pending_approval', revision: 2, fields: expect.objectContaining({ vendor: 'IKEA', justification: 'Laptops for the new hires' }) });
    expect(revised.approvalLevels.map((l) => l.name)).toEqual(['manager', 'finance']);
    expect(revised.previousRounds[0][0]).toMatchObject({ name: 'manager', status: 'changes_requested' });

    const withdrawn = await actOn(s, submitted.id, 'withdraw', 'alice', { reason: 'Found spare lamps' });
    expect(withdrawn.status).toBe('withdrawn');
    expect((await tasksOf(s, 'bob')).filter((t) => t.caseId === submitted.id)).toEqual([]);
    expectError(await s.http.post(`/approval-requests/${submitted.id}/decisions`).set(s.as('bob')).send({ decision: 'approve' }), 409);
  });

  it('reports per type: count, approved %, cycle time p50/p90 and the wait at each level, computed in SQL', async () => {
    const quick = await submitRequest(s, 'eve', purchaseBody(800, 'Keyboard'));
    await actOn(s, quick.id, 'decisions', 'bob', { decision: 'approve' });
    const refused = await submitRequest(s, 'ivan', purchaseBody(900, 'Second monitor'));
    await actOn(s, refused.id, 'decisions', 'bob', { decision: 'reject', comment: 'Use the spare one' });

    const res = await s.http.get(`/reports/approvals?from=${encodeURIComponent(startedAt)}&type=purchase`).set(s.as('fiona')).expect(200);
    const purchase = res.body.byType.purchase;
    expect(Object.keys(res.body.byType)).toEqual(['purchase']);
    expect(purchase.count).toBeGreaterThanOrEqual(4);
    expect(purchase.rejected).toBeGreaterThanOrEqual(1);
    expect(purchase.approved).toBeGreaterThanOrEqual(2);
    expect(purchase.approvedPct).toBeGreaterThan(0);
    expect(purchase.approvedPct).toBeLessThan(100);
    expect(purchase.cycleTime.p50Ms).toBeGreaterThanOrEqual(0);
    expect(purchase.cycleTime.p90Ms).toBeGreaterThanOrEqual(purchase.cycleTime.p50Ms);
    expect(purchase.levels.manager.count).toBeGreaterThanOrEqual(4);
    expect(purchase.levels.manager.p90Ms).toBeGreaterThanOrEqual(purchase.levels.manager.p50Ms);
    expect(purchase.levels.finance.count).toBeGreaterThanOrEqual(1);

    const empty = await s.http.get('/reports/approvals?from=2001-01-01T00:00:00Z&to=2001-02-01T00:00:00Z').set(s.as('audrey')).expect(200);
    expect(empty.body.total).toBe(0);
    expect(empty.body.byType.purchase).toMatchObject({ count: 0, approvedPct: null, cycleTime: { p50Ms: null, p90Ms: null }, levels: {} });
    expect(Object.keys(empty.body.byType)).toEqual(expect.arrayContaining(['purchase', 'budget', 'access', 'expense']));

    const req = await getRequest(s, quick.id);
    expect(req.decidedAt).not.toBeNull();
  });
});
