import type { Response } from 'supertest';
import { startSteward, Steward } from '../support/steward';

/**
 * Issue 11, rate limits: per caller (the token's subject; the address without a valid token), tighter on audit
 * exports. This API runs with small limits so that a few calls reach them; the defaults are far higher.
 */

jest.setTimeout(60_000);

const EXPORT_MAX = 3;
const MAX = 40;

/** 429 in the contract's error shape, with Retry-After in whole seconds within the window. */
function expectTooMany(res: Response): number {
  expect({ status: res.status, body: res.body }).toEqual({
    status: 429,
    body: { statusCode: 429, error: 'Too Many Requests', message: expect.stringMatching(/^Too many .*Retry after \d+ s\.$/), details: [] },
  });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(60);
  return retryAfter;
}

describe('rate limits', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward({ RATE_LIMIT_WINDOW: 'PT1M', RATE_LIMIT_MAX: String(MAX), RATE_LIMIT_EXPORT_MAX: String(EXPORT_MAX) });
  });
  afterAll(() => s.close());

  const exportAs = (user: string) => s.http.get('/audit/export?format=jsonl').set(s.as(user));

  it('an auditor exceeding the export limit gets 429 in the contract shape with Retry-After; other routes and other callers still work', async () => {
    for (let i = 0; i < EXPORT_MAX; i++) expect((await exportAs('audrey')).status).toBe(200);
    const refused = await exportAs('audrey');
    expectTooMany(refused);
    expect(refused.body.message).toMatch(/exports of the audit trail: at most 3 per 60 s/);
    // The export limit is the export's own: audrey's other reads, and another auditor's exports, go on.
    expect((await s.http.get('/audit/events?limit=1').set(s.as('audrey'))).status).toBe(200);
    expect((await exportAs('root')).status).toBe(200);
  });

  it('every caller has one allowance across the API; a forged or missing token counts against the address, not the user it names', async () => {
    // Unauthenticated calls (no token, a token signed with another secret) share the address's bucket.
    const forged = { Authorization: `Bearer ${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"eve"}').toString('base64url')}.x` };
    const statuses: number[] = [];
    for (let i = 0; i < MAX; i++) statuses.push((await s.http.get('/me').set(i % 2 ? forged : {})).status);
    expect(statuses).toEqual(Array(MAX).fill(401));
    expectTooMany(await s.http.get('/me'));
    // eve, named by the forged token, was not charged: her own token still works.
    expect((await s.http.get('/me').set(s.as('eve'))).status).toBe(200);

    // One bucket per user, whatever the route.
    for (let i = 0; i < MAX - 1; i++) {
      const path = ['/me', '/tasks', '/notifications'][i % 3];
      expect((await s.http.get(path).set(s.as('eve'))).status).toBe(200);
    }
    expectTooMany(await s.http.get('/tasks').set(s.as('eve')));
    expect((await s.http.get('/tasks').set(s.as('bob'))).status).toBe(200);
  });
});
