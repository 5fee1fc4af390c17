import { DynamicModule, Module } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DevTokenController } from './dev-token.controller';
import { devTokenRoutesEnabled, DevTokenService } from './dev-token.service';

/** The web console's server side: the development sign-in routes (static files are served from bootstrap). */
@Module({})
export class WebModule {
  static forRoot(config: StewardConfig): DynamicModule {
    const dev = devTokenRoutesEnabled(config);
    return { module: WebModule, controllers: dev ? [DevTokenController] : [], providers: dev ? [DevTokenService] : [] };
  }
}
