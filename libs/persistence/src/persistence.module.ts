import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StewardConfig } from '@steward/config';
import { DataSource } from 'typeorm';
import { CaseStore } from './case-store';
import { dataSourceOptions, openDataSource } from './data-source';
import { OwnerConnectionCheck } from './owner-check';
import { REPOSITORIES } from './repositories';

/** The TypeORM connection for a Nest app; `migrate` applies pending migrations at boot (the API does). */
@Module({})
export class PersistenceModule {
  static forRoot({ migrate }: { migrate: boolean }): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [StewardConfig],
          useFactory: async (config: StewardConfig) => {
            // Migrations run as the table owner when one is given, so the app's own role needs no DDL rights.
            if (migrate && config.MIGRATIONS_RUN) await (await openDataSource(config.MIGRATIONS_DATABASE_URL ?? config.databaseUrl)).destroy();
            return { ...dataSourceOptions(config.databaseUrl), retryAttempts: 10, retryDelay: 1000 };
          },
        }),
      ],
      providers: [
        ...[CaseStore, ...REPOSITORIES].map((Repository) => ({ provide: Repository, inject: [DataSource], useFactory: (ds: DataSource) => new Repository(ds) })),
        OwnerConnectionCheck,
      ],
      exports: [CaseStore, ...REPOSITORIES],
    };
  }
}
