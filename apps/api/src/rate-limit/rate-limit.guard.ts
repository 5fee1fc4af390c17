import { ExecutionContext, HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { InjectThrottlerOptions, InjectThrottlerStorage, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { Request, Response } from 'express';

/** Routes that stream the whole audit trail: they get their own, tighter limit (`RATE_LIMIT_EXPORT_MAX`). */
export const EXPORT_ROUTES: readonly string[] = ['/audit/export'];

export const isExportRoute = (ctx: ExecutionContext): boolean => {
  const req = ctx.switchToHttp().getRequest<Request>();
  const path = (req.route as { path?: unknown } | undefined)?.path;
  return EXPORT_ROUTES.includes(typeof path === 'string' ? path : req.path);
};

/**
 * Rate limits per caller: the token's subject when the bearer token verifies, else the client's IP (no token,
 * or a bad one: a forged `sub` must not drain someone else's allowance). One bucket per caller across the whole
 * API, not one per route. A refusal is 429 in the contract's error shape, with `Retry-After` in seconds.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    private readonly jwt: JwtService,
  ) {
    super(options, storage, reflector);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the base class's signature
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const request = req as Request;
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() === 'bearer' && token) {
      try {
        const { sub } = await this.jwt.verifyAsync<{ sub?: unknown }>(token);
        if (typeof sub === 'string') return `user:${sub}`;
      } catch {
        // Not a token we issued: counted against the address it came from.
      }
    }
    return `ip:${request.ip ?? request.socket.remoteAddress ?? 'unknown'}`;
  }

  protected override generateKey(_ctx: ExecutionContext, tracker: string, throttlerName: string): string {
    return `${throttlerName}:${tracker}`;
  }

  protected override async throwThrottlingException(ctx: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    const res = ctx.switchToHttp().getResponse<Response>();
    const retryAfter = Math.max(1, Math.ceil(detail.timeToBlockExpire));
    res.setHeader('Retry-After', String(retryAfter));
    const what = detail.key.startsWith('export:') ? 'exports of the audit trail' : 'requests';
    throw new HttpException(
      `Too many ${what}: at most ${detail.limit} per ${Math.round(detail.ttl / 1000)} s for each caller. Retry after ${retryAfter} s.`,
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
