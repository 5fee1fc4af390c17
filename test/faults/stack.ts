import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { findOrBuildTemporalCli, freePort, RunningPostgres, startEmbeddedPostgres, startTemporalDevServer, TemporalDevServer } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';
import { distFile, ensureFreshBuild } from '../support/build';
import { ROOT } from '../support/isolation';

/**
 * The whole deployment as separate processes that the fault suite can kill and restart: embedded Postgres
 * (stopped and started again on the same data directory and port), the Temporal dev server (with a SQLite
 * file, so its workflows survive a restart), and the compiled API and worker (dist/) as child processes.
 */

export const JWT_SECRET = 'faults-secret-at-least-16-chars';
const NAMESPACE = 'default';
const TASK_QUEUE = 'faults';

const log = (m: string): void => {
  if (process.env.FAULTS_VERBOSE) process.stderr.write(`[faults] ${m}\n`);
};

/** Polls `probe` until it returns true, or fails after `timeoutMs`. A retry pause, not a synchronisation. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 90_000, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A compiled Steward process (API or worker) that can be SIGKILLed and started again. */
export class NodeService {
  child: ChildProcess | null = null;
  /** Exits nobody asked for (a worker may give up while Temporal is down). */
  crashes = 0;
  output = '';
  private expectedExit = false;

  constructor(
    readonly name: string,
    private readonly logDir: string,
    private readonly script: string,
    private readonly env: () => Record<string, string>,
    private readonly ready: (child: ChildProcess) => Promise<boolean>,
    private readonly onCrash: () => void,
  ) {}

  async start(): Promise<void> {
    this.expectedExit = false;
    const child = spawn(process.execPath, [this.script], { cwd: ROOT, env: { ...process.env, ...this.env() }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const file = join(this.logDir, `${this.name}.log`);
    const keep = (d: Buffer): void => {
      this.output = (this.output + d.toString()).slice(-200_000);
      appendFileSync(file, d);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (!this.expectedExit) {
        this.crashes += 1;
        log(`${this.name} ${child.pid} exited by itself (${signal ?? code})`);
        this.onCrash();
      }
    });
    await until(`${this.name} ${child.pid} to be ready`, async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited:\n${this.output.slice(-4000)}`);
      return this.ready(child);
    });
    log(`${this.name} ${child.pid} ready`);
  }

  /** kill -9, then wait for the exit. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectedExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

export class FaultStack {
  /** Keep the directory (logs, data) for a look after a failed run. */
  keep = true;
  readonly dir = mkdtempSync(join(tmpdir(), 'steward-faults-'));
  pg!: RunningPostgres;
  pgPort = 0;
  ownerUrl = '';
  appUrl = '';
  temporalServer!: TemporalDevServer;
  temporalPort = 0;
  temporalBinary = '';
  apiPort = 0;
  api!: NodeService;
  worker!: NodeService;
  /** A connection to Temporal for the worker's readiness probe (reconnects by itself after a restart). */
  private connection: Connection | null = null;
  /** Set while a fault is being staged on purpose, so the supervisor does not restart what we stopped. */
  private superviseWorker = true;
  private restarting: Promise<void> | null = null;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  async start(): Promise<void> {
    // The API and worker run from dist/: build it when a source is newer.
    await ensureFreshBuild((m) => process.stderr.write(`[faults] ${m}\n`));
    this.pgPort = await freePort();
    await this.startPostgres();
    this.ownerUrl = this.pg.url;
    await prepareDatabase(this.ownerUrl, defaultDirectoryFile());
    this.appUrl = await ensureAppLogin(this.ownerUrl);

    this.temporalBinary = await findOrBuildTemporalCli({ log: (m: string) => log(m) });
    this.temporalPort = await freePort();
    await this.startTemporal();
    this.connection = await Connection.connect({ address: `127.0.0.1:${this.temporalPort}` });

    this.apiPort = await freePort();
    const env = (): Record<string, string> => ({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.FAULTS_LOG_LEVEL ?? 'error',
      DATABASE_URL: this.appUrl,
      TEMPORAL_ADDRESS: `127.0.0.1:${this.temporalPort}`,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      JWT_SECRET,
      MIGRATIONS_RUN: 'false',
      PORT: String(this.apiPort),
      HOST: '127.0.0.1',
      RATE_LIMIT_MAX: '1000000',
    });
    this.api = new NodeService('api', this.dir, distFile('apps', 'api', 'src', 'main.js'), env, () => this.apiAnswers(), () => undefined);
    this.worker = new NodeService('worker', this.dir, distFile('apps', 'worker', 'src', 'main.js'), env, (child) => this.workerPolls(child), () => {
      if (this.superviseWorker) void this.restartWorker().catch((err: Error) => log(`worker restart failed: ${err.message}`));
    });
    await this.api.start();
    await this.worker.start();
  }

  private async startPostgres(): Promise<void> {
    this.pg = await startEmbeddedPostgres({ dataDir: join(this.dir, 'pg'), port: this.pgPort, log: (m: string) => log(m) });
  }

  private async startTemporal(): Promise<void> {
    this.temporalServer = await startTemporalDevServer({
      binary: this.temporalBinary,
      dbFile: join(this.dir, 'temporal.sqlite'),
      port: this.temporalPort,
      uiPort: false,
      namespace: NAMESPACE,
      log: (m: string) => log(m),
    });
  }

  /** Any HTTP answer (200, or 503 while a dependency is down) means the API listens. */
  private async apiAnswers(): Promise<boolean> {
    const res = await fetch(`${this.apiUrl}/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return true;
  }

  private async workerPolls(child: ChildProcess): Promise<boolean> {
    const { pollers } = await this.connection!.workflowService.describeTaskQueue({
      namespace: NAMESPACE,
      taskQueue: { name: TASK_QUEUE },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    return pollers.some((p) => p.identity?.startsWith(`${child.pid}@`));
  }

  /** Starts a worker again (once at a time). */
  restartWorker(): Promise<void> {
    this.restarting ??= this.worker.start().finally(() => (this.restarting = null));
    return this.restarting;
  }

  /** kill -9 the worker and start a new one. */
  async killWorker(): Promise<void> {
    await this.restarting;
    await this.worker.kill9();
    await this.restartWorker();
  }

  /** kill -9 the API and start it again. */
  async killApi(): Promise<void> {
    await this.api.kill9();
    await this.api.start();
  }

  /** Postgres down (fast shutdown) for `during`, then up again on the same data directory and port. */
  async restartPostgres(during: () => Promise<void>): Promise<void> {
    await this.pg.stop();
    try {
      await during();
    } finally {
      await this.startPostgres();
    }
    await this.ensureWorker();
  }

  /** The Temporal server down for `during`, then up again on the same SQLite file and port. */
  async restartTemporal(during: () => Promise<void>): Promise<void> {
    await this.temporalServer.stop();
    try {
      await during();
    } finally {
      await this.startTemporal();
    }
    await this.ensureWorker();
  }

  /** After an outage: a worker that gave up (or could not start) while a dependency was away is started again. */
  async ensureWorker(): Promise<void> {
    await until('a worker to poll again after the outage', async () => {
      const child = this.worker.child;
      if (child === null) {
        if (this.restarting === null) void this.restartWorker().catch((err: Error) => log(`worker restart failed: ${err.message}`));
        return false;
      }
      return this.workerPolls(child);
    });
  }

  async close(): Promise<void> {
    this.superviseWorker = false;
    await this.restarting?.catch(() => undefined);
    await this.worker?.stop();
    await this.api?.stop();
    await this.connection?.close();
    await this.temporalServer?.stop();
    await this.pg?.stop();
    if (this.keep || process.env.FAULTS_KEEP) {
      process.stderr.write(`[faults] kept the logs and data in ${this.dir} (api.log, worker.log)\n`);
      return;
    }
    // As root the cluster lives outside dir (see startEmbeddedPostgres): remove it too.
    if (this.pg && !this.pg.clusterDir.startsWith(this.dir) && basename(dirname(dirname(this.pg.clusterDir))) === 'clusters') {
      rmSync(dirname(this.pg.clusterDir), { recursive: true, force: true });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
