import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort, isPortFree, runningAsRoot } from '@steward/devstack';

/**
 * `npm start` itself: the built launcher in its own process group, as a terminal would run it, with
 * every port and directory its own. Started twice on the same DATA_DIR: stopped by SIGINT to the launcher
 * alone (it must stop everything it started), then by SIGINT to the whole group (Ctrl-C).
 */
const REPO = resolve(__dirname, '..', '..');
const LAUNCHER = join(REPO, 'dist', 'apps', 'launcher', 'src', 'main.js');
// A first start runs initdb, migrations and the worker's workflow bundle; the Temporal CLI is already
// cached by globalSetup.
const HEALTHY_WITHIN_MS = 120_000;
// The launcher gives the API and the worker 8 s each before SIGKILL, then stops Temporal and Postgres.
const GONE_WITHIN_MS = 30_000;
const POLL_MS = 200;

const run = promisify(execFile);

interface Launched {
  child: ChildProcess;
  /** The launcher's pid, which is also its process group's id. */
  pgid: number;
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

interface GroupProcess {
  pid: number;
  state: string;
  args: string;
}

function launch(env: NodeJS.ProcessEnv): Launched {
  if (!existsSync(LAUNCHER)) throw new Error(`${LAUNCHER} is missing: run \`npm run build\` first (npm run test:e2e does).`);
  const child = spawn(process.execPath, [LAUNCHER], { cwd: REPO, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  if (child.pid === undefined) throw new Error('the launcher did not start');
  return { child, pgid: child.pid, output: () => output, exit };
}

/** Every live process in the group (zombies excluded: they have exited and only await their parent). */
async function processesInGroup(pgid: number): Promise<GroupProcess[]> {
  const { stdout } = await run('ps', ['-A', '-o', 'pid=,pgid=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === pgid && !m[3].startsWith('Z'))
    .map((m) => ({ pid: Number(m[1]), state: m[3], args: m[4] }));
}

/** Polls `probe` until it returns a value, or fails at the deadline with `what` and the launcher's output. */
async function until<T>(what: string, withinMs: number, launched: Launched, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`${what} did not happen within ${withinMs / 1000} s. Launcher output:\n${launched.output()}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function httpStatus(url: string, headers: Record<string, string> = {}): Promise<number | undefined> {
  try {
    return (await fetch(url, { headers, signal: AbortSignal.timeout(2000) })).status;
  } catch {
    return undefined; // not listening yet
  }
}

describe('npm start (the launcher)', () => {
  let dir: string;
  let postgresHome: string;
  let env: NodeJS.ProcessEnv;
  let ports: { api: number; postgres: number; temporal: number; ui: number };
  let current: Launched | undefined;

  beforeAll(async () => {
    // mkdtemp makes it mode 0700: as root, the cluster must then move to the Postgres home, as from a checkout in /root.
    dir = await fs.mkdtemp(join(tmpdir(), 'steward-launcher-'));
    postgresHome = await fs.mkdtemp(join(tmpdir(), 'steward-launcher-pg-'));
    await fs.chmod(postgresHome, 0o755);
    ports = { api: await freePort(), postgres: await freePort(), temporal: await freePort(), ui: await freePort() };
    env = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      PORT: String(ports.api),
      DATA_DIR: join(dir, 'data'),
      EMBEDDED_POSTGRES_PORT: String(ports.postgres),
      TEMPORAL_DEV_PORT: String(ports.temporal),
      TEMPORAL_UI_PORT: String(ports.ui),
      STEWARD_POSTGRES_HOME: postgresHome,
    };
    for (const name of ['DATABASE_URL', 'MIGRATIONS_DATABASE_URL', 'TEMPORAL_ADDRESS', 'JWT_SECRET']) delete env[name];
  });

  afterEach(async () => {
    // Whatever a failed test left running.
    if (current && (await processesInGroup(current.pgid)).length > 0) process.kill(-current.pgid, 'SIGKILL');
    current = undefined;
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fs.rm(postgresHome, { recursive: true, force: true });
  });

  /** Starts the launcher, waits for /health, and checks what it printed and what it runs. */
  async function startHealthy(): Promise<Launched> {
    const launched = (current = launch(env));
    const api = `http://localhost:${ports.api}`;
    await until('GET /health = 200', HEALTHY_WITHIN_MS, launched, async () => ((await httpStatus(`${api}/health`)) === 200 ? true : undefined));
    // The welcome follows the launcher's own health check.
    await until('the welcome text', 10_000, launched, async () => (launched.output().includes('Ctrl-C stops everything.') ? true : undefined));

    const output = launched.output();
    expect(output).toContain('Steward is running.');
    expect(output).toContain(`API          ${api}\n`);
    expect(output).toContain(`OpenAPI      ${api}/docs\n`);
    expect(output).toContain(`Health       ${api}/health\n`);
    expect(output).toContain(`Temporal UI  http://127.0.0.1:${ports.ui}\n`);
    const token = /export TOKEN=(\S+)/.exec(output)?.[1];
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // The printed token is a working one: alice, the demo employee.
    expect(await httpStatus(`${api}/me`, { Authorization: `Bearer ${token}` })).toBe(200);
    expect(await httpStatus(`${api}/me`)).toBe(401);

    const running = (await processesInGroup(launched.pgid)).map((p) => p.args);
    expect(running).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/postgres -D /),
        expect.stringMatching(/temporal server start-dev /),
        expect.stringMatching(/dist\/apps\/api\/src\/main\.js$/),
        expect.stringMatching(/dist\/apps\/worker\/src\/main\.js$/),
      ]),
    );
    return launched;
  }

  async function expectAllGone(launched: Launched): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([launched.exit, new Promise<null>((r) => (timer = setTimeout(() => r(null), GONE_WITHIN_MS)))]);
    clearTimeout(timer);
    if (exit === null) throw new Error(`The launcher did not exit within ${GONE_WITHIN_MS / 1000} s of SIGINT. Output:\n${launched.output()}`);
    // async-exit-hook exits with 128 + SIGINT.
    expect(exit).toEqual({ code: 130, signal: null });
    const left = await until('every process of the group exiting', GONE_WITHIN_MS, launched, async () => {
      const alive = await processesInGroup(launched.pgid);
      return alive.length === 0 ? alive : undefined;
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}\nStill running: ${JSON.stringify(await processesInGroup(launched.pgid), null, 2)}`);
    });
    expect(left).toEqual([]);
    for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    expect(launched.output()).toContain('"msg":"stopped"');
  }

  it(
    'starts healthy, prints the URLs and a dev token, and stops everything it started on SIGINT to the launcher alone',
    async () => {
      const launched = await startHealthy();
      if (runningAsRoot()) {
        // The data directory's parent is mode 0700, so the cluster lives in the Postgres home, linked from DATA_DIR.
        expect(launched.output()).toContain(`Postgres keeps the cluster of ${join(dir, 'data')} in ${postgresHome}/clusters/`);
        expect((await fs.lstat(join(dir, 'data', 'postgres'))).isSymbolicLink()).toBe(true);
      }
      process.kill(launched.pgid, 'SIGINT');
      await expectAllGone(launched);
    },
    HEALTHY_WITHIN_MS + 2 * GONE_WITHIN_MS + 30_000,
  );

  it(
    'starts again on the same data, and Ctrl-C (SIGINT to the whole group) stops everything too',
    async () => {
      const launched = await startHealthy();
      expect(launched.output()).not.toContain('Initialising a new Postgres cluster');
      expect(launched.output()).not.toContain('seeded the directory');
      process.kill(-launched.pgid, 'SIGINT');
      await expectAllGone(launched);
    },
    HEALTHY_WITHIN_MS + 2 * GONE_WITHIN_MS + 30_000,
  );
});
