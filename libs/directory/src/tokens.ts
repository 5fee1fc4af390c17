import { JwtService } from '@nestjs/jwt';

/** Signs an HS256 bearer token whose `sub` is a directory user id. */
export function signToken(userId: string, secret: string, expiresInSeconds = 12 * 3600): string {
  return new JwtService({ secret }).sign({ sub: userId }, { algorithm: 'HS256', expiresIn: expiresInSeconds });
}
