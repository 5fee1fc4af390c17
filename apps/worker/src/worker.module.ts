import { Module } from '@nestjs/common';
import { ConfigModule, StewardConfig } from '@steward/config';
import { DirectoryModule } from '@steward/directory';
import { PersistenceModule } from '@steward/persistence';
import { ACTIVITY_PROVIDERS } from './activities';
import { DELIVERY_PROVIDERS } from './delivery';
import { TemporalWorkerService } from './temporal-worker.service';

@Module({})
export class WorkerModule {
  static forRoot(config: StewardConfig) {
    return {
      module: WorkerModule,
      imports: [ConfigModule.forRoot(config), PersistenceModule.forRoot({ migrate: false }), DirectoryModule],
      providers: [...ACTIVITY_PROVIDERS, TemporalWorkerService, ...DELIVERY_PROVIDERS],
      exports: [TemporalWorkerService],
    };
  }
}
