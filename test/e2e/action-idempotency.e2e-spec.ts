import { complaintBody } from '../support/complaints';
import { startSteward, Steward } from '../support/steward';

/**
 * An action retried with the same Idempotency-Key (its response was lost: the API was killed, a 503) lands
 * once: the key is the Temporal update's id, so the retry gets the first outcome. A second response without a
 * key is a second response (a customer update), as before.
 */
describe('Idempotency-Key on case actions', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  const actions = async (id: string): Promise<string[]> =>
    ((await s.http.get(`/complaints/${id}/audit`).set(s.as('audrey')).expect(200)).body.items as { action: string }[]).map((e) => e.action);

  it('runs a repeated action once, and a repeat without the key twice', async () => {
    const opened = await s.http.post('/complaints').set(s.as('sam')).send(complaintBody()).expect(201);
    const { id, ownerId } = opened.body as { id: string; ownerId: string };
    const respond = () => s.http.post(`/complaints/${id}/responses`).set(s.as(ownerId)).set('Idempotency-Key', 'respond-1').send({ message: 'We are on it' });
    const first = await respond().expect(200);
    const again = await respond().expect(200);
    expect(again.body.status).toBe('in_progress');
    expect(again.body.sla.firstResponse).toEqual(first.body.sla.firstResponse);
    expect(await actions(id)).toEqual(['complaint_opened', 'first_response']);

    await s.http.post(`/complaints/${id}/responses`).set(s.as(ownerId)).send({ message: 'An update' }).expect(200);
    expect(await actions(id)).toEqual(['complaint_opened', 'first_response', 'customer_update']);
  });

  it('refuses a malformed key on an action with 400', async () => {
    const opened = await s.http.post('/complaints').set(s.as('sam')).send(complaintBody({ subject: 'Second' })).expect(201);
    const res = await s.http.post(`/complaints/${opened.body.id}/responses`).set(s.as(opened.body.ownerId)).set('Idempotency-Key', 'has space').send({ message: 'x' }).expect(400);
    expect(res.body.details).toEqual([expect.objectContaining({ field: 'Idempotency-Key' })]);
  });
});
