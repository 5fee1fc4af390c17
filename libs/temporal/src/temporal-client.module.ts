import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import { StewardConfig } from '@steward/config';
import { createTemporalClient } from './temporal-client';

/** Provides the Temporal `Client` (and its `Connection`, for health checks) to the API. */
@Global()
@Module({
  providers: [
    {
      provide: Connection,
      inject: [StewardConfig],
      useFactory: (config: StewardConfig) => createTemporalClient({ address: config.temporalAddress, namespace: config.TEMPORAL_NAMESPACE }).connection,
    },
    {
      provide: Client,
      inject: [Connection, StewardConfig],
      useFactory: (connection: Connection, config: StewardConfig) => new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }),
    },
  ],
  exports: [Client, Connection],
})
export class TemporalClientModule implements OnApplicationShutdown {
  constructor(@Inject(Connection) private readonly connection: Connection) {}

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
