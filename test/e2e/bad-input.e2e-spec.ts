/** Bad input found by trying the API as an outsider would: each gets a 4xx in the contract's error shape, never a 500. */
import { randomUUID } from 'node:crypto';
import { startSteward, Steward } from '../support/steward';

describe('bad input is a 4xx, never a 500', () => {
  let s: Steward;

  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
  });

  afterAll(async () => {
    await s?.close();
  });

  it('answers a 6 MiB body with 413', async () => {
    const res = await s.http
      .post('/complaints')
      .set(s.as('sam'))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ subject: 'x'.repeat(6 * 1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ statusCode: 413, error: 'Payload Too Large', details: [] });
  });

  it('answers marking a notification read with an unexpected JSON body as it does without one', async () => {
    const id = randomUUID();
    const res = await s.http.post(`/notifications/${id}/read`).set(s.as('sam')).send({ read: true });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });
});
