import { startSteward, Steward } from '../support/steward';

const hourAgo = () => new Date(Date.now() - 3600_000).toISOString();
const inHours = (h: number) => new Date(Date.now() + h * 3600_000).toISOString();

describe('change request lifecycle over HTTP', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  it('goes from submission through manager approval, implementation and verification to closed', async () => {
    const submit = await s.http
      .post('/change-requests')
      .set(s.as('alice'))
      .send({
        title: 'Rotate TLS certificates',
        description: 'Renew the edge certificates',
        type: 'normal',
        probability: 'low',
        impact: 'medium',
        affectedSystems: ['edge'],
        plannedStart: hourAgo(),
        plannedEnd: inHours(2),
        rollbackPlan: 'Restore the old certificates',
        implementerId: 'ivan',
      })
      .expect(201);
    expect(submit.body).toMatchObject({ status: 'pending_approval', riskLevel: 'low', requesterId: 'alice', implementerId: 'ivan' });
    expect(submit.body.approvalLevels).toEqual([expect.objectContaining({ name: 'manager', rule: 'any', approvers: ['bob'], status: 'pending' })]);
    const id = submit.body.id;

    const tasks = await s.http.get('/tasks').set(s.as('bob')).expect(200);
    expect(tasks.body).toContainEqual(expect.objectContaining({ caseId: id, kind: 'approve_change', caseType: 'change_request' }));

    const approved = await s.http.post(`/change-requests/${id}/decisions`).set(s.as('bob')).send({ decision: 'approve' }).expect(200);
    expect(approved.body.status).toBe('scheduled');
    expect(approved.body.windowOpenedAt).not.toBeNull();
    expect((await s.http.get(`/change-requests/${id}`).set(s.as('alice')).expect(200)).body.status).toBe('scheduled');

    await s.http.post(`/change-requests/${id}/implementation`).set(s.as('ivan')).send({ event: 'started' }).expect(200);
    await s.http.post(`/change-requests/${id}/implementation`).set(s.as('ivan')).send({ event: 'completed', note: 'done' }).expect(200);
    const verifyTasks = await s.http.get('/tasks').set(s.as('alice')).expect(200);
    expect(verifyTasks.body).toContainEqual(expect.objectContaining({ caseId: id, kind: 'verify_change' }));
    const closed = await s.http.post(`/change-requests/${id}/verification`).set(s.as('alice')).send({ outcome: 'verified' }).expect(200);
    expect(closed.body.status).toBe('closed');

    const audit = await s.http.get(`/change-requests/${id}/audit`).set(s.as('alice')).expect(200);
    const actions = audit.body.items.map((e: { action: string }) => e.action);
    expect(actions).toEqual([
      'change_submitted',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'change_approved',
      'change_window_opened',
      'implementation_started',
      'implementation_completed',
      'change_verified',
      'change_closed',
    ]);
    expect(audit.body.items.at(-1)).toMatchObject({ fromStatus: 'implemented', toStatus: 'closed', actorId: 'alice', workflowId: `change-request-${id}` });
  });
});
