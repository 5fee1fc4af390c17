import { createSecretKey } from 'node:crypto';
import type { JwtModuleOptions } from '@nestjs/jwt';
import { StewardConfig } from '@steward/config';

/**
 * How the API verifies bearer tokens, in AuthModule and in RateLimitModule (which tells a caller's own tokens from
 * forged ones): HS256, with the configured issuer and audience. The secret is handed to jsonwebtoken as a key
 * object, made once: given a string, jsonwebtoken first tries to read it as a public key on every verification
 * and falls back to a secret key when that throws, and the failed attempt was a fifth of the API's CPU under load
 * (`--cpu-prof` during `npm run bench`). The key is the secret's UTF-8 bytes, as jsonwebtoken's fallback makes it,
 * so tokens signed with the string (`npm run token`) verify as before.
 */
export function jwtVerifyOptions(config: StewardConfig): JwtModuleOptions {
  return {
    secret: createSecretKey(Buffer.from(config.jwtSecret, 'utf8')),
    verifyOptions: { algorithms: ['HS256'], issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
  };
}
