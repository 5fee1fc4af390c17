import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { StewardConfig } from '@steward/config';
import { AccessPolicy } from './access-policy';
import { jwtVerifyOptions } from './jwt-options';
import { JwtAuthGuard } from './jwt-auth.guard';

@Global()
@Module({
  imports: [
    JwtModule.registerAsync({
      inject: [StewardConfig],
      useFactory: jwtVerifyOptions,
    }),
  ],
  providers: [AccessPolicy, { provide: APP_GUARD, useClass: JwtAuthGuard }],
  exports: [AccessPolicy],
})
export class AuthModule {}
