/**
 * Regression: one Idempotency-Key sent by one caller for a change request and for a complaint names two
 * requests. Keyed by caller and key only, the pair shared a case id: the complaint's row replaced the change
 * request's, whose audit event was then skipped as a duplicate key while its workflow kept running.
 */
import { randomUUID } from 'node:crypto';
import { changeBody } from '../support/change-requests';
import { complaintBody } from '../support/complaints';
import { startSteward, Steward } from '../support/steward';

jest.setTimeout(120_000);

describe('Idempotency-Key across case types', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward();
  });

  afterAll(async () => {
    await s?.close();
  });

  it('gives each case type its own case for the same key, sent concurrently, and replays each on retry', async () => {
    // lena is an agent (complaints) and, like anyone, may submit a change.
    const auth = s.as('lena');
    for (let pair = 0; pair < 5; pair += 1) {
      const key = `same-key-${randomUUID()}`;
      const bodies = { change: changeBody(), complaint: complaintBody() };
      const [change, complaint] = await Promise.all([
        s.http.post('/change-requests').set(auth).set('Idempotency-Key', key).send(bodies.change),
        s.http.post('/complaints').set(auth).set('Idempotency-Key', key).send(bodies.complaint),
      ]);
      expect([change.status, complaint.status]).toEqual([201, 201]);
      expect(change.body.id).not.toBe(complaint.body.id);
      expect((await s.http.get(`/change-requests/${change.body.id}`).set(auth)).body).toMatchObject({ id: change.body.id, requesterId: 'lena' });
      expect((await s.http.get(`/complaints/${complaint.body.id}`).set(auth)).body).toMatchObject({ id: complaint.body.id, createdBy: 'lena' });

      const changeTrail = await s.http.get(`/change-requests/${change.body.id}/audit`).set(auth);
      expect(changeTrail.body.items.map((e: { action: string }) => e.action)).toContain('change_submitted');
      const complaintTrail = await s.http.get(`/complaints/${complaint.body.id}/audit`).set(auth);
      expect(complaintTrail.body.items.map((e: { action: string }) => e.action)).toContain('complaint_opened');

      const [changeAgain, complaintAgain] = await Promise.all([
        s.http.post('/change-requests').set(auth).set('Idempotency-Key', key).send(bodies.change),
        s.http.post('/complaints').set(auth).set('Idempotency-Key', key).send(bodies.complaint),
      ]);
      expect(changeAgain.body.id).toBe(change.body.id);
      expect(complaintAgain.body.id).toBe(complaint.body.id);
    }
    expect((await s.http.get('/audit/verify').set(s.as('audrey'))).body.ok).toBe(true);
  });
});
