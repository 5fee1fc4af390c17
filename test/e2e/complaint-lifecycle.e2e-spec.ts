import { startSteward, Steward } from '../support/steward';

describe('complaint lifecycle over HTTP', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  it('goes from intake through first response and resolution to closed, with SLA clocks', async () => {
    const opened = await s.http
      .post('/complaints')
      .set(s.as('sam'))
      .send({
        customer: { id: 'C-1', name: 'Acme Ltd', tier: 'A' },
        channel: 'phone',
        subject: 'Invoice charged twice',
        description: 'The customer was charged twice for November',
        severity: 'high',
      })
      .expect(201);
    expect(opened.body).toMatchObject({ status: 'open', priority: 'P1', team: 'service', escalationLevel: 0, reopenCount: 0 });
    expect(opened.body.sla.firstResponse).toMatchObject({ status: 'running' });
    expect(opened.body.sla.resolution).toMatchObject({ status: 'running' });
    const id = opened.body.id;
    const owner = opened.body.ownerId;
    expect(['lena', 'sam', 'tina']).toContain(owner);

    const tasks = await s.http.get('/tasks').set(s.as(owner)).expect(200);
    expect(tasks.body).toContainEqual(expect.objectContaining({ caseId: id, kind: 'respond_complaint', caseType: 'complaint' }));

    const responded = await s.http.post(`/complaints/${id}/responses`).set(s.as(owner)).send({ message: 'We are on it' }).expect(200);
    expect(responded.body.status).toBe('in_progress');
    expect(responded.body.sla.firstResponse.status).toBe('met');
    expect(responded.body.sla.update.status).toBe('running');
    // The owner's task moves on from responding to resolving.
    const afterResponse = (await s.http.get('/tasks').set(s.as(owner)).expect(200)).body.filter((t: { caseId: string }) => t.caseId === id);
    expect(afterResponse).toEqual([expect.objectContaining({ kind: 'respond_complaint', title: expect.stringMatching(/^Resolve /) })]);

    const paused = await s.http.post(`/complaints/${id}/pause`).set(s.as(owner)).send({ reason: 'waiting for the bank statement' }).expect(200);
    expect(paused.body.status).toBe('awaiting_customer');
    expect(paused.body.sla.resolution.status).toBe('paused');
    await s.http.post(`/complaints/${id}/resume`).set(s.as(owner)).send({}).expect(200);

    const resolved = await s.http.post(`/complaints/${id}/resolution`).set(s.as(owner)).send({ summary: 'Refunded the duplicate charge' }).expect(200);
    expect(resolved.body.status).toBe('resolved');
    expect(resolved.body.sla.resolution.status).toBe('met');

    const closed = await s.http.post(`/complaints/${id}/feedback`).set(s.as(owner)).send({ satisfied: true, comment: 'thanks' }).expect(200);
    expect(closed.body.status).toBe('closed');
    expect((await s.http.get('/tasks').set(s.as(owner)).expect(200)).body.filter((t: { caseId: string }) => t.caseId === id)).toEqual([]);

    const audit = await s.http.get(`/complaints/${id}/audit`).set(s.as(owner)).expect(200);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toEqual([
      'complaint_opened',
      'first_response',
      'sla_paused',
      'sla_resumed',
      'complaint_resolved',
      'complaint_closed',
    ]);
  });
});
