import './register-paths';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { findOrBuildTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';
import { ensureFreshBuild } from './build';
import { e2eTestFiles, namespaceFor, quoteIdent, withDatabase } from './isolation';
import { STACK_FILE_ENV, TestStackInfo } from './stack-info';

type Stop = () => Promise<void>;
declare global {
  var __stewardStops: Stop[] | undefined;
}

const log = (m: string) => process.stderr.write(`[test stack] ${m}\n`);

/**
 * Starts the real services once for the e2e tier: embedded Postgres and the Temporal dev server, in a
 * throwaway directory (or DATABASE_URL / TEMPORAL_ADDRESS when given). Migrates and seeds a template
 * database that each test file copies (startSteward), creates a Temporal namespace per e2e test file, and
 * brings dist/ up to date for the tests that run the compiled CLI and worker.
 */
export default async function globalSetup(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'steward-test-'));
  const stops: Stop[] = [];
  globalThis.__stewardStops = stops;
  stops.push(async () => rmSync(dir, { recursive: true, force: true }));
  const runId = randomBytes(3).toString('hex');

  const build = ensureFreshBuild(log);
  // Awaited below; until then a failed build must not count as an unhandled rejection.
  build.catch(() => undefined);

  let databaseUrl = process.env.DATABASE_URL;
  const externalDatabase = Boolean(databaseUrl);
  if (!databaseUrl) {
    const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }

  const files = e2eTestFiles();
  let temporalAddress = process.env.TEMPORAL_ADDRESS;
  let namespaces: string[] = [];
  if (!temporalAddress) {
    const binary = await findOrBuildTemporalCli({ log });
    namespaces = files.map(namespaceFor);
    const temporal = await startTemporalDevServer({
      binary,
      port: await freePort(),
      uiPort: false,
      namespace: 'default',
      extraNamespaces: namespaces,
      log,
    });
    stops.push(() => temporal.stop());
    temporalAddress = temporal.address;
  } else {
    log(`TEMPORAL_ADDRESS is given: test files share its namespace ${process.env.TEMPORAL_NAMESPACE ?? 'default'} (each still has its own task queue)`);
  }

  const directoryFile = process.env.DIRECTORY_FILE ?? defaultDirectoryFile();
  const template = await makeTemplate(databaseUrl, externalDatabase ? `steward_template_${runId}` : 'steward_template', directoryFile);
  let appDatabaseUrl: string;
  if (template) {
    // Roles are cluster-wide: the app login made on the template works on the shared database's server too.
    appDatabaseUrl = withDatabase(template.appUrl, new URL(databaseUrl).pathname.slice(1));
    if (externalDatabase) stops.push(() => dropRunDatabases(databaseUrl, runId, template.name));
  } else {
    log('cannot create databases here: test files share the database of DATABASE_URL');
    await prepareDatabase(databaseUrl, directoryFile);
    // As in production: the app runs as a member of steward_app, not as the owner of the tables.
    appDatabaseUrl = await ensureAppLogin(databaseUrl);
  }

  await build;
  const info: TestStackInfo = { databaseUrl, appDatabaseUrl, temporalAddress, dir, runId, template: template?.name ?? null, namespaces };
  const file = join(dir, 'stack.json');
  writeFileSync(file, JSON.stringify(info));
  process.env[STACK_FILE_ENV] = file;
}

/**
 * Creates, migrates and seeds the template `name`, and the app login (a member of steward_app). Every connection to it is closed before returning: Postgres copies a template only while
 * nobody is connected to it. Null when this server does not let us create databases.
 */
async function makeTemplate(adminUrl: string, name: string, directoryFile: string): Promise<{ name: string; appUrl: string } | null> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)}`);
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    log(`CREATE DATABASE ${name} failed: ${(err as Error).message}`);
    return null;
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  await prepareDatabase(url, directoryFile);
  // As in production: the app runs as a member of steward_app, not as the owner of the tables.
  return { name, appUrl: await ensureAppLogin(url) };
}

/** On a server that outlives the run, drops what this run created (every connection is closed by now). */
async function dropRunDatabases(adminUrl: string, runId: string, template: string): Promise<void> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [`%\\_${runId}`, template]);
    for (const { datname } of rows) {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(datname)}`).catch((err: Error) => log(`could not drop ${datname}: ${err.message}`));
    }
  } finally {
    await admin.end();
  }
}
