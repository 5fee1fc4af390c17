import { promises as fs } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { loadEmbeddedPostgres } from './load-embedded-postgres';
import { DevstackLog, DevstackLogger, OutputTail, describeError, toLogger } from './log';
import { isPortFree } from './ports';
import { isPidAlive } from './processes';

const HOST = '127.0.0.1';
const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'steward';
const DUPLICATE_DATABASE = '42P04';

export interface EmbeddedPostgresOptions {
  /** Cluster files go in `${dataDir}/postgres` and survive restarts. */
  dataDir: string;
  port: number;
  log?: DevstackLog;
}

export interface RunningPostgres {
  /** Connection URL of the `steward` database. */
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const started = Date.now();
  const log = toLogger(options.log);
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'postgres');
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const tail = new OutputTail();

  const instance = (databaseDir: string): InstanceType<typeof EmbeddedPostgres> =>
    new EmbeddedPostgres({
      databaseDir,
      port: options.port,
      user: USER,
      password: PASSWORD,
      authMethod: 'scram-sha-256',
      persistent: true,
      // Postgres refuses to run as root, as we do in CI and containers. For
      // anyone else embedded-postgres would try (and fail) to run useradd.
      createPostgresUser: runningAsRoot(),
      // TCP on loopback only: unix sockets would go to a shared /tmp, where a
      // killed run's lock file for the same port blocks the next start.
      postgresFlags: ['-c', `listen_addresses=${HOST}`, '-c', 'unix_socket_directories='],
      onLog: (message) => {
        tail.push(message);
        log.debug(`postgres: ${message.trimEnd()}`);
      },
      onError: (error) => log.info(`postgres: ${describeError(error)}`),
    });

  if (!(await isPortFree(options.port))) {
    throw new Error(`Cannot start Postgres: port ${options.port} on ${HOST} is already in use.`);
  }
  await prepareDataDir(dataDir);
  if (!(await fileExists(join(clusterDir, 'PG_VERSION')))) {
    await initialiseCluster(clusterDir, instance, log);
  }
  await removeStalePostmasterPid(clusterDir, log);

  const postgres = instance(clusterDir);
  try {
    await postgres.start();
  } catch (error) {
    // embedded-postgres rejects with no reason when the server exits early.
    const reason = error ? ` (${describeError(error)})` : '';
    throw new Error(`Postgres did not start on port ${options.port} with data in ${clusterDir}${reason}. Last output:\n${tail}`);
  }

  try {
    await ensureDatabase(options.port, log);
  } catch (error) {
    await postgres.stop();
    throw error;
  }
  log.info(`Postgres ready on ${HOST}:${options.port} after ${Date.now() - started} ms (data in ${clusterDir})`);

  const postmasterPid = await readPostmasterPid(clusterDir);
  return {
    url: `postgres://${USER}:${PASSWORD}@${HOST}:${options.port}/${DATABASE}`,
    // embedded-postgres would wait forever for a server that already died.
    stop: async () => {
      if (postmasterPid === null || isPidAlive(postmasterPid)) await postgres.stop();
    },
  };
}

/**
 * As root, Postgres runs as the `postgres` OS user, which must be able to
 * enter every directory above its data. mkdtemp() creates mode 0700
 * directories, so we open up the data dir itself; its ancestors are the
 * caller's business, so those only get a clear error.
 */
async function prepareDataDir(dataDir: string): Promise<void> {
  await fs.mkdir(dataDir, { recursive: true });
  if (!runningAsRoot()) return;

  const { mode } = await fs.stat(dataDir);
  await fs.chmod(dataDir, mode | 0o001);
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (((await fs.stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `Postgres cannot use ${dataDir}: it runs as the "postgres" OS user, which cannot enter ${dir}. ` +
          `Choose a data directory elsewhere (not under /root), or run "chmod o+x ${dir}".`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

/**
 * initdb runs in a staging directory that is renamed into place at the end,
 * so a run killed halfway never leaves a cluster that looks initialised.
 */
async function initialiseCluster(
  clusterDir: string,
  instance: (databaseDir: string) => { initialise(): Promise<void> },
  log: DevstackLogger,
): Promise<void> {
  if ((await fs.readdir(clusterDir).catch(() => [])).length > 0) {
    throw new Error(`${clusterDir} is not empty but has no PG_VERSION, so it is not a Postgres data directory. Move it away or delete it.`);
  }
  await removeAbandonedStagingDirs(dirname(clusterDir));
  const staging = `${clusterDir}.initdb-${process.pid}`;
  await fs.rm(staging, { recursive: true, force: true });
  log.info(`Initialising a new Postgres cluster in ${clusterDir}`);
  try {
    await instance(staging).initialise();
    await fs.rm(clusterDir, { recursive: true, force: true });
    await fs.rename(staging, clusterDir);
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

async function removeAbandonedStagingDirs(dataDir: string): Promise<void> {
  for (const entry of await fs.readdir(dataDir)) {
    const match = /^postgres\.initdb-(\d+)$/.exec(entry);
    if (match && !isPidAlive(Number(match[1]))) {
      await fs.rm(join(dataDir, entry), { recursive: true, force: true });
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

function runningAsRoot(): boolean {
  return process.getuid?.() === 0;
}

async function fileExists(path: string): Promise<boolean> {
  return fs.access(path).then(
    () => true,
    () => false,
  );
}
