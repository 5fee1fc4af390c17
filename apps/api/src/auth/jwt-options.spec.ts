import { KeyObject } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { loadConfig } from '@steward/config';
import { signToken } from '@steward/directory';
import { jwtVerifyOptions } from './jwt-options';

describe('jwtVerifyOptions', () => {
  const secret = 'a-secret-of-at-least-16-chars, with ü and €';
  const config = loadConfig({ JWT_SECRET: secret, JWT_ISSUER: 'steward', JWT_AUDIENCE: 'steward-api' });
  const jwt = new JwtService(jwtVerifyOptions(config));

  it('hands jsonwebtoken a secret key object, made once, not the string', () => {
    const options = jwtVerifyOptions(config);
    expect(options.secret).toBeInstanceOf(KeyObject);
    expect((options.secret as KeyObject).type).toBe('secret');
    expect((options.secret as KeyObject).export().equals(Buffer.from(secret, 'utf8'))).toBe(true);
  });

  it('verifies a token signed with the secret as a string (npm run token), non-ASCII secret included', async () => {
    const token = signToken('alice', secret, 60, { issuer: 'steward', audience: 'steward-api' });
    await expect(jwt.verifyAsync(token)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('refuses another secret, another algorithm, and a mismatched issuer or audience', async () => {
    await expect(jwt.verifyAsync(signToken('alice', `${secret}!`, 60, { issuer: 'steward', audience: 'steward-api' }))).rejects.toThrow(/signature/);
    const hs512 = new JwtService({ secret }).sign({ sub: 'alice' }, { algorithm: 'HS512', expiresIn: 60, issuer: 'steward', audience: 'steward-api' });
    await expect(jwt.verifyAsync(hs512)).rejects.toThrow(/algorithm/);
    await expect(jwt.verifyAsync(signToken('alice', secret, 60, { issuer: 'other', audience: 'steward-api' }))).rejects.toThrow(/issuer/);
    await expect(jwt.verifyAsync(signToken('alice', secret, 60, { issuer: 'steward', audience: 'other' }))).rejects.toThrow(/audience/);
  });
});
