import 'reflect-metadata';
import exitHook from 'async-exit-hook';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, createLogger, loadConfig, StewardConfig } from '@steward/config';
import { findOrBuildTemporalCli, startEmbeddedPostgres, startTemporalDevServer, workerProcessOptions } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase, signToken } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';

/** dist/apps/launcher/src -> dist */
const DIST = resolve(__dirname, '..', '..', '..');
const STOP_GRACE_MS = 8000;
/** Longest Temporal (10 s, then SIGKILL) or Postgres (20 s, then SIGQUIT) takes to stop, with some room. */
const SERVICES_STOP_MS = 25_000;

/**
 * `npm start`: the whole stack on one machine. Embedded Postgres and the Temporal dev server unless
 * DATABASE_URL / TEMPORAL_ADDRESS point elsewhere, then migrations, the demo directory, the API and the worker.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config, 'launcher');
  const workerNode = workerNodeOptions();
  const dataDir = resolve(config.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const children: ChildProcess[] = [];
  let stopping = false;

  const stopAll = async () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping Steward');
    await Promise.all(children.map((c) => stopChild(c)));
    // Temporal and Postgres do not need each other to stop.
    await Promise.all(stops.map((stop) => stop().catch((e: Error) => log.warn({ err: e }, 'stop failed'))));
    log.info('stopped');
  };
  const shutdown = (code: number) => void stopAll().then(() => process.exit(code));
  /** What starts after Ctrl-C (a service still starting then) is stopped at once. */
  const started = (stop: () => Promise<void>) => {
    if (stopping) void stop().catch((e: Error) => log.warn({ err: e }, 'stop failed'));
    else stops.push(stop);
  };
  // devstack stops embedded Postgres through async-exit-hook on SIGINT/SIGTERM; hooking in there too makes
  // the process wait for the API, the worker and Temporal to stop as well.
  exitHook((done) => void stopAll().then(done));
  // async-exit-hook exits after 10 s by default, cutting short a worker that takes STOP_GRACE_MS to stop,
  // and the services after it; this leaves room for both.
  exitHook.forceExitTimeout(STOP_GRACE_MS + SERVICES_STOP_MS);

  try {
    // Postgres and Temporal start side by side: on a first run that is initdb next to fetching the CLI.
    const [database, temporal] = await settleAll([
      (async () => {
        if (config.DATABASE_URL) return { url: config.DATABASE_URL, embeddedAdminUrl: null };
        log.info({ dataDir }, 'starting embedded Postgres');
        const pg = await startEmbeddedPostgres({ dataDir, port: config.EMBEDDED_POSTGRES_PORT, log: (m) => log.info(m) });
        started(() => pg.stop());
        return { url: pg.url, embeddedAdminUrl: pg.url };
      })(),
      (async () => {
        if (config.TEMPORAL_ADDRESS) return { address: config.TEMPORAL_ADDRESS, uiUrl: null };
        const binary = await findOrBuildTemporalCli({ log: (m) => log.info(m) });
        log.info({ binary }, 'starting the Temporal dev server');
        const server = await startTemporalDevServer({
          binary,
          dbFile: join(dataDir, 'temporal.db'),
          port: config.TEMPORAL_DEV_PORT,
          uiPort: config.TEMPORAL_UI_PORT,
          namespace: config.TEMPORAL_NAMESPACE,
          log: (m) => log.info(m),
        });
        started(() => server.stop());
        return server;
      })(),
    ]);
    let databaseUrl = database.url;
    const { embeddedAdminUrl } = database;
    const temporalAddress = temporal.address;
    const temporalUi = temporal.uiUrl;

    const directoryFile = config.DIRECTORY_FILE ?? defaultDirectoryFile(resolve(DIST, '..'));
    const { seededUsers } = await prepareDatabase(config.MIGRATIONS_DATABASE_URL ?? databaseUrl, directoryFile);
    if (seededUsers > 0) log.info({ directoryFile, users: seededUsers }, 'seeded the directory');
    // The embedded database's superuser migrates; the API and worker run as the unprivileged app role.
    if (embeddedAdminUrl) databaseUrl = await ensureAppLogin(embeddedAdminUrl);

    if (stopping) return;

    const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: temporalAddress, MIGRATIONS_RUN: 'false' };
    for (const app of ['worker', 'api']) {
      const node = app === 'worker' ? workerNode : { execArgv: [], env: {} };
      const child = spawn(process.execPath, [...node.execArgv, join(DIST, 'apps', app, 'src', 'main.js')], { env: { ...env, ...node.env }, stdio: 'inherit' });
      child.once('exit', (code, signal) => {
        if (stopping) return;
        log.error({ app, code, signal }, `the ${app} exited unexpectedly`);
        shutdown(1);
      });
      children.push(child);
    }

    const api = `http://localhost:${config.PORT}`;
    await waitForHealth(`${api}/health`, 90_000);
    printWelcome(config, api, temporalUi);
  } catch (err) {
    log.error({ err }, 'could not start Steward');
    shutdown(1);
  }
}

/** Like Promise.all, but waits for every task to settle, so that whatever did start is in `stops` before a failure is handled. */
async function settleAll<T extends readonly unknown[]>(tasks: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs / 1000}s`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}

function printWelcome(config: StewardConfig, api: string, temporalUi: string | null): void {
  const token = signToken('alice', config.jwtSecret, undefined, { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
  const lines = [
    '',
    'Steward is running.',
    `  API          ${api}`,
    `  OpenAPI      ${api}/docs`,
    `  Health       ${api}/health`,
    temporalUi ? `  Temporal UI  ${temporalUi}` : `  Temporal     ${config.TEMPORAL_ADDRESS}`,
    '',
    config.usesDevJwtSecret ? `  JWT_SECRET is unset: using the development secret "${config.jwtSecret}".` : '',
    '  Token for alice (an employee; `npm run token -- <user>` for others):',
    `  export TOKEN=${token}`,
    `  curl -H "Authorization: Bearer $TOKEN" ${api}/me`,
    '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n') + '\n');
}

/** How the worker process is started (heap and malloc arenas capped); a bad WORKER_HEAP_MB is a config error. */
function workerNodeOptions(): ReturnType<typeof workerProcessOptions> {
  try {
    return workerProcessOptions();
  } catch (err) {
    throw new ConfigError([(err as Error).message]);
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});

