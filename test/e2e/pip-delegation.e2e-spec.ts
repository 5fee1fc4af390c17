/**
 * A plan is confidential, and delegation must not open it to anyone else: an HR approver who is away and has
 * delegated to someone outside HR keeps the seat, so the plan, its task and its trail stay with its readers.
 */
import { delegate } from '../support/approval-requests';
import { draftPip } from '../support/pips';
import { startSteward, Steward } from '../support/steward';

jest.setTimeout(120_000);

describe('PIP approvals and delegation', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward();
  });

  afterAll(async () => {
    await s?.close();
  });

  it('leaves the HR seat with hank when he has delegated to carol, who is not in HR', async () => {
    const now = Date.now();
    await delegate(s, 'hank', {
      delegateId: 'carol',
      from: new Date(now - 60_000).toISOString(),
      to: new Date(now + 24 * 3600_000).toISOString(),
      reason: 'Annual leave',
    });
    const plan = await draftPip(s, 'bob', { employeeId: 'eve' });
    expect(plan.approvalLevels).toEqual([expect.objectContaining({ name: 'hr', approvers: ['hank'], status: 'pending' })]);

    const hankTasks = (await s.http.get('/tasks').set(s.as('hank')).expect(200)).body as { caseId: string; kind: string }[];
    expect(hankTasks).toContainEqual(expect.objectContaining({ caseId: plan.id, kind: 'approve_pip' }));
    const carolTasks = (await s.http.get('/tasks').set(s.as('carol')).expect(200)).body as { caseId: string }[];
    expect(carolTasks.filter((t) => t.caseId === plan.id)).toEqual([]);

    expect((await s.http.get(`/pips/${plan.id}`).set(s.as('carol'))).status).toBe(404);
    expect((await s.http.get(`/pips/${plan.id}/audit`).set(s.as('carol'))).status).toBe(404);
    expect((await s.http.post(`/pips/${plan.id}/decisions`).set(s.as('carol')).send({ decision: 'approve' })).status).toBe(404);
    const decided = await s.http.post(`/pips/${plan.id}/decisions`).set(s.as('hank')).send({ decision: 'approve', comment: 'Clear goals' });
    expect(decided.status).toBe(200);
    expect(decided.body.status).toBe('awaiting_acknowledgement');
  });
});
