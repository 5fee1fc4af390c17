import { execFile, spawn } from 'node:child_process';
import { createWriteStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client as PgClient } from 'pg';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { stewardCacheDir } from './cache-dir';
import { RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { withFileLock } from './file-lock';
import { hostProcess } from './host-context';
import { DevstackLog, DevstackLogger, OutputTail, describeError, forEachLine, toLogger } from './log';
import { freePort, isPortFree } from './ports';
import { ChildExit, describeChildExit, findOnPath, isExecutableFile, isPidAlive, runCommand, sleep, terminateChild, waitForChildExit } from './processes';

/**
 * The production Temporal server (not the CLI's dev server): built from the Go module proxy with `go install`,
 * its schema set up on Postgres with its own SQL tool, configured with a YAML file, started as a child process.
 * Newer tags need a newer Go than 1.26; this one builds without `replace` lines.
 */
export const TEMPORAL_SERVER_VERSION = '1.30.4';
const SERVER_MODULE = 'go.temporal.io/server';
const SERVER_PACKAGE = `${SERVER_MODULE}/cmd/server`;
const SQL_TOOL_PACKAGE = `${SERVER_MODULE}/cmd/tools/sql`;
/** Inside the module, and copied beside the binaries so the cache needs no Go module cache later. */
const SCHEMA_DIR = join('schema', 'postgresql', 'v12');
const PROGRESS_INTERVAL_MS = 30_000;
const HOST = '127.0.0.1';
const STOP_GRACE_MS = 15_000;

export interface TemporalServerInstall {
  /** The `server` binary (`temporal-server` in release archives). */
  server: string;
  /** The `sql` binary (`temporal-sql-tool`). */
  sqlTool: string;
  /** `schema/postgresql/v12` of the module: `temporal/versioned`, `visibility/schema.sql`, `version.go`. */
  schemaDir: string;
}

export interface FindTemporalServerOptions {
  log?: DevstackLog;
  /** Defaults to stewardCacheDir(). */
  cacheDir?: string;
  /** Defaults to process.env. Its PATH is where `go` is looked for. */
  env?: NodeJS.ProcessEnv;
}

/** Where one version of the server, its SQL tool and its schema are kept; the name carries the version. */
export function temporalServerCacheDir(version = TEMPORAL_SERVER_VERSION, cacheDir = stewardCacheDir()): string {
  return join(cacheDir, `temporal-server-v${version}`);
}

/**
 * The Temporal server and its SQL tool from the devstack cache, built there once with `go install` (a few
 * minutes; progress every 30 s) when missing. The module's Postgres schema is copied beside them.
 */
export async function findOrBuildTemporalServer(options: FindTemporalServerOptions = {}): Promise<TemporalServerInstall> {
  const log = toLogger(options.log);
  const env = options.env ?? process.env;
  const dir = temporalServerCacheDir(TEMPORAL_SERVER_VERSION, options.cacheDir);
  const install: TemporalServerInstall = { server: join(dir, 'server'), sqlTool: join(dir, 'sql'), schemaDir: join(dir, SCHEMA_DIR) };
  if (await isInstalled(install)) {
    log.debug(`Using the cached Temporal server ${TEMPORAL_SERVER_VERSION}: ${dir}`);
    return install;
  }
  const go = await findOnPath('go', env);
  if (!go) {
    throw new Error(
      `No Temporal server ${TEMPORAL_SERVER_VERSION} in ${dir}, and Go is not on PATH to build it. Install Go (1.26 or newer): ` +
        `it is then built once with "go install ${SERVER_PACKAGE}@v${TEMPORAL_SERVER_VERSION} ${SQL_TOOL_PACKAGE}@v${TEMPORAL_SERVER_VERSION}".`,
    );
  }
  await fs.mkdir(dir, { recursive: true });
  return withFileLock(join(dir, '.install.lock'), { log, purpose: 'building the Temporal server' }, async () => {
    await removeAbandonedWorkDirs(dir);
    if (!(await isExecutableFile(install.server)) || !(await isExecutableFile(install.sqlTool))) await buildWithGo(go, dir, env, log);
    if (!(await isSchemaDir(install.schemaDir))) await copySchema(go, dir, env, log);
    return install;
  });
}

async function isInstalled(install: TemporalServerInstall): Promise<boolean> {
  return (await isExecutableFile(install.server)) && (await isExecutableFile(install.sqlTool)) && (await isSchemaDir(install.schemaDir));
}

async function isSchemaDir(dir: string): Promise<boolean> {
  return (await fs.stat(join(dir, 'version.go')).catch(() => null))?.isFile() ?? false;
}

async function buildWithGo(go: string, dir: string, env: NodeJS.ProcessEnv, log: DevstackLogger): Promise<void> {
  // Built beside the targets so the final renames are atomic: a killed build never leaves a half-written binary.
  const buildDir = join(dir, `.build-${process.pid}`);
  await fs.rm(buildDir, { recursive: true, force: true });
  await fs.mkdir(buildDir);
  const started = Date.now();
  const seconds = (): number => Math.round((Date.now() - started) / 1000);
  log.info(`Temporal server: building ${SERVER_PACKAGE} and its SQL tool v${TEMPORAL_SERVER_VERSION} with Go, first run only, takes a few minutes...`);
  const progress = setInterval(() => log.info(`Temporal server: still building with Go (${seconds()} s so far)...`), PROGRESS_INTERVAL_MS);
  try {
    await runCommand(go, ['install', `${SERVER_PACKAGE}@v${TEMPORAL_SERVER_VERSION}`, `${SQL_TOOL_PACKAGE}@v${TEMPORAL_SERVER_VERSION}`], {
      cwd: buildDir,
      env: { ...env, CGO_ENABLED: '0', GOBIN: buildDir },
      log,
      label: 'go',
      quiet: true,
    });
    const version = await serverVersion(join(buildDir, 'server'));
    await fs.rename(join(buildDir, 'sql'), join(dir, 'sql'));
    await fs.rename(join(buildDir, 'server'), join(dir, 'server'));
    log.info(`Temporal server: built with Go in ${seconds()} s (${version}): ${dir}`);
  } finally {
    clearInterval(progress);
    await fs.rm(buildDir, { recursive: true, force: true });
  }
}

async function serverVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ['--version']);
  const version = stdout.trim();
  if (!version.endsWith(` ${TEMPORAL_SERVER_VERSION}`)) throw new Error(`${binary} --version says "${version}", not ${TEMPORAL_SERVER_VERSION}`);
  return version;
}

/** The module's Postgres schema, from the Go module cache (`go mod download` is instant after the build). */
async function copySchema(go: string, dir: string, env: NodeJS.ProcessEnv, log: DevstackLogger): Promise<void> {
  const { stdout } = await promisify(execFile)(go, ['mod', 'download', '-json', `${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION}`], {
    cwd: dir,
    env: { ...env, GOFLAGS: '-mod=mod' },
    maxBuffer: 1 << 20,
  });
  const { Dir: moduleDir } = JSON.parse(stdout) as { Dir?: string };
  if (!moduleDir) throw new Error(`go mod download ${SERVER_MODULE}@v${TEMPORAL_SERVER_VERSION} named no directory: ${stdout}`);
  const staging = join(dir, `.schema-${process.pid}`);
  await fs.rm(staging, { recursive: true, force: true });
  await fs.cp(join(moduleDir, SCHEMA_DIR), staging, { recursive: true });
  // The module cache is read-only; the copy must be removable.
  await chmodTree(staging);
  await fs.mkdir(join(dir, 'schema', 'postgresql'), { recursive: true });
  await fs.rm(join(dir, SCHEMA_DIR), { recursive: true, force: true });
  await fs.rename(staging, join(dir, SCHEMA_DIR));
  log.info(`Temporal server: copied its Postgres schema from ${moduleDir}`);
}

async function chmodTree(path: string): Promise<void> {
  const stat = await fs.stat(path);
  await fs.chmod(path, stat.isDirectory() ? 0o755 : 0o644);
  if (stat.isDirectory()) for (const entry of await fs.readdir(path)) await chmodTree(join(path, entry));
}

/** Work directories of builds that were killed halfway. */
async function removeAbandonedWorkDirs(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir)) {
    const match = /^\.(?:build|schema)-(\d+)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) await fs.rm(join(dir, entry), { recursive: true, force: true });
  }
}

export interface TemporalPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
}

export const TEMPORAL_DATABASE = 'temporal';
export const TEMPORAL_VISIBILITY_DATABASE = 'temporal_visibility';

/**
 * Creates the `temporal` and `temporal_visibility` databases with the SQL tool and brings their schemas to the
 * versions this server expects: the versioning tables, then every versioned update (visibility: the whole
 * schema at the version named in the module's version.go when the module ships no versioned updates for it).
 * Safe to run again on databases it set up before.
 */
export async function setupTemporalSchema(install: TemporalServerInstall, db: TemporalPostgres, options: { log?: DevstackLog } = {}): Promise<void> {
  const log = toLogger(options.log);
  const started = Date.now();
  const versions = await fs.readFile(join(install.schemaDir, 'version.go'), 'utf8');
  const declared = (name: string): string => {
    const match = new RegExp(`const ${name} = "([0-9.]+)"`).exec(versions);
    if (!match) throw new Error(`${join(install.schemaDir, 'version.go')} declares no ${name}`);
    return match[1];
  };
  const sql = (database: string, ...args: string[]): Promise<void> =>
    runCommand(
      install.sqlTool,
      ['--plugin', 'postgres12', '--endpoint', db.host, '--port', String(db.port), '--user', db.user, '--password', db.password, '--database', database, ...args],
      { log, label: `temporal-sql-tool ${database}`, quiet: true },
    );
  for (const [database, schema, versionName] of [
    [TEMPORAL_DATABASE, 'temporal', 'Version'],
    [TEMPORAL_VISIBILITY_DATABASE, 'visibility', 'VisibilityVersion'],
  ] as const) {
    const state = await databaseState(db, database);
    if (state === 'missing') await sql(database, 'create-database');
    const versioned = join(install.schemaDir, schema, 'versioned');
    if (await fs.stat(versioned).catch(() => null)) {
      if (state !== 'set up') await sql(database, 'setup-schema', '--version', '0.0');
      await sql(database, 'update-schema', '--schema-dir', versioned);
    } else if (state !== 'set up') {
      await sql(database, 'setup-schema', '--schema-file', join(install.schemaDir, schema, 'schema.sql'), '--version', declared(versionName));
    }
  }
  log.info(`Temporal schema set up in ${TEMPORAL_DATABASE} and ${TEMPORAL_VISIBILITY_DATABASE} after ${Date.now() - started} ms`);
}

async function databaseState(db: TemporalPostgres, database: string): Promise<'missing' | 'empty' | 'set up'> {
  const connect = async (name: string): Promise<PgClient> => {
    const client = new PgClient({ host: db.host, port: db.port, user: db.user, password: db.password, database: name });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) return 'missing';
  } finally {
    await admin.end();
  }
  const client = await connect(database);
  try {
    const { rows } = await client.query<{ found: string | null }>(`select to_regclass('schema_version')::text as found`);
    return rows[0]?.found ? 'set up' : 'empty';
  } finally {
    await client.end();
  }
}

export interface TemporalServerOptions {
  install: TemporalServerInstall;
  postgres: TemporalPostgres;
  /** Where the config, the dynamic config and the server's log go. */
  dir: string;
  /** Frontend gRPC port; the other services take free ports. */
  port: number;
  /** Registered at start (when missing) with `retention`. */
  namespace: string;
  /** Whole days the namespace keeps closed workflows. Defaults to 1. */
  retentionDays?: number;
  numHistoryShards?: number;
  log?: DevstackLog;
  /** How long to wait for the frontend and the namespace. Defaults to 120 s. */
  readyTimeoutMs?: number;
}

export interface TemporalServer {
  address: string;
  namespace: string;
  /** The server's own log (JSON lines, level warn). */
  logFile: string;
  pid: number | undefined;
  stop(): Promise<void>;
}


/**
 * Dynamic config: what Steward needs (Updates, Update-with-Start), what the CLI's dev server sets that a test run
 * needs (a short namespace cache refresh, more visibility RPS than the production default of 10), and eager
 * activity execution.
 */
export const TEMPORAL_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'system.namespaceCacheRefreshInterval': '1s',
  'frontend.namespaceRPS.visibility': 100,
  'limit.maxIDLength': 255,
  // As on the dev server (DEV_SERVER_DYNAMIC_CONFIG in temporal-dev-server.ts): activity tasks handed back eagerly.
  'system.enableActivityEagerExecution': true,
};

/** Starts the server on the schema setupTemporalSchema made, waits for its frontend, registers the namespace. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<TemporalServer> {
  const log = toLogger(options.log);
  const address = `${HOST}:${options.port}`;
  if (!(await isPortFree(options.port))) throw new Error(`Cannot start the Temporal server: port ${options.port} on ${HOST} is already in use.`);
  await fs.mkdir(options.dir, { recursive: true });
  const configFile = join(options.dir, 'temporal-server.yaml');
  const dynamicConfigFile = join(options.dir, 'temporal-dynamic-config.yaml');
  const logFile = join(options.dir, 'temporal-server.log');
  const ports = { frontendHttp: await freePort(), frontendMembership: await freePort(), history: await freePort(), historyMembership: await freePort() };
  const more = { matching: await freePort(), matchingMembership: await freePort(), worker: await freePort(), workerMembership: await freePort() };
  await fs.writeFile(dynamicConfigFile, dynamicConfigYaml(TEMPORAL_SERVER_DYNAMIC_CONFIG));
  await fs.writeFile(
    configFile,
    serverConfigYaml({ ...options.postgres, frontend: options.port, ...ports, ...more, dynamicConfigFile, shards: options.numHistoryShards ?? 4 }),
  );

  const started = Date.now();
  const child = spawn(options.install.server, ['--config-file', configFile, '--allow-no-auth', 'start'], { cwd: options.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = waitForChildExit(child);
  const tail = new OutputTail();
  const file = createWriteStream(logFile, { flags: 'a' });
  const onLine = (line: string): void => {
    tail.push(line);
    file.write(`${line}\n`);
    log.debug(`temporal-server: ${line}`);
  };
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);

  // A crashed run or a forgotten stop() would otherwise leave the server holding its ports.
  const host = hostProcess();
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  host.once('exit', killOnExit);
  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      host.removeListener('exit', killOnExit);
      await terminateChild(child, exited, STOP_GRACE_MS);
      await new Promise((resolve) => file.end(resolve));
    })();
    return stopPromise;
  };

  try {
    const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
    await pollUntil('answer on its frontend', address, exited, tail, deadline, (c) => c.workflowService.getSystemInfo({}).then(() => undefined));
    log.info(`Temporal server ${TEMPORAL_SERVER_VERSION} answering at ${address} after ${Date.now() - started} ms (pid ${child.pid}, log ${logFile})`);
    await pollUntil(`register namespace "${options.namespace}"`, address, exited, tail, deadline, (c) => registerNamespace(c, options.namespace, options.retentionDays ?? 1));
    // The frontend's namespace cache refreshes every second (dynamic config); a call through it proves the namespace usable.
    await pollUntil(`serve namespace "${options.namespace}"`, address, exited, tail, deadline, (c) =>
      c.workflowService.listWorkflowExecutions({ namespace: options.namespace, pageSize: 1 }).then(() => undefined),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  log.info(`Temporal server ready at ${address} (namespace "${options.namespace}") after ${Date.now() - started} ms`);
  return { address, namespace: options.namespace, logFile, pid: child.pid, stop };
}

/** The production server on a Postgres of its own, as startTemporalServerStack started them. */
export interface TemporalServerStack {
  install: TemporalServerInstall;
  /** Holds the server's databases (`url` names its empty `steward` database). */
  postgres: RunningPostgres;
  server: TemporalServer;
  /** How long each step took, in ms. */
  timings: { foundOrBuilt: number; postgresStart: number; schemaSetup: number; serverStart: number };
  /** Stops the server, then Postgres. */
  stop(): Promise<void>;
}

/**
 * Finds (or builds) the production server, starts embedded Postgres with its cluster in `dir`, sets up the
 * server's schemas there and starts the server (its config and log in `dir`) with `namespace` registered. What
 * it started before a step failed is stopped again. Used by `npm run test:topology` and
 * scripts/with-temporal-server.mjs.
 */
export async function startTemporalServerStack(options: { dir: string; namespace: string; log?: DevstackLog }): Promise<TemporalServerStack> {
  const { dir, namespace, log } = options;
  let since = Date.now();
  /** The ms since the previous step ended. */
  const lap = (): number => {
    const now = Date.now();
    const ms = now - since;
    since = now;
    return ms;
  };
  const install = await findOrBuildTemporalServer({ log });
  const foundOrBuilt = lap();
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), log });
  const postgresStart = lap();
  try {
    const url = new URL(pg.url);
    const db = { host: url.hostname, port: Number(url.port), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    await setupTemporalSchema(install, db, { log });
    const schemaSetup = lap();
    const server = await startTemporalServer({ install, postgres: db, dir, port: await freePort(), namespace, log });
    const serverStart = lap();
    return {
      install,
      postgres: pg,
      server,
      timings: { foundOrBuilt, postgresStart, schemaSetup, serverStart },
      stop: async () => {
        await server.stop();
        await pg.stop();
      },
    };
  } catch (error) {
    await pg.stop();
    throw error;
  }
}

async function registerNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<void> {
  try {
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(retentionDays * 24 * 3600_000) });
  } catch (error) {
    // ALREADY_EXISTS: a server restarted on the same databases.
    if ((error as { code?: number }).code !== 6) throw error;
  }
}

async function pollUntil(
  what: string,
  address: string,
  exited: Promise<ChildExit>,
  tail: OutputTail,
  deadline: number,
  attempt: (connection: Connection) => Promise<void>,
): Promise<void> {
  let exit: ChildExit | undefined;
  void exited.then((value) => (exit = value));
  let lastError = 'no attempt finished';
  while (Date.now() < deadline) {
    if (exit) throw new Error(`The Temporal server ${describeChildExit(exit)} before it could ${what}. Last output:\n${tail}`);
    let connection: Connection | undefined;
    try {
      // No interceptors: the default one retries for seconds, and we poll anyway.
      connection = await Connection.connect({ address, connectTimeout: 1000, interceptors: [] });
      const c = connection;
      await connection.withDeadline(Date.now() + 5000, () => attempt(c));
      return;
    } catch (error) {
      lastError = describeError(error);
    } finally {
      await connection?.close().catch(() => undefined);
    }
    // A retry pause, not a synchronisation: the loop ends on success, on the server's exit or at the deadline.
    await Promise.race([sleep(250), exited]);
  }
  throw new Error(`The Temporal server at ${address} did not ${what} in time (last error: ${lastError}). Last output:\n${tail}`);
}




/** YAML by hand: flat keys, scalar values (the dynamic config format: a list of constrained values per key). */
export function dynamicConfigYaml(values: Readonly<Record<string, string | number | boolean>>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key}:\n  - value: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}\n    constraints: {}\n`)
    .join('');
}

interface ServerConfig extends TemporalPostgres {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  dynamicConfigFile: string;
  shards: number;
}

/** The shape of the module's config/development-postgres12.yaml, on our ports, without archival, metrics or pprof. */
export function serverConfigYaml(c: ServerConfig): string {
  const q = JSON.stringify;
  const store = (database: string, maxConns: number): string[] => [
    `      sql:`,
    `        pluginName: "postgres12"`,
    `        databaseName: ${q(database)}`,
    `        connectAddr: ${q(`${c.host}:${c.port}`)}`,
    `        connectProtocol: "tcp"`,
    `        user: ${q(c.user)}`,
    `        password: ${q(c.password)}`,
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    `        maxConnLifetime: "1h"`,
  ];
  const service = (name: string, grpc: number, membership: number, http?: number): string[] => [
    `  ${name}:`,
    `    rpc:`,
    `      grpcPort: ${grpc}`,
    `      membershipPort: ${membership}`,
    `      bindOnIP: ${q(HOST)}`,
    ...(http === undefined ? [] : [`      httpPort: ${http}`]),
  ];
  return [
    `log:`,
    `  stdout: true`,
    `  level: warn`,
    `persistence:`,
    `  defaultStore: postgres-default`,
    `  visibilityStore: postgres-visibility`,
    `  numHistoryShards: ${c.shards}`,
    `  datastores:`,
    `    postgres-default:`,
    ...store(TEMPORAL_DATABASE, 10),
    `    postgres-visibility:`,
    ...store(TEMPORAL_VISIBILITY_DATABASE, 4),
    `global:`,
    `  membership:`,
    `    maxJoinDuration: 30s`,
    `    broadcastAddress: ${q(HOST)}`,
    `services:`,
    ...service('frontend', c.frontend, c.frontendMembership, c.frontendHttp),
    ...service('history', c.history, c.historyMembership),
    ...service('matching', c.matching, c.matchingMembership),
    ...service('worker', c.worker, c.workerMembership),
    `clusterMetadata:`,
    `  enableGlobalNamespace: false`,
    `  failoverVersionIncrement: 10`,
    `  masterClusterName: "active"`,
    `  currentClusterName: "active"`,
    `  clusterInformation:`,
    `    active:`,
    `      enabled: true`,
    `      initialFailoverVersion: 1`,
    `      rpcName: "frontend"`,
    `      rpcAddress: ${q(`${HOST}:${c.frontend}`)}`,
    `dcRedirectionPolicy:`,
    `  policy: "noop"`,
    `dynamicConfigClient:`,
    `  filepath: ${q(c.dynamicConfigFile)}`,
    `  pollInterval: "10s"`,
    ``,
  ].join('\n');
}
