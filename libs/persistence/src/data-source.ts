import { DataSource, DataSourceOptions } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export function dataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    // Several API and worker processes may boot at once: only one applies migrations.
    migrationsTransactionMode: 'all',
    extra: { max: 10 },
  };
}

/** Opens a connection and brings the schema up to date: used by the API at boot, the launcher and tests. */
export async function openDataSource(url: string, { migrate = true } = {}): Promise<DataSource> {
  const ds = new DataSource(dataSourceOptions(url));
  await ds.initialize();
  if (migrate) {
    // A session advisory lock keeps concurrent boots from racing on the same migration.
    const lock = ds.createQueryRunner();
    await lock.connect();
    try {
      await lock.query('SELECT pg_advisory_lock(7431)');
      await ds.runMigrations();
    } finally {
      await lock.query('SELECT pg_advisory_unlock(7431)').catch(() => undefined);
      await lock.release();
    }
  }
  return ds;
}
