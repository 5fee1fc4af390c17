import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { StewardConfig } from '@steward/config';
import { AccessPolicy } from './access-policy';
import { JwtAuthGuard } from './jwt-auth.guard';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [StewardConfig],
      useFactory: (config: StewardConfig) => ({
        secret: config.jwtSecret,
        verifyOptions: { algorithms: ['HS256'], issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE },
      }),
    }),
  ],
  providers: [AccessPolicy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [AccessPolicy],
})
export class AuthModule {}
