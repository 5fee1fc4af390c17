import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { ThrottlerModule } from '@nestjs/throttler';
import { StewardConfig } from '@steward/config';
import { jwtVerifyOptions } from '../auth/jwt-options';
import { isExportRoute, RateLimitGuard } from './rate-limit.guard';

/**
 * Per-caller rate limits (RATE_LIMIT_WINDOW, RATE_LIMIT_MAX, RATE_LIMIT_EXPORT_MAX), counted in this API
 * process's memory. Imported before AuthModule so that its guard runs first: callers without a valid token are
 * limited too, by address.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [StewardConfig],
      useFactory: (config: StewardConfig) => ({
        throttlers: [
          { name: 'default', ttl: config.rateLimitWindowMs, limit: config.RATE_LIMIT_MAX },
          { name: 'export', ttl: config.rateLimitWindowMs, limit: config.RATE_LIMIT_EXPORT_MAX, skipIf: (ctx) => !isExportRoute(ctx) },
        ],
      }),
    }),
    // The same verification as AuthModule's, to tell a caller's own tokens from forged ones.
    JwtModule.registerAsync({
      inject: [StewardConfig],
      useFactory: jwtVerifyOptions,
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
