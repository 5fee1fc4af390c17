import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { signToken } from '@steward/directory';
import { cpuBetween, cpuSnapshot, CpuUsage, PARTS } from './cpu';
import { runPool, PoolResult } from './pool';
import { BenchStack, JWT_SECRET, log, startStack } from './stack';
import { fixed, PhaseSummary, summarize, table } from './stats';
import { emptyUpdateWorkflow, emptyWorkflow, readyUpdate } from './workflows/empty.workflow';
import { cleanupOnExit, intFromEnv, machineInfo, runGuarded, runMain, saveResult } from './run';

/**
 * `npm run bench`: what does a change request cost on top of Temporal itself?
 *
 *   1. POST /change-requests against the real API and worker (child processes). Each response comes back
 *      after the workflow committed the case to Postgres, so this is the end-to-end submit latency.
 *   2. The same one request at a time (BENCH_SERIAL_N of them): the latency a person submitting sees.
 *   3. Bare `client.workflow.start()` of an empty workflow on the same Temporal server, with an in-process
 *      worker completing them: the floor that any Temporal-backed request stands on.
 *   4. Bare Update-with-Start of an empty workflow whose update returns at once, completed by the same
 *      worker: the floor for a read-your-writes API, which answers only once the workflow has run.
 *
 * Env: BENCH_N (1000), BENCH_CONCURRENCY (32), BENCH_SERIAL_N (100), BENCH_WARMUP (20), DATABASE_URL / TEMPORAL_ADDRESS to use
 * running services instead of embedded ones, BENCH_LOG_LEVEL for the API and worker (warn).
 * The table goes to stdout, progress to stderr, the full result to bench/results/<timestamp>.json.
 * Exits 1 when the run failed or any request failed.
 */

const BARE_TASK_QUEUE = 'bench-bare';
const DRAIN_TIMEOUT_MS = 60_000;

interface Options {
  n: number;
  concurrency: number;
  serialN: number;
  warmup: number;
}

function changeRequestBody(i: number): string {
  const start = Date.now() + 7 * 24 * 3600_000;
  return JSON.stringify({
    title: `Bench change ${i}`,
    description: 'Rotate the edge TLS certificates (benchmark)',
    type: 'normal',
    // low x medium = low risk: a single manager approval level (bob).
    probability: 'low',
    impact: 'medium',
    affectedSystems: ['edge'],
    plannedStart: new Date(start).toISOString(),
    plannedEnd: new Date(start + 2 * 3600_000).toISOString(),
    rollbackPlan: 'Restore the previous certificates',
    implementerId: 'ivan',
  });
}

async function submitChangeRequest(apiUrl: string, token: string, i: number): Promise<string | null> {
  const res = await fetch(`${apiUrl}/change-requests`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: changeRequestBody(i),
  });
  const text = await res.text();
  if (res.status !== 201) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  const body = JSON.parse(text) as { id?: unknown; status?: unknown };
  if (typeof body.id !== 'string' || body.status !== 'pending_approval') return `HTTP 201 with unexpected body: ${text.slice(0, 200)}`;
  return null;
}

async function startBare(client: Client): Promise<string | null> {
  await client.workflow.start(emptyWorkflow, { taskQueue: BARE_TASK_QUEUE, workflowId: randomUUID() });
  return null;
}

async function updateWithStartBare(client: Client): Promise<string | null> {
  const start = new WithStartWorkflowOperation(emptyUpdateWorkflow, {
    taskQueue: BARE_TASK_QUEUE,
    workflowId: randomUUID(),
    workflowIdConflictPolicy: 'FAIL',
  });
  const answer = await client.workflow.executeUpdateWithStart(readyUpdate, { startWorkflowOperation: start });
  return answer === 'ready' ? null : `unexpected update result ${answer}`;
}

interface PhaseResult {
  summary: PhaseSummary;
  errorSamples: PoolResult['errorSamples'];
  cpu: CpuUsage;
}

async function phase(
  name: string,
  opts: Options,
  stack: BenchStack,
  op: (i: number) => Promise<string | null>,
): Promise<PhaseResult> {
  if (opts.warmup > 0) {
    log(`${name}: warm-up, ${opts.warmup} operations`);
    const warm = await Promise.race([runPool(opts.warmup, Math.min(opts.concurrency, opts.warmup), (i) => op(-1 - i)), stack.crashed]);
    if (warm.errors > 0) throw new Error(`${name}: warm-up failed: ${warm.errorSamples.map((e) => `${e.count}x ${e.error}`).join('; ')}`);
  }
  log(`${name}: ${opts.n} operations, concurrency ${opts.concurrency}`);
  const before = cpuSnapshot();
  const result = await Promise.race([runPool(opts.n, opts.concurrency, op), stack.crashed]);
  const cpu = cpuBetween(before, cpuSnapshot());
  const summary = summarize(name, opts.concurrency, opts.n, result.wallMs, result.latencies, result.errors);
  log(`${name}: done in ${fixed(result.wallMs / 1000, 2)} s, ${result.errors} errors`);
  return { summary, errorSamples: result.errorSamples, cpu };
}

/** Waits until the in-process worker has completed every bare workflow (visibility may lag a little). */
async function drainBare(client: Client): Promise<{ ms: number; stillRunning: number | null }> {
  const started = performance.now();
  const query = `TaskQueue = "${BARE_TASK_QUEUE}" AND ExecutionStatus = "Running"`;
  let running: number | null = null;
  while (performance.now() - started < DRAIN_TIMEOUT_MS) {
    try {
      running = (await client.workflow.count(query)).count;
    } catch (e) {
      log(`could not count running bare workflows: ${(e as Error).message}`);
      return { ms: performance.now() - started, stillRunning: null };
    }
    if (running === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { ms: performance.now() - started, stillRunning: running };
}

interface Phases {
  api: PhaseResult;
  apiSerial: PhaseResult;
  bare: PhaseResult;
  uws: PhaseResult;
}

function report(opts: Options, stack: BenchStack, phases: Phases, drain: { ms: number; stillRunning: number | null }) {
  const { api, apiSerial, bare, uws } = phases;
  const machine = machineInfo();
  const versus = (floor: PhaseResult) => ({
    throughput: api.summary.throughput / floor.summary.throughput,
    p50: api.summary.latencyMs.p50 / floor.summary.latencyMs.p50,
    p99: api.summary.latencyMs.p99 / floor.summary.latencyMs.p99,
  });
  const ratio = versus(bare);
  const ratioUws = versus(uws);

  const row = (label: string, s: PhaseSummary) => [
    label,
    String(s.n),
    String(s.concurrency),
    fixed(s.wallMs / 1000, 2),
    fixed(s.throughput, 1),
    fixed(s.latencyMs.p50, 1),
    fixed(s.latencyMs.p95, 1),
    fixed(s.latencyMs.p99, 1),
    fixed(s.latencyMs.max, 1),
    String(s.errors),
  ];
  const x = (v: number) => `${fixed(v, 2)}x`;
  const main = table(
    ['', 'N', 'conc', 'wall s', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'],
    [
      row('API POST /change-requests', api.summary),
      row('API POST /change-requests, one at a time', apiSerial.summary),
      row('Temporal bare workflow.start', bare.summary),
      row('Temporal bare Update-with-Start', uws.summary),
      ['API / bare start', '', '', '', x(ratio.throughput), x(ratio.p50), '', x(ratio.p99), '', ''],
      ['API / bare Update-with-Start', '', '', '', x(ratioUws.throughput), x(ratioUws.p50), '', x(ratioUws.p99), '', ''],
    ],
  );

  const cpuParts = PARTS.filter((p) => [api, bare, uws].some((ph) => ph.cpu.seconds[p] !== undefined));
  const cpuRow = (label: string, u: CpuUsage) => {
    const total = cpuParts.reduce((sum, p) => sum + (u.cores[p] ?? 0), 0);
    const others = u.machineCores === null ? '-' : fixed(Math.max(0, u.machineCores - total), 2);
    return [label, ...cpuParts.map((p) => fixed(u.cores[p] ?? 0, 2)), fixed(total, 2), others, String(machine.cores)];
  };
  const waitRow = (label: string, u: CpuUsage) => {
    const total = cpuParts.reduce((sum, p) => sum + (u.waiting[p] ?? 0), 0);
    return [label, ...cpuParts.map((p) => fixed(u.waiting[p] ?? 0, 2)), fixed(total, 2), '', ''];
  };
  const cpuTable = table(
    ['cores busy (avg)', ...cpuParts, 'total', 'not ours', 'of'],
    [
      cpuRow('API phase', api.cpu),
      cpuRow('bare start phase', bare.cpu),
      cpuRow('bare Update-with-Start phase', uws.cpu),
      waitRow('API phase, runq wait', api.cpu),
      waitRow('bare start phase, runq wait', bare.cpu),
      waitRow('bare UwS phase, runq wait', uws.cpu),
    ],
  );

  const busiest = Math.max(...[api.cpu, bare.cpu, uws.cpu].map((u) => (u.machineCores ?? 0) - cpuParts.reduce((sum, p) => sum + (u.cores[p] ?? 0), 0)));
  const contention = busiest > 0.25 ? [`WARNING: other processes kept up to ${fixed(busiest, 2)} cores busy during a phase; these numbers are not from a quiet machine.`] : [];
  const services = [
    stack.embedded.postgres ? 'embedded Postgres' : 'Postgres from DATABASE_URL',
    stack.embedded.temporal ? 'Temporal dev server (in-memory)' : `Temporal at ${stack.temporalAddress}`,
  ].join(' + ');
  const errorLines = [api, apiSerial, bare, uws].flatMap((p) => p.errorSamples.map((e) => `  ${p.summary.name}: ${e.count}x ${e.error}`));
  const drainLine =
    drain.stillRunning === null
      ? 'bare workflows: completion not checked (visibility count failed)'
      : drain.stillRunning === 0
        ? `bare workflows: all completed ${fixed(drain.ms, 0)} ms after the last start returned ` +
          `(${fixed((bare.summary.n / (bare.summary.wallMs + drain.ms)) * 1000, 1)} workflows/s started-to-completed; the table times start calls only)`
        : `bare workflows: ${drain.stillRunning} still running ${fixed(drain.ms / 1000, 0)} s after the last start returned`;

  const lines = [
    '',
    `Steward change-request benchmark, ${new Date().toISOString()}`,
    `machine: ${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}`,
    `stack:   ${services}; API + worker as child processes; warm-up ${opts.warmup} per phase; closed loop, keep-alive`,
    '',
    main,
    '',
    cpuTable,
    '(CPU time per process tree from /proc; "not ours" is everything else on the machine; total + not ours near the core count means CPU-bound.',
    ' "runq wait" rows: threads runnable but waiting for a CPU, on average; well above 0 means that part was starved.)',
    ...contention,
    '',
    drainLine,
    ...(errorLines.length ? ['errors:', ...errorLines] : []),
    '',
  ];
  process.stdout.write(lines.join('\n'));

  const result = {
    timestamp: new Date().toISOString(),
    machine,
    options: { ...opts, services, bareTaskQueue: BARE_TASK_QUEUE },
    api: api.summary,
    apiSerial: apiSerial.summary,
    bare: bare.summary,
    updateWithStart: uws.summary,
    ratio,
    ratioToUpdateWithStart: ratioUws,
    cpu: { api: api.cpu, apiSerial: apiSerial.cpu, bare: bare.cpu, updateWithStart: uws.cpu },
    bareDrain: drain,
    errors: { api: api.errorSamples, apiSerial: apiSerial.errorSamples, bare: bare.errorSamples, updateWithStart: uws.errorSamples },
  };
  saveResult('', result);
}

async function main(): Promise<number> {
  const opts: Options = {
    n: intFromEnv('BENCH_N', 1000, 1),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32, 1),
    serialN: intFromEnv('BENCH_SERIAL_N', 100, 1),
    warmup: intFromEnv('BENCH_WARMUP', 20, 0),
  };
  const { stops, cleanup } = cleanupOnExit();

  return runGuarded(async () => {
    const stack = await startStack(stops);

    Runtime.install({ logger: new DefaultLogger('WARN') });
    const connection = await Connection.connect({ address: stack.temporalAddress });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: stack.namespace });

    // Bundled before anything is measured; it only starts polling for the bare phase.
    log('bundling the empty workflow for the in-process worker');
    const workerConnection = await NativeConnection.connect({ address: stack.temporalAddress });
    stops.push(() => workerConnection.close());
    const worker = await Worker.create({
      connection: workerConnection,
      namespace: stack.namespace,
      taskQueue: BARE_TASK_QUEUE,
      workflowsPath: require.resolve('./workflows/empty.workflow'),
    });

    const token = signToken('alice', JWT_SECRET);
    const api = await phase('API POST /change-requests', opts, stack, (i) => submitChangeRequest(stack.apiUrl, token, i));
    const serial = { ...opts, n: opts.serialN, concurrency: 1, warmup: Math.min(opts.warmup, 5) };
    const apiSerial = await phase('API POST /change-requests, one at a time', serial, stack, (i) => submitChangeRequest(stack.apiUrl, token, opts.n + i));

    const running = worker.run();
    stops.push(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    });
    const bare = await Promise.race([
      phase('Temporal bare workflow.start', opts, stack, () => startBare(client)),
      running.then(() => {
        throw new Error('the in-process worker stopped during the bare phase');
      }),
    ]);
    const drain = await drainBare(client);
    const uws = await Promise.race([
      phase('Temporal bare Update-with-Start', opts, stack, () => updateWithStartBare(client)),
      running.then(() => {
        throw new Error('the in-process worker stopped during the Update-with-Start phase');
      }),
    ]);

    report(opts, stack, { api, apiSerial, bare, uws }, drain);
    return [api, apiSerial, bare, uws].some((p) => p.summary.errors > 0) ? 1 : 0;
  }, cleanup);
}

runMain(main);
