import { JwtService } from '@nestjs/jwt';

export interface TokenClaims {
  /** `iss`, checked by the API when JWT_ISSUER is set. */
  issuer?: string;
  /** `aud`, checked by the API when JWT_AUDIENCE is set. */
  audience?: string;
}

/** Signs an HS256 bearer token whose `sub` is a directory user id; it always expires. */
export function signToken(userId: string, secret: string, expiresInSeconds = 12 * 3600, claims: TokenClaims = {}): string {
  return new JwtService({ secret }).sign(
    { sub: userId },
    { algorithm: 'HS256', expiresIn: expiresInSeconds, ...(claims.issuer ? { issuer: claims.issuer } : {}), ...(claims.audience ? { audience: claims.audience } : {}) },
  );
}
