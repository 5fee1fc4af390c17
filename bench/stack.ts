import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { findOrBuildTemporalCli, freePort, startEmbeddedPostgres, startTemporalDevServer, workerProcessOptions } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';

/** dist/bench -> dist */
export const DIST = resolve(__dirname, '..');
export const REPO_ROOT = resolve(DIST, '..');
export const JWT_SECRET = 'steward-bench-secret-not-for-production';
const CHILD_STOP_GRACE_MS = 8000;

export type Stop = () => Promise<void>;

export interface StackOptions {
  /**
   * Run the API and worker as a login in the unprivileged `steward_app` role, as `npm start` does, instead of
   * as the user that migrated. With embedded Postgres the login is made by ensureAppLogin; with DATABASE_URL
   * that URL is used as it is (give the table owner in MIGRATIONS_DATABASE_URL and the app login in DATABASE_URL).
   */
  appRole?: boolean;
}

export interface BenchStack {
  /** What the API and worker connect as. */
  databaseUrl: string;
  /** The user that migrated (the embedded superuser, MIGRATIONS_DATABASE_URL or DATABASE_URL). */
  adminUrl: string;
  temporalAddress: string;
  namespace: string;
  apiUrl: string;
  /** The steward worker's task queue (unique per run, so a shared Temporal server is no problem). */
  taskQueue: string;
  embedded: { postgres: boolean; temporal: boolean };
  children: { api: ChildProcess; worker: ChildProcess };
  /** Rejects as soon as the API or the worker exits on its own; race it against every phase. */
  crashed: Promise<never>;
}

export const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

/**
 * Starts what the benchmark measures: embedded Postgres and an in-memory, headless Temporal dev server
 * (unless DATABASE_URL / TEMPORAL_ADDRESS are given), migrations and the demo directory, then the real API
 * and worker from dist/ as child processes. Everything started is pushed onto `stops` as soon as it exists,
 * so the caller can clean up after a failure halfway through.
 */
export async function startStack(stops: Stop[], options: StackOptions = {}): Promise<BenchStack> {
  const namespace = process.env.TEMPORAL_NAMESPACE || 'default';
  let dir: string | null = null;
  const tempDir = (): string => {
    if (dir === null) {
      const created = mkdtempSync(join(tmpdir(), 'steward-bench-'));
      dir = created;
      stops.push(async () => rmSync(created, { recursive: true, force: true }));
    }
    return dir;
  };

  let databaseUrl = process.env.DATABASE_URL || undefined;
  if (!databaseUrl) {
    const port = await freePort();
    log(`starting embedded Postgres on port ${port}`);
    const pg = await startEmbeddedPostgres({ dataDir: tempDir(), port, log });
    stops.push(() => pg.stop());
    databaseUrl = pg.url;
  }

  let temporalAddress = process.env.TEMPORAL_ADDRESS || undefined;
  if (!temporalAddress) {
    const binary = await findOrBuildTemporalCli({ log });
    const port = await freePort();
    log(`starting the Temporal dev server (in-memory, headless) on port ${port}`);
    const temporal = await startTemporalDevServer({ binary, port, uiPort: false, namespace, log });
    stops.push(() => temporal.stop());
    temporalAddress = temporal.address;
  }

  // Migrations run as the table owner when one is given, as the apps themselves would.
  const adminUrl = (process.env.DATABASE_URL && process.env.MIGRATIONS_DATABASE_URL) || databaseUrl;
  const directoryFile = process.env.DIRECTORY_FILE || defaultDirectoryFile(REPO_ROOT);
  const { seededUsers } = await prepareDatabase(adminUrl, directoryFile);
  log(`database migrated${seededUsers > 0 ? `, seeded ${seededUsers} users from ${directoryFile}` : ''}`);
  // The apps refuse to start as the table owner in production (NODE_ENV below): on the embedded Postgres they
  // always connect as the app role. `appRole` is kept for callers that ask for it explicitly.
  if ((options.appRole ?? true) && !process.env.DATABASE_URL) {
    databaseUrl = await ensureAppLogin(adminUrl);
    log(`the API and worker connect as ${new URL(databaseUrl).username} (member of steward_app)`);
  }

  const apiPort = await freePort();
  const taskQueue = `bench-steward-${randomUUID().slice(0, 8)}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: process.env.NODE_ENV || 'production',
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: namespace,
    TEMPORAL_TASK_QUEUE: taskQueue,
    MIGRATIONS_RUN: 'false',
    JWT_SECRET,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
    PORT: String(apiPort),
    // One user sends every request: measure the API, not its per-user rate limit (README "Rate limits").
    RATE_LIMIT_MAX: process.env.RATE_LIMIT_MAX || '1000000',
    RATE_LIMIT_EXPORT_MAX: process.env.RATE_LIMIT_EXPORT_MAX || '1000',
  };

  let stopping = false;
  let crash: (error: Error) => void = () => undefined;
  const crashed = new Promise<never>((_, reject) => (crash = reject));
  crashed.catch(() => undefined); // observed by whoever races it; never an unhandled rejection

  const spawnApp = (app: 'api' | 'worker'): ChildProcess => {
    // The worker starts as npm start starts it: heap and malloc arenas capped (workerProcessOptions).
    const node = app === 'worker' ? workerProcessOptions(env) : { execArgv: [], env: {} };
    const child = spawn(process.execPath, [...node.execArgv, join(DIST, 'apps', app, 'src', 'main.js')], { env: { ...env, ...node.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => process.stderr.write(`[${app}] ${line}\n`));
    }
    child.once('exit', (code, signal) => {
      if (!stopping) crash(new Error(`the ${app} exited unexpectedly (code ${code}, signal ${signal})`));
    });
    stops.push(async () => {
      stopping = true;
      await stopChild(child);
    });
    return child;
  };
  const worker = spawnApp('worker');
  const api = spawnApp('api');

  const apiUrl = `http://127.0.0.1:${apiPort}`;
  await Promise.race([waitForHealth(`${apiUrl}/health`, 90_000), crashed]);
  log(`API healthy at ${apiUrl}; worker on task queue ${taskQueue}`);

  return {
    databaseUrl,
    adminUrl,
    temporalAddress,
    namespace,
    apiUrl,
    taskQueue,
    embedded: { postgres: !process.env.DATABASE_URL, temporal: !process.env.TEMPORAL_ADDRESS },
    children: { api, worker },
    crashed,
  };
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not listening yet';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not become healthy within ${timeoutMs / 1000}s (last: ${last})`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      done();
    });
    child.kill('SIGTERM');
  });
}
