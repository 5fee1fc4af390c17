import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Connection } from '@temporalio/client';
import { hostProcess } from './host-context';
import { DevstackLog, OutputTail, describeError, forEachLine, toLogger } from './log';
import { isPortFree } from './ports';
import { ChildExit, describeChildExit, sleep, terminateChild, waitForChildExit } from './processes';

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 10_000;

export interface TemporalDevServerOptions {
  /** Path to the `temporal` CLI, e.g. from findOrBuildTemporalCli(). */
  binary: string;
  /** SQLite file that keeps workflows across restarts; in-memory when omitted. */
  dbFile?: string;
  port: number;
  /** Web UI port; omitted or false runs headless. */
  uiPort?: number | false;
  namespace: string;
  /** More namespaces to create at start (`--namespace` once each), e.g. one per test file. */
  extraNamespaces?: string[];
  log?: DevstackLog;
  /** How long to wait for the namespace to answer. Defaults to 60 s. */
  readyTimeoutMs?: number;
}

export interface TemporalDevServer {
  address: string;
  uiUrl: string | null;
  stop(): Promise<void>;
}


export async function startTemporalDevServer(options: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const log = toLogger(options.log);
  const address = `${HOST}:${options.port}`;
  const uiPort = typeof options.uiPort === 'number' ? options.uiPort : null;

  // Checked up front because a server already on the port would pass the
  // readiness probe while our own child dies with "address in use".
  for (const port of uiPort === null ? [options.port] : [options.port, uiPort]) {
    if (!(await isPortFree(port))) {
      throw new Error(`Cannot start the Temporal dev server: port ${port} on ${HOST} is already in use.`);
    }
  }
  if (options.dbFile) await fs.mkdir(dirname(resolve(options.dbFile)), { recursive: true });

  const started = Date.now();
  const child = spawn(options.binary, devServerArgs(options, uiPort), { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = waitForChildExit(child);
  const tail = new OutputTail();
  let stopping = false;
  // stdout only carries a banner (with "localhost" whatever --ip says); the
  // server logs warnings and errors to stderr. Shutdown always prints a burst
  // of harmless warnings about closed pollers, so those are demoted too.
  const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
    tail.push(line);
    if (stream === 'stderr' && !stopping) log.info(`temporal: ${line}`);
    else log.debug(`temporal: ${line}`);
  };
  forEachLine(child.stdout, onLine('stdout'));
  forEachLine(child.stderr, onLine('stderr'));

  // A crashed test run or a forgotten stop() would otherwise leave the server
  // holding its ports and database file after we are gone.
  const host = hostProcess();
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  host.once('exit', killOnExit);

  let stopPromise: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopPromise ??= (async () => {
      stopping = true;
      host.removeListener('exit', killOnExit);
      await terminateChild(child, exited, STOP_GRACE_MS);
    })();
    return stopPromise;
  };

  try {
    await waitUntilReady(address, options.namespace, exited, tail, options.readyTimeoutMs ?? 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const uiUrl = uiPort === null ? null : `http://${HOST}:${uiPort}`;
  const extra = options.extraNamespaces?.length ? ` and ${options.extraNamespaces.length} more` : '';
  log.info(`Temporal dev server ready at ${address} (namespace "${options.namespace}"${extra}, UI ${uiUrl ?? 'off'}) after ${Date.now() - started} ms`);

  return { address, uiUrl, stop };
}

function devServerArgs(options: TemporalDevServerOptions, uiPort: number | null): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    HOST,
    '--port',
    String(options.port),
    ...(uiPort === null ? ['--headless'] : ['--ui-port', String(uiPort)]),
    ...(options.dbFile ? ['--db-filename', options.dbFile] : []),
    ...[options.namespace, ...(options.extraNamespaces ?? []).filter((n) => n !== options.namespace)].flatMap((n) => ['--namespace', n]),
    ...Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => ['--dynamic-config-value', `${key}=${JSON.stringify(value)}`]),
    '--log-level',
    'warn',
  ];
}

/**
 * Dynamic config the dev server does not set by default. Eager activity execution: when a workflow task's
 * completion schedules an activity on the worker's own task queue and the worker has a free slot, the server hands
 * the activity task back in its answer instead of queueing it for a poll (the SDK asks for it by default, see
 * ActivityOptions.allowEagerDispatch). Every case step that commits through an activity takes that path.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, string | number | boolean>> = {
  'system.enableActivityEagerExecution': true,
};



async function waitUntilReady(address: string, namespace: string, exited: Promise<ChildExit>, tail: OutputTail, timeoutMs: number): Promise<void> {
  let exit: ChildExit | undefined;
  void exited.then((value) => (exit = value));
  const failIfExited = (): void => {
    if (exit) throw new Error(`The Temporal dev server ${describeChildExit(exit)} before it was ready. Last output:\n${tail}`);
  };

  const deadline = Date.now() + timeoutMs;
  let lastError = 'no attempt finished';
  while (Date.now() < deadline) {
    failIfExited();
    const error = await probeNamespace(address, namespace);
    failIfExited();
    if (error === null) return;
    lastError = error;
    await Promise.race([sleep(250), exited]);
  }
  throw new Error(
    `The Temporal dev server at ${address} did not serve namespace "${namespace}" within ${timeoutMs / 1000} s ` +
      `(last error: ${lastError}). Last output:\n${tail}`,
  );
}

/** Returns null once the namespace answers, otherwise why it did not. */
async function probeNamespace(address: string, namespace: string): Promise<string | null> {
  let connection: Connection | undefined;
  try {
    // No interceptors: the default one retries for seconds, and we poll anyway.
    connection = await Connection.connect({ address, connectTimeout: 1000, interceptors: [] });
    const { workflowService } = connection;
    await connection.withDeadline(Date.now() + 2000, () => workflowService.describeNamespace({ namespace }));
    return null;
  } catch (error) {
    return describeError(error);
  } finally {
    await connection?.close().catch(() => undefined);
  }
}

