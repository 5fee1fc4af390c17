import { DynamicModule, Global, Module } from '@nestjs/common';
import { StewardConfig } from './steward-config';

/** Makes the one validated configuration injectable as `StewardConfig`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: StewardConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: StewardConfig, useValue: config }], exports: [StewardConfig] };
  }
}
