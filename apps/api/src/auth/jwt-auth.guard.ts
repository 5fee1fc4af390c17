import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { DirectoryService } from '@steward/directory';
import { StewardErrorCode, StewardException } from '../common/steward.exception';
import { IS_PUBLIC } from './public.decorator';

const unauthenticated = (message: string) => new StewardException(StewardErrorCode.UNAUTHENTICATED, message);

/** Every route needs `Authorization: Bearer <HS256 JWT>` whose `sub` is a directory user, unless @Public(). */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly directory: DirectoryService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [ctx.getHandler(), ctx.getClass()])) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, string | undefined>; user?: unknown }>();
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) throw unauthenticated('a bearer token is required');
    let claims: { sub?: unknown; exp?: unknown };
    try {
      // Algorithm, issuer and audience come from the module's verifyOptions (AuthModule).
      claims = await this.jwt.verifyAsync<{ sub?: unknown; exp?: unknown }>(token);
    } catch (e) {
      throw unauthenticated(`invalid token: ${(e as Error).message}`);
    }
    // A token without an expiry would be good forever once leaked.
    if (typeof claims.exp !== 'number') throw unauthenticated('the token has no exp');
    const { sub } = claims;
    if (typeof sub !== 'string') throw unauthenticated('the token has no sub');
    const user = await this.directory.findUser(sub);
    if (!user) throw unauthenticated(`user ${sub} is not in the directory`);
    req.user = user;
    return true;
  }
}
