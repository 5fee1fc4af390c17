import './register-paths';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOrBuildTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';
import { STACK_FILE_ENV, TestStackInfo } from './stack-info';

type Stop = () => Promise<void>;
declare global {
  var __stewardStops: Stop[] | undefined;
}

/**
 * Starts the real services once for the e2e tier: embedded Postgres and the Temporal dev server, in a
 * throwaway directory (or DATABASE_URL / TEMPORAL_ADDRESS when given). Test files then run API and worker.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const log = (m: string) => process.stderr.write(`[test stack] ${m}\n`);
  const stops: Stop[] = [];
  globalThis.__stewardStops = stops;
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));

  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  if (!temporalAddress) {
    const binary = await findOrBuildTemporalCli({ log });
    const temporal = await startTemporalDevServer({ binary, port: await freePort(), uiPort: false, namespace: 'default', log });
    stops.push(() => temporal.stop());
    temporalAddress = temporal.address;
  }
  await prepareDatabase(databaseUrl, process.env.DIRECTORY_FILE ?? defaultDirectoryFile());
  // As in production: the app runs as a member of steward_app, not as the owner of the tables.
  const appDatabaseUrl = await ensureAppLogin(databaseUrl);
  const info: TestStackInfo = { databaseUrl, appDatabaseUrl, temporalAddress, dir };
  const file = join(dir, 'stack.json');
  writeFileSync(file, JSON.stringify(info));
  process.env[STACK_FILE_ENV] = file;
}
