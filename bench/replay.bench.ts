import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Runtime, Worker } from '@temporalio/worker';
import { DIST, REPO_ROOT } from './stack';
import { fixed, table } from './stats';
import { intFromEnv, machineInfo, runMain, saveResult } from './run';

/**
 * `npm run bench:replay`: what one workflow task costs the worker when the workflow is not in its cache, as it
 * is for most ladder steps once more cases are open than the cache holds: the SDK replays the whole history
 * before it runs the new step. Every recorded history in test/workflows/histories is replayed
 * BENCH_REPLAY_N times (200) with the bundle `npm run build` wrote, in this process, after BENCH_REPLAY_WARMUP
 * (20) replays; the table gives the CPU time per replay and per history event.
 *
 * The same runs are repeated in a child process in which the SDK's promise hook is not installed
 * (BENCH_REPLAY_COMPARE=0 skips that). The SDK installs that hook in every workflow thread to answer the
 * stack-trace query (Temporal UI's "Stack Trace" tab): it captures and formats a stack trace for every promise
 * a workflow creates. Steward does not turn it off in its worker; the second column says what it costs.
 *
 * Replays run on the Node main thread here (the SDK's replay mode); a worker runs them on its workflow thread,
 * with the same code and the same hook. Results go to bench/results/replay-<timestamp>.json.
 */

const BUNDLE = join(DIST, 'workflow-bundle.js');
const HISTORIES = join(REPO_ROOT, 'test', 'workflows', 'histories');
const CHILD_FLAG = '--without-stack-trace-hook';

interface HistoryCost {
  history: string;
  workflowType: string;
  events: number;
  replays: number;
  cpuMsPerReplay: number;
  wallMsPerReplay: number;
  cpuUsPerEvent: number;
}

function histories(): { name: string; json: unknown; events: number; workflowType: string }[] {
  return readdirSync(HISTORIES)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const json = JSON.parse(readFileSync(join(HISTORIES, f), 'utf8')) as {
        events: { workflowExecutionStartedEventAttributes?: { workflowType?: { name?: string } } }[];
      };
      const workflowType = json.events[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name ?? '?';
      return { name: f.replace(/\.json$/, ''), json, events: json.events.length, workflowType };
    });
}

async function replayAll(json: unknown, n: number, tag: string): Promise<number> {
  const history = historyFromJSON(json);
  let failed = 0;
  async function* many() {
    for (let i = 0; i < n; i++) yield { workflowId: `${tag}-${i}`, history };
  }
  for await (const r of Worker.runReplayHistories({ workflowBundle: { codePath: BUNDLE }, replayName: tag }, many())) {
    if (r.error) failed += 1;
  }
  return failed;
}

async function measure(n: number, warmup: number): Promise<HistoryCost[]> {
  const out: HistoryCost[] = [];
  for (const h of histories()) {
    if ((await replayAll(h.json, warmup, `warm-${h.name}`)) > 0) throw new Error(`${h.name} does not replay`);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const failed = await replayAll(h.json, n, h.name);
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    if (failed > 0) throw new Error(`${h.name}: ${failed} of ${n} replays failed`);
    const cpuMs = (used.user + used.system) / 1000;
    out.push({
      history: h.name,
      workflowType: h.workflowType,
      events: h.events,
      replays: n,
      cpuMsPerReplay: cpuMs / n,
      wallMsPerReplay: wallMs / n,
      cpuUsPerEvent: (cpuMs * 1000) / n / h.events,
    });
  }
  return out;
}

/** The comparison run: the same replays without the SDK's stack-trace promise hook (see the header). */
function withoutHook(n: number, warmup: number): HistoryCost[] {
  const stdout = execFileSync(process.execPath, [__filename, CHILD_FLAG], {
    env: { ...process.env, BENCH_REPLAY_N: String(n), BENCH_REPLAY_WARMUP: String(warmup) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '[]') as HistoryCost[];
}

function quietRuntime(): void {
  Runtime.install({ logger: { log: () => undefined, trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => process.stderr.write(`${m}\n`) } });
}

async function child(): Promise<number> {
  // Bench only: keeps the SDK from installing its promise hook in this process, to measure what it costs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const shared = require('@temporalio/worker/lib/workflow/vm-shared') as { globalHandlers: { setPromiseHook: () => void } };
  shared.globalHandlers.setPromiseHook = () => undefined;
  quietRuntime();
  const costs = await measure(intFromEnv('BENCH_REPLAY_N', 200, 1), intFromEnv('BENCH_REPLAY_WARMUP', 20, 1));
  process.stdout.write(`${JSON.stringify(costs)}\n`);
  return 0;
}

async function main(): Promise<number> {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build first`);
  quietRuntime();
  const n = intFromEnv('BENCH_REPLAY_N', 200, 1);
  const warmup = intFromEnv('BENCH_REPLAY_WARMUP', 20, 1);
  const compare = intFromEnv('BENCH_REPLAY_COMPARE', 1, 0) === 1;
  process.stderr.write(`replaying every recorded history ${n} times (after ${warmup})\n`);
  const costs = await measure(n, warmup);
  const bare = compare ? withoutHook(n, warmup) : [];
  const rows = costs.map((c) => {
    const b = bare.find((x) => x.history === c.history);
    return [
      c.history,
      String(c.events),
      fixed(c.cpuMsPerReplay, 1),
      fixed(c.cpuUsPerEvent, 0),
      b ? fixed(b.cpuMsPerReplay, 1) : '-',
      b ? `${fixed(100 * (1 - b.cpuMsPerReplay / c.cpuMsPerReplay), 0)} %` : '-',
    ];
  });
  process.stdout.write(
    `\nReplay of a whole history (a workflow task of a workflow that is not cached), CPU per replay\n\n${table(
      ['history', 'events', 'CPU ms', 'CPU µs/event', 'CPU ms, no stack-trace hook', 'hook share'],
      rows,
    )}\n\n`,
  );
  const timestamp = new Date().toISOString();
  const result = { timestamp, machine: machineInfo(), replays: n, warmup, withStackTraceHook: costs, withoutStackTraceHook: bare };
  saveResult('replay-', result);
  return 0;
}

runMain(process.argv.includes(CHILD_FLAG) ? child : main);
