import { decide, submitChange } from '../support/change-requests';
import { delegate } from '../support/approval-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * A change submitted while its manager is away: the API reads the delegations in force as it plans the route and
 * hands them to the workflow, which seats the delegate on level 1 in its first task. This file has its own
 * database, so bob's delegation reaches no other suite.
 */

jest.setTimeout(60_000);

describe('change requests while the manager has delegated', () => {
  let s: Steward;
  let delegationId: string | undefined;

  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(async () => {
    if (delegationId) await s.http.delete(`/me/delegations/${delegationId}`).set(s.as('bob'));
    await s.close();
  });

  it("seats bob's delegate on level 1 from the submission on, and the delegate's approval counts", async () => {
    const from = new Date(Date.now() - 60_000).toISOString();
    const to = new Date(Date.now() + 3_600_000).toISOString();
    delegationId = (await delegate(s, 'bob', { delegateId: 'sue', from, to, reason: 'Conference' })).id;

    const cr = await submitChange(s, 'alice');
    expect(cr.approvalLevels[0]).toMatchObject({
      name: 'manager',
      approvers: ['sue'],
      delegations: [expect.objectContaining({ from: 'bob', to: 'sue' })],
    });
    // The delegates came with the input: the submission's task ran one local activity (the commit), no look-up.
    const history = await s.temporal.workflow.getHandle(cr.workflowId).fetchHistory();
    const markers = (history.events ?? []).filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity');
    expect(markers).toHaveLength(1);

    const approved = await decide(s, cr.id, 'sue', 'approve', 'Approving for bob');
    expect(approved.approvalLevels[0]).toMatchObject({ status: 'approved', decisions: [expect.objectContaining({ approverId: 'sue', onBehalfOf: 'bob' })] });
  });

  it('routes to bob himself once the delegation is revoked', async () => {
    await s.http.delete(`/me/delegations/${delegationId}`).set(s.as('bob')).expect(204);
    delegationId = undefined;
    const cr = await submitChange(s, 'alice');
    expect(cr.approvalLevels[0]).toMatchObject({ name: 'manager', approvers: ['bob'] });
    expect(cr.approvalLevels[0].delegations ?? []).toEqual([]);
  });
});
