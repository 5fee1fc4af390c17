/** Bearer tokens: HS256 with JWT_SECRET, an expiry always, and issuer/audience when the deployment sets them. */
import { JwtService } from '@nestjs/jwt';
import { signToken } from '@steward/directory';
import { startSteward, Steward } from '../support/steward';

const SECRET = 'test-secret-at-least-16-chars';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('bearer tokens', () => {
  let s: Steward;
  let strict: Steward;

  beforeAll(async () => {
    [s, strict] = await Promise.all([
      startSteward({}, { worker: false }),
      startSteward({ JWT_ISSUER: 'steward', JWT_AUDIENCE: 'steward-api' }, { worker: false }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([s?.close(), strict?.close()]);
  });

  it('accepts a token with sub and exp', async () => {
    const res = await s.http.get('/me').set(bearer(signToken('alice', SECRET)));
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('alice');
  });

  it('refuses a token without exp, which would never expire', async () => {
    const forever = new JwtService({ secret: SECRET }).sign({ sub: 'alice' }, { algorithm: 'HS256' });
    const res = await s.http.get('/me').set(bearer(forever));
    expect(res.status).toBe(401);
    expect(res.body.message).toMatch(/no exp/);
  });

  it('refuses an expired token and one signed with another secret', async () => {
    const expired = new JwtService({ secret: SECRET }).sign({ sub: 'alice', exp: Math.floor(Date.now() / 1000) - 60 }, { algorithm: 'HS256' });
    expect((await s.http.get('/me').set(bearer(expired))).status).toBe(401);
    expect((await s.http.get('/me').set(bearer(signToken('alice', 'another-secret-of-16-chars')))).status).toBe(401);
  });

  it('with JWT_ISSUER and JWT_AUDIENCE set, refuses tokens that lack or mismatch them', async () => {
    const good = signToken('alice', SECRET, 600, { issuer: 'steward', audience: 'steward-api' });
    expect((await strict.http.get('/me').set(bearer(good))).status).toBe(200);
    expect((await strict.http.get('/me').set(bearer(signToken('alice', SECRET)))).status).toBe(401);
    expect((await strict.http.get('/me').set(bearer(signToken('alice', SECRET, 600, { issuer: 'evil', audience: 'steward-api' })))).status).toBe(401);
    expect((await strict.http.get('/me').set(bearer(signToken('alice', SECRET, 600, { issuer: 'steward', audience: 'other' })))).status).toBe(401);
  });
});
