import 'reflect-metadata';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { get as httpGet, IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions';
import { signToken } from '@steward/directory';
import { CaseStore, dataSourceOptions, verifyAuditChain } from '@steward/persistence';
import { benchCommit, seedAuditChain, SeedResult } from './audit-fixtures';
import { cpuBetween, cpuSampler, cpuSnapshot, CpuUsage, PARTS } from './cpu';
import { MeasuredRun, procMemory, ProcMemory, runMeasured } from './memory';
import { ActivitySampler, ActivitySummary } from './pg-activity';
import { runPool, PoolResult } from './pool';
import { BenchStack, DIST, JWT_SECRET, log, startStack } from './stack';
import { fixed, PhaseSummary, summarize, table } from './stats';
import { cleanupOnExit, intFromEnv, machineInfo, runGuarded, runMain, saveResult } from './run';

/**
 * `npm run bench:audit`: the audit hash chain under load.
 *
 *   1. Append throughput: W writers (each its own pooled connection) run CaseStore.commit in a closed loop,
 *      every commit a new case with a task, a notification and E audit events. All appenders serialize on
 *      the single audit_chain_head row, so this shows how that scales from 1 to 16 writers. pg_stat_activity
 *      is sampled meanwhile (lock waits, and what the lock holder is doing). After each run the chain must
 *      verify and be gap-free (rows = max seq = head seq = what was appended).
 *   2. The chain is seeded up to BENCH_AUDIT_EXPORT_EVENTS (1,000,000) valid events, as the owner.
 *   3. Verification: verifyAuditChain in-process, and the audit:verify CLI against the database.
 *   4. Export: GET /audit/export (JSON lines, then CSV) streamed from the real API child process to a file,
 *      with the API's resident memory sampled against progress; then the CLI verifies both files.
 *
 * Env: BENCH_AUDIT_PHASES (append,verify,export: which of phases 1, 3 and 4 to run; seeding always runs, and the
 * export files are verified only with export; e.g. BENCH_AUDIT_PHASES=verify for seeding + verification alone),
 * BENCH_AUDIT_VERIFY_RUNS (1: how many times each verification is measured, one after the other),
 * BENCH_AUDIT_WRITERS (1,4,16), BENCH_AUDIT_COMMITS (500 per writer), BENCH_AUDIT_EVENTS_PER_COMMIT (3),
 * BENCH_AUDIT_SINGLE_EVENT_WRITERS (16; 0 skips the one-event-per-commit run), BENCH_AUDIT_WARMUP (5 commits
 * per writer), BENCH_AUDIT_EXPORT_EVENTS (1000000), BENCH_AUDIT_SEED_BATCH (5000 rows per INSERT),
 * BENCH_AUDIT_ACTIVITY_MS (20: pg_stat_activity sampling interval during the append runs; 0 turns it off),
 * BENCH_AUDIT_APPEND_ONLY (1 runs phase 1 only: no seeding, verification or export), BENCH_AUDIT_LANES and
 * BENCH_AUDIT_MAX_BATCH (CaseStore's group commit: transactions in flight at once, commits per transaction at most;
 * CaseStore's defaults, 2 and 32, when unset).
 * DATABASE_URL / TEMPORAL_ADDRESS use running services; since the audit trail is append-only, a DATABASE_URL
 * is used only with BENCH_AUDIT_ALLOW_DATABASE_URL=1 (the events stay there for good).
 * The tables go to stdout, progress to stderr, everything to bench/results/audit-<timestamp>.json. The first table
 * puts the figures beside the targets of issue 12 (16 writers: >= 2,000 commits/s, p99 < 50 ms; verification
 * >= 150,000 events/s; a 1,000,000-event export with the API under 300 MB resident); see docs/PERFORMANCE.md.
 * Exits 1 when the run failed, a commit failed, or any chain or export did not verify.
 */

const WRITER_APP_NAME = 'steward-bench-audit-writer';
const CLI = join(DIST, 'apps', 'cli', 'src', 'audit-verify.js');

const PHASES = ['append', 'verify', 'export'] as const;
type Phase = (typeof PHASES)[number];

interface Options {
  phases: Phase[];
  verifyRuns: number;
  writers: number[];
  commitsPerWriter: number;
  eventsPerCommit: number;
  singleEventWriters: number;
  warmupPerWriter: number;
  exportEvents: number;
  seedBatch: number;
  /** pg_stat_activity sampling interval during the append runs; 0 turns sampling off. */
  activityMs: number;
  /** Phase 1 only (BENCH_AUDIT_APPEND_ONLY=1): no seeding, verification or export. */
  appendOnly: boolean;
  /** CaseStore's group commit: transactions in flight and commits per transaction at most (its defaults when unset). */
  lanes?: number;
  maxBatch?: number;
}

function intListFromEnv(name: string, fallback: number[]): number[] {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const values = raw.split(',').map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a comma-separated list of integers >= 1 (got "${raw}")`);
  return values;
}

function phasesFromEnv(name: string): Phase[] {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return [...PHASES];
  const values = raw.split(',').map((v) => v.trim());
  const bad = values.filter((v) => !(PHASES as readonly string[]).includes(v));
  if (bad.length > 0) throw new Error(`${name} must be a comma-separated list of ${PHASES.join(', ')} (got "${raw}")`);
  return PHASES.filter((p) => values.includes(p));
}

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
const mib = (bytes: number): number => bytes / 2 ** 20;

// ---------------------------------------------------------------------------------------------------------
// Chain checks

interface ChainCheck {
  ok: boolean;
  /** Events the verifier checked. */
  checked: number;
  headSeq: number;
  rows: number;
  maxSeq: number;
  reason: string | null;
  verifyMs: number;
}

/** verifyAuditChain plus the gap-free check: as many rows as the head's seq, and the last one at that seq. */
async function checkChain(pool: Pool): Promise<ChainCheck> {
  const started = performance.now();
  const verdict = await verifyAuditChain(pool);
  const verifyMs = performance.now() - started;
  const { rows } = await pool.query<{ n: string; max: string; head: string }>(
    'SELECT count(*) AS n, coalesce(max(seq), 0) AS max, (SELECT seq FROM audit_chain_head WHERE id = 1) AS head FROM audit_events',
  );
  const [n, maxSeq, headSeq] = [Number(rows[0].n), Number(rows[0].max), Number(rows[0].head)];
  const gapFree = n === headSeq && maxSeq === headSeq;
  const reason = !verdict.ok ? `seq ${verdict.firstBadSeq}: ${verdict.reason}` : gapFree ? null : `${n} rows, max seq ${maxSeq}, head seq ${headSeq}`;
  return { ok: verdict.ok && gapFree, checked: verdict.checked, headSeq, rows: n, maxSeq, reason, verifyMs };
}

async function headSeq(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ seq: string }>('SELECT seq FROM audit_chain_head WHERE id = 1');
  return Number(rows[0].seq);
}

// ---------------------------------------------------------------------------------------------------------
// 1. Append throughput

interface AppendResult {
  name: string;
  writers: number;
  eventsPerCommit: number;
  summary: PhaseSummary;
  events: number;
  eventsPerSecond: number;
  errorSamples: PoolResult['errorSamples'];
  cpu: CpuUsage;
  activity: ActivitySummary;
  /** Head seq moved by exactly what the successful commits appended (warm-up included). */
  appendedAsExpected: boolean;
  appended: number;
  /** Commits per transaction in the measured run (CaseStore's group commit). */
  commitsPerTransaction: number;
  chain: ChainCheck;
}

async function appendPhase(
  stack: BenchStack,
  admin: Client,
  verifyPool: Pool,
  opts: Options,
  writers: number,
  eventsPerCommit: number,
): Promise<AppendResult> {
  const name = `${writers} writer${writers === 1 ? '' : 's'} x ${eventsPerCommit} event${eventsPerCommit === 1 ? '' : 's'}`;
  // One pool of `writers` connections, as the app role, and one CaseStore, as in a worker: the writers are its
  // concurrent callers (a worker's activities), and it combines the commits that wait into shared transactions.
  const base = dataSourceOptions(stack.databaseUrl) as PostgresDataSourceOptions;
  const ds = new DataSource({ ...base, applicationName: WRITER_APP_NAME, extra: { ...base.extra, max: writers } });
  await ds.initialize();
  try {
    const store = new CaseStore(ds, { lanes: opts.lanes, maxBatch: opts.maxBatch });
    let okCommits = 0;
    const op = async (i: number): Promise<string | null> => {
      const { appended } = await store.commit(benchCommit(i, eventsPerCommit));
      if (appended !== eventsPerCommit) return `appended ${appended} events instead of ${eventsPerCommit}`;
      okCommits += 1;
      return null;
    };
    const before = await headSeq(verifyPool);
    const warmup = writers * opts.warmupPerWriter;
    if (warmup > 0) {
      log(`append ${name}: warm-up, ${warmup} commits`);
      const warm = await Promise.race([runPool(warmup, writers, (i) => op(-1 - i)), stack.crashed]);
      if (warm.errors > 0) throw new Error(`append ${name}: warm-up failed: ${warm.errorSamples.map((e) => `${e.count}x ${e.error}`).join('; ')}`);
    }
    const n = writers * opts.commitsPerWriter;
    log(`append ${name}: ${n} commits`);
    const sampler = new ActivitySampler(admin, WRITER_APP_NAME, opts.activityMs);
    const cpuBefore = cpuSnapshot();
    const writtenBefore = { ...store.written };
    if (opts.activityMs > 0) sampler.start();
    const result = await Promise.race([runPool(n, writers, op), stack.crashed]);
    const cpu = cpuBetween(cpuBefore, cpuSnapshot());
    const commitsPerTransaction = (store.written.commits - writtenBefore.commits) / Math.max(1, store.written.transactions - writtenBefore.transactions);
    const activity = await sampler.stop();
    const summary = summarize(name, writers, n, result.wallMs, result.latencies, result.errors);
    const events = result.latencies.length * eventsPerCommit;
    log(`append ${name}: ${fixed(summary.throughput, 0)} commits/s; verifying the chain`);
    const chain = await checkChain(verifyPool);
    const appended = chain.headSeq - before;
    return {
      name,
      writers,
      eventsPerCommit,
      summary,
      events,
      eventsPerSecond: (events / result.wallMs) * 1000,
      errorSamples: result.errorSamples,
      cpu,
      activity,
      appended,
      appendedAsExpected: appended === okCommits * eventsPerCommit,
      commitsPerTransaction,
      chain,
    };
  } finally {
    await ds.destroy();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 3. Verification

interface VerifyResult {
  name: string;
  events: number;
  wallMs: number;
  eventsPerSecond: number;
  ok: boolean;
  detail: string | null;
  maxRssMiB: number | null;
  rssSource: string;
  /** CPU seconds of the verifier (the bench process, or the CLI from /usr/bin/time). */
  cpuSeconds: number | null;
  /** CPU seconds of Postgres meanwhile (the backend that streamed the chain); null when no database was read. */
  postgresSeconds: number | null;
  cpu: CpuUsage | null;
}

/** CPU seconds per million events. */
const perMillion = (seconds: number | null, events: number): string => (seconds === null || events === 0 ? '-' : fixed((seconds / events) * 1e6, 1));

async function verifyInProcess(pool: Pool, name: string): Promise<VerifyResult> {
  const before = cpuSnapshot();
  const started = performance.now();
  const verdict = await verifyAuditChain(pool);
  const wallMs = performance.now() - started;
  const cpu = cpuBetween(before, cpuSnapshot());
  return {
    name,
    events: verdict.checked,
    wallMs,
    eventsPerSecond: (verdict.checked / wallMs) * 1000,
    ok: verdict.ok,
    detail: verdict.ok ? null : `seq ${verdict.firstBadSeq}: ${verdict.reason}`,
    maxRssMiB: null,
    rssSource: 'n/a (shared with the bench)',
    cpuSeconds: cpu.seconds.bench ?? null,
    postgresSeconds: cpu.seconds.postgres ?? null,
    cpu,
  };
}

interface CliVerdict {
  ok?: boolean;
  checked?: number;
  seconds?: number;
  reason?: string;
  firstBadSeq?: number;
}

async function verifyWithCli(name: string, args: string[], expected: number, track: (kill: (() => void) | null) => void, database: boolean): Promise<VerifyResult> {
  log(`verify: ${name}`);
  const before = cpuSnapshot();
  // The CLI's Postgres backend exits with it: sampled meanwhile, so that its CPU time is counted.
  const sampler = cpuSampler(['postgres']);
  let run: MeasuredRun;
  try {
    run = await runMeasured(process.execPath, [CLI, ...args], track);
  } catch (e) {
    sampler.stop();
    throw e;
  }
  const cpu = cpuBetween(before, sampler.stop());
  // The CLI has exited by the second snapshot, so /proc no longer counts it: add what /usr/bin/time measured.
  if (run.cpuSeconds !== null) {
    cpu.seconds.other = (cpu.seconds.other ?? 0) + run.cpuSeconds;
    cpu.cores.other = (cpu.cores.other ?? 0) + run.cpuSeconds / (cpu.wallMs / 1000);
  }
  let verdict: CliVerdict = {};
  try {
    verdict = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as CliVerdict;
  } catch {
    // reported below
  }
  const checked = verdict.checked ?? 0;
  const ok = run.code === 0 && verdict.ok === true && checked === expected;
  const detail = ok
    ? null
    : `exit ${run.code}; ${verdict.ok === false ? `seq ${verdict.firstBadSeq}: ${verdict.reason}` : `checked ${checked} of ${expected}`}${run.stderr ? `; ${run.stderr.slice(0, 300)}` : ''}`;
  return {
    name,
    events: checked,
    wallMs: run.wallMs,
    eventsPerSecond: (checked / run.wallMs) * 1000,
    ok,
    detail,
    maxRssMiB: run.maxRssMiB,
    rssSource: run.rssSource,
    cpuSeconds: run.cpuSeconds,
    postgresSeconds: database ? (cpu.seconds.postgres ?? null) : null,
    cpu: run.cpuSeconds === null ? null : cpu,
  };
}

// ---------------------------------------------------------------------------------------------------------
// 4. Export

interface RssSample {
  ms: number;
  bytes: number;
  lines: number;
  rssMiB: number;
}

interface ExportResult {
  format: 'jsonl' | 'csv';
  file: string;
  events: number;
  expected: number;
  bytes: number;
  wallMs: number;
  ttfbMs: number;
  eventsPerSecond: number;
  api: { before: ProcMemory | null; after: ProcMemory | null; maxSampledRssMiB: number | null };
  /** API RSS when 10/25/50/75/100% of the events had arrived. */
  rssAtProgress: { fraction: number; lines: number; rssMiB: number }[];
  samples: RssSample[];
  cpu: CpuUsage;
}

const PROGRESS_POINTS = [0.1, 0.25, 0.5, 0.75, 1];

async function exportAudit(stack: BenchStack, token: string, format: 'jsonl' | 'csv', file: string, expected: number): Promise<ExportResult> {
  const apiPid = stack.children.api.pid;
  const url = `${stack.apiUrl}/audit/export?format=${format}`;
  log(`export: GET ${url} -> ${file}`);
  const before = procMemory(apiPid);
  const samples: RssSample[] = [];
  let bytes = 0;
  let lines = 0;
  const cpuBefore = cpuSnapshot();
  const started = performance.now();
  const sample = () => {
    const m = procMemory(apiPid);
    if (m) samples.push({ ms: performance.now() - started, bytes, lines, rssMiB: m.rssMiB });
  };
  const timer = setInterval(sample, 100);
  let ttfbMs = Number.NaN;
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpGet(url, { headers: { authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
    });
    if (res.statusCode !== 200) {
      let body = '';
      for await (const chunk of res) body += String(chunk);
      throw new Error(`export ${format}: HTTP ${res.statusCode}: ${body.slice(0, 300)}`);
    }
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (bytes === 0) ttfbMs = performance.now() - started;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
        done(null, chunk);
      },
    });
    await Promise.race([pipeline(res, counter, createWriteStream(file)), stack.crashed]);
  } finally {
    clearInterval(timer);
  }
  const wallMs = performance.now() - started;
  sample();
  const cpu = cpuBetween(cpuBefore, cpuSnapshot());
  const after = procMemory(apiPid);
  const events = format === 'csv' ? lines - 1 : lines;
  const headerLines = format === 'csv' ? 1 : 0;
  const rssAtProgress = PROGRESS_POINTS.map((fraction) => {
    const target = headerLines + fraction * events;
    const s = samples.find((x) => x.lines >= target) ?? samples[samples.length - 1];
    return { fraction, lines: s ? s.lines - headerLines : 0, rssMiB: s ? s.rssMiB : Number.NaN };
  });
  const maxSampled = samples.length ? Math.max(...samples.map((s) => s.rssMiB)) : null;
  log(`export ${format}: ${int(events)} events, ${fixed(mib(bytes), 0)} MiB in ${fixed(wallMs / 1000, 1)} s; API RSS max ${fixed(maxSampled ?? Number.NaN, 0)} MiB`);
  return {
    format,
    file,
    events,
    expected,
    bytes: statSync(file).size,
    wallMs,
    ttfbMs,
    eventsPerSecond: (events / wallMs) * 1000,
    api: { before, after, maxSampledRssMiB: maxSampled },
    rssAtProgress,
    samples,
    cpu,
  };
}

interface SlowExportResult {
  bytesPerSecond: number;
  seconds: number;
  received: number;
  api: { before: ProcMemory | null; maxSampledRssMiB: number | null };
  /** Whether the API's cursor query was open while the client was reading slowly. */
  cursorOpenWhileReading: boolean;
  /** How long after the disconnect the API's cursor query was gone (null: still there after 10 s). */
  cursorClosedAfterMs: number | null;
}

/** The API's own connections (the bench's are named steward-bench-*) running the export's cursor query. */
async function exportCursors(admin: Client, apiUser: string): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity
     WHERE usename = $1 AND application_name NOT LIKE 'steward-bench%' AND state <> 'idle' AND query ~ '^SELECT .* FROM audit_events'`,
    [apiUser],
  );
  return Number(rows[0].n);
}

/**
 * Backpressure: a client that reads the JSON lines export at `bytesPerSecond`, far slower than the API can
 * produce it, then hangs up. Without backpressure the API would buffer what it produced meanwhile; with it,
 * its memory stays flat. After the hang-up the cursor must go away (the connection goes back to the pool).
 */
async function slowExport(stack: BenchStack, admin: Client, token: string, bytesPerSecond: number, seconds: number): Promise<SlowExportResult> {
  const apiPid = stack.children.api.pid;
  const apiUser = new URL(stack.databaseUrl).username;
  const url = `${stack.apiUrl}/audit/export?format=jsonl`;
  log(`export: slow client, ${fixed(mib(bytesPerSecond), 1)} MiB/s for ${seconds} s, then hang up`);
  const before = procMemory(apiPid);
  let maxRss: number | null = null;
  const timer = setInterval(() => {
    const m = procMemory(apiPid);
    if (m) maxRss = Math.max(maxRss ?? 0, m.rssMiB);
  }, 100);
  let received = 0;
  let cursorOpenWhileReading = false;
  let hungUp = false;
  try {
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpGet(url, { headers: { authorization: `Bearer ${token}` } }, resolve);
      req.on('error', reject);
    });
    if (res.statusCode !== 200) throw new Error(`slow export: HTTP ${res.statusCode}`);
    const started = performance.now();
    const throttle = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        const wait = started + (received / bytesPerSecond) * 1000 - performance.now();
        if (wait > 0) setTimeout(() => done(null, chunk), wait);
        else done(null, chunk);
      },
    });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const probe = setTimeout(() => {
      void exportCursors(admin, apiUser).then((n) => (cursorOpenWhileReading = n > 0), () => undefined);
    }, (seconds * 1000) / 2);
    const hangUp = setTimeout(() => {
      hungUp = true;
      res.destroy();
    }, seconds * 1000);
    try {
      await Promise.race([pipeline(res, throttle, discard), stack.crashed]);
    } catch (e) {
      if (!hungUp) throw e;
    } finally {
      clearTimeout(probe);
      clearTimeout(hangUp);
    }
  } finally {
    clearInterval(timer);
  }
  const hungUpAt = performance.now();
  let cursorClosedAfterMs: number | null = null;
  while (performance.now() - hungUpAt < 10_000) {
    if ((await exportCursors(admin, apiUser)) === 0) {
      cursorClosedAfterMs = performance.now() - hungUpAt;
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log(`slow export: ${fixed(mib(received), 1)} MiB read; API RSS max ${fixed(maxRss ?? Number.NaN, 0)} MiB; cursor closed ${cursorClosedAfterMs === null ? 'NOT within 10 s' : `after ${fixed(cursorClosedAfterMs, 0)} ms`}`);
  return { bytesPerSecond, seconds, received, api: { before, maxSampledRssMiB: maxRss }, cursorOpenWhileReading, cursorClosedAfterMs };
}

// ---------------------------------------------------------------------------------------------------------
// Report

interface Report {
  timestamp: string;
  machine: Record<string, unknown>;
  postgres: Record<string, string>;
  options: Options & { services: string; apiDatabaseUser: string; seedUser: string };
  append: AppendResult[];
  /** Null when phases 2 to 4 were skipped (BENCH_AUDIT_APPEND_ONLY=1). */
  seed: (SeedResult & { chain: ChainCheck }) | null;
  verify: VerifyResult[];
  exports: ExportResult[];
  slowExport: SlowExportResult | null;
  /** The performance targets of issue 12 (item 3), each with the figure measured here. */
  targets: TargetCheck[];
  failures: string[];
}

interface TargetCheck {
  figure: string;
  target: string;
  measured: string;
  met: boolean | null;
}

const TARGET_WRITERS = 16;
const TARGET_COMMITS_PER_SECOND = 2000;
const TARGET_P99_MS = 50;
const TARGET_VERIFY_EVENTS_PER_SECOND = 150_000;
const TARGET_EXPORT_EVENTS = 1_000_000;
const TARGET_EXPORT_RSS_MB = 300;

/** The targets next to what this run measured (null: this run did not measure it, e.g. other options). */
function targetChecks(r: Omit<Report, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const sixteen = r.append.find((a) => a.writers === TARGET_WRITERS && a.eventsPerCommit === r.options.eventsPerCommit);
  checks.push({
    figure: `append, ${TARGET_WRITERS} writers x ${r.options.eventsPerCommit} events: commits/s`,
    target: `>= ${int(TARGET_COMMITS_PER_SECOND)}`,
    measured: sixteen ? fixed(sixteen.summary.throughput, 0) : 'not run',
    met: sixteen ? sixteen.summary.throughput >= TARGET_COMMITS_PER_SECOND : null,
  });
  checks.push({
    figure: `append, ${TARGET_WRITERS} writers x ${r.options.eventsPerCommit} events: p99 ms`,
    target: `< ${TARGET_P99_MS}`,
    measured: sixteen ? fixed(sixteen.summary.latencyMs.p99, 1) : 'not run',
    met: sixteen ? sixteen.summary.latencyMs.p99 < TARGET_P99_MS : null,
  });
  const single = r.append.find((a) => a.writers === TARGET_WRITERS && a.eventsPerCommit === 1 && a !== sixteen);
  if (single) {
    checks.push({ figure: `append, ${single.name}: commits/s`, target: `>= ${int(TARGET_COMMITS_PER_SECOND)}`, measured: fixed(single.summary.throughput, 0), met: single.summary.throughput >= TARGET_COMMITS_PER_SECOND });
    checks.push({ figure: `append, ${single.name}: p99 ms`, target: `< ${TARGET_P99_MS}`, measured: fixed(single.summary.latencyMs.p99, 1), met: single.summary.latencyMs.p99 < TARGET_P99_MS });
  }
  for (const v of r.verify) {
    checks.push({ figure: `verify: ${v.name}: events/s`, target: `>= ${int(TARGET_VERIFY_EVENTS_PER_SECOND)}`, measured: int(v.eventsPerSecond), met: v.ok && v.eventsPerSecond >= TARGET_VERIFY_EVENTS_PER_SECOND });
  }
  for (const e of r.exports) {
    const max = e.api.maxSampledRssMiB;
    const full = e.events >= TARGET_EXPORT_EVENTS;
    checks.push({
      figure: `export ${e.format}, ${int(e.events)} events: API RSS max`,
      target: `< ${TARGET_EXPORT_RSS_MB} MB (${fixed((TARGET_EXPORT_RSS_MB * 1e6) / 2 ** 20, 0)} MiB)`,
      measured: max === null ? '-' : `${fixed((max * 2 ** 20) / 1e6, 0)} MB (${fixed(max, 0)} MiB)`,
      met: max === null || !full ? null : (max * 2 ** 20) / 1e6 < TARGET_EXPORT_RSS_MB,
    });
  }
  return checks;
}

/** CPU time the writers (bench process) and Postgres spent per successful commit of a run, in ms. */
function cpuMsPerCommit(a: AppendResult): number {
  const seconds = (a.cpu.seconds.bench ?? 0) + (a.cpu.seconds.postgres ?? 0);
  return a.summary.ok > 0 ? (seconds * 1000) / a.summary.ok : Number.NaN;
}

/** Cores each part kept busy; with `runQueue`, also how many of its threads waited for a CPU on average. */
function cpuTable(rows: { label: string; cpu: CpuUsage }[], cores: number, runQueue = false): string {
  const parts = PARTS.filter((p) => rows.some((r) => r.cpu.seconds[p] !== undefined));
  const busy = rows.map(({ label, cpu }) => {
    const total = parts.reduce((sum, p) => sum + (cpu.cores[p] ?? 0), 0);
    const others = cpu.machineCores === null ? '-' : fixed(Math.max(0, cpu.machineCores - total), 2);
    return [label, ...parts.map((p) => fixed(cpu.cores[p] ?? 0, 2)), fixed(total, 2), others, String(cores)];
  });
  const waiting = rows.map(({ label, cpu }) => {
    const total = parts.reduce((sum, p) => sum + (cpu.waiting[p] ?? 0), 0);
    return [`${label}, runq wait`, ...parts.map((p) => fixed(cpu.waiting[p] ?? 0, 2)), fixed(total, 2), '', ''];
  });
  return table(['cores busy (avg)', ...parts, 'total', 'not ours', 'of'], runQueue ? [...busy, ...waiting] : busy);
}

/** Cores kept busy by processes outside the benchmark's tree during a phase. */
function notOurs(cpu: CpuUsage): string {
  return cpu.machineCores === null ? '-' : fixed(Math.max(0, cpu.machineCores - PARTS.reduce((sum, p) => sum + (cpu.cores[p] ?? 0), 0)), 2);
}

function render(r: Report): string {
  const m = r.machine;
  const lines: string[] = [
    '',
    `Steward audit chain benchmark, ${r.timestamp}`,
    `machine:  ${m.cores} cores (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.platform}, node ${m.node}`,
    `postgres: ${Object.entries(r.postgres)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}`,
    `stack:    ${r.options.services}; API as ${r.options.apiDatabaseUser}; writers in the bench process as ${r.options.apiDatabaseUser}; seeding as ${r.options.seedUser}`,
    '',
    'Targets (issue 12, item 3) and this run',
    table(
      ['figure', 'target', 'measured', 'met'],
      r.targets.map((t) => [t.figure, t.target, t.measured, t.met === null ? 'n/a' : t.met ? 'yes' : 'NO']),
    ),
    '',
    `1. Append: CaseStore.commit (case + task + notification + audit events), closed loop, ${r.options.commitsPerWriter} commits per writer after ${r.options.warmupPerWriter} warm-up each`,
    table(
      ['writers x events/commit', 'commits', 'wall s', 'commits/s', 'events/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'CPU ms/commit', 'commits/tx', 'errors', 'chain after'],
      r.append.map((a) => [
        a.name,
        int(a.summary.n),
        fixed(a.summary.wallMs / 1000, 2),
        fixed(a.summary.throughput, 0),
        fixed(a.eventsPerSecond, 0),
        fixed(a.summary.latencyMs.p50, 1),
        fixed(a.summary.latencyMs.p95, 1),
        fixed(a.summary.latencyMs.p99, 1),
        fixed(a.summary.latencyMs.max, 1),
        fixed(cpuMsPerCommit(a), 2),
        fixed(a.commitsPerTransaction, 1),
        String(a.summary.errors),
        a.chain.ok && a.appendedAsExpected ? `ok, ${int(a.chain.headSeq)} events` : `FAILED: ${a.chain.reason ?? `appended ${a.appended}`}`,
      ]),
    ),
    '',
    cpuTable(
      r.append.map((a) => ({ label: a.name, cpu: a.cpu })),
      Number(m.cores),
      true,
    ),
    '(CPU ms/commit = CPU time of the bench process and Postgres during the run, divided by the commits;',
    ' commits/tx = commits per transaction: CaseStore writes the commits that wait together in one transaction;',
    ' bench = the writers: CaseStore, hashing and the pg driver run in the bench process; "not ours" = other load on the machine;',
    ' "runq wait" = threads runnable but waiting for a CPU, on average: well above 0 means that part was starved)',
    '',
    r.options.activityMs > 0
      ? `pg_stat_activity of the writers' connections, sampled every ~${r.options.activityMs} ms (average number of backends in each state):`
      : 'pg_stat_activity sampling was off (BENCH_AUDIT_ACTIVITY_MS=0)',
  ];
  for (const a of r.append) {
    if (a.activity.samples === 0) continue;
    const states = Object.entries(a.activity.backends)
      .map(([k, v]) => `${fixed(v, 2)} ${k}`)
      .join('; ');
    const holder = Object.entries(a.activity.holder)
      .map(([k, v]) => `${fixed(v * 100, 0)}% ${k}`)
      .join('; ');
    lines.push(`  ${a.name} (${a.activity.samples} samples): ${states}`);
    if (a.activity.contendedFraction > 0) lines.push(`    a writer waited for a lock in ${fixed(a.activity.contendedFraction * 100, 0)}% of samples; the holder then was: ${holder}`);
    if (a.activity.error) lines.push(`    sampling stopped early: ${a.activity.error}`);
  }
  const s = r.seed;
  if (s === null) lines.push('', '2. to 4. (seeding, verification, export) skipped: BENCH_AUDIT_APPEND_ONLY=1', '');
  else lines.push(
    '',
    `2. Seeding: ${int(s.events)} chained events appended (seq ${int(s.fromSeq + 1)}..${int(s.toSeq)}) in ${fixed(s.ms / 1000, 1)} s = ${int((s.events / s.ms) * 1000)} events/s ` +
      `(${fixed(s.buildMs / 1000, 1)} s of it building + hashing in the bench, overlapped with the inserts); chain after: ` +
      (s.chain.ok ? `ok, ${int(s.chain.headSeq)} events, gap-free` : `FAILED: ${s.chain.reason}`),
    '',
    '3. Verification of the whole chain',
    table(
      ['', 'events', 'wall s', 'events/s', 'peak RSS MiB', 'CPU s', 'CPU s/1M', 'postgres CPU s/1M', 'not ours', 'verdict'],
      r.verify.map((v) => [
        v.name,
        int(v.events),
        fixed(v.wallMs / 1000, 2),
        int(v.eventsPerSecond),
        v.maxRssMiB === null ? '-' : fixed(v.maxRssMiB, 0),
        v.cpuSeconds === null ? '-' : fixed(v.cpuSeconds, 1),
        perMillion(v.cpuSeconds, v.events),
        perMillion(v.postgresSeconds, v.events),
        v.cpu ? notOurs(v.cpu) : '-',
        v.ok ? 'ok' : `FAILED: ${v.detail}`,
      ]),
    ),
    '(CLI rows: wall time includes starting node; peak RSS and CPU s from /usr/bin/time -v when available. CPU s/1M: the verifier\'s',
    ' CPU seconds per million events, worker threads included; postgres: the backend that streamed the chain; not ours: cores busy',
    ' with other work on the machine meanwhile)',
    '',
    cpuTable(
      r.verify.flatMap((v) => (v.cpu ? [{ label: v.name, cpu: v.cpu }] : [])),
      Number(m.cores),
    ),
    "(other = the CLI, from /usr/bin/time; bench = the in-process verifier, worker threads included; postgres = the backend that streamed",
    ' the chain: a CLI\'s own backend, which exits with it, as last sampled, every 200 ms)',
    '',
    '4. Export: GET /audit/export streamed from the API child process to a file (auditor audrey)',
    table(
      ['format', 'events', 'wall s', 'events/s', 'MiB', 'MiB/s', 'TTFB ms', 'API RSS before', 'RSS max', 'RSS end', 'VmHWM before', 'VmHWM after'],
      r.exports.map((e) => [
        e.format,
        int(e.events),
        fixed(e.wallMs / 1000, 2),
        int(e.eventsPerSecond),
        fixed(mib(e.bytes), 0),
        fixed(mib(e.bytes) / (e.wallMs / 1000), 1),
        fixed(e.ttfbMs, 0),
        fixed(e.api.before?.rssMiB ?? Number.NaN, 0),
        fixed(e.api.maxSampledRssMiB ?? Number.NaN, 0),
        fixed(e.api.after?.rssMiB ?? Number.NaN, 0),
        fixed(e.api.before?.hwmMiB ?? Number.NaN, 0),
        fixed(e.api.after?.hwmMiB ?? Number.NaN, 0),
      ]),
    ),
    '',
    table(
      ['API RSS MiB when ... of the events were out', ...PROGRESS_POINTS.map((p) => `${p * 100}%`), 'max, 1st half', 'max, 2nd half'],
      r.exports.map((e) => {
        const half = (second: boolean) =>
          Math.max(...e.samples.filter((x) => (x.lines >= e.events / 2) === second).map((x) => x.rssMiB));
        return [e.format, ...e.rssAtProgress.map((p) => fixed(p.rssMiB, 0)), fixed(half(false), 0), fixed(half(true), 0)];
      }),
    ),
    '(sampled every 100 ms; the API\'s RSS follows the garbage collector\'s sawtooth, so compare the halves: growth with N would show there)',
    '',
    cpuTable(
      r.exports.map((e) => ({ label: `export ${e.format}`, cpu: e.cpu })),
      Number(m.cores),
    ),
    '(bench = reading the response and writing the file)',
    '',
    (() => {
      const x = r.slowExport;
      if (!x) return 'Backpressure: not run (no export phase)';
      return (
        `Backpressure: a client reading the JSON lines export at ${fixed(mib(x.bytesPerSecond), 1)} MiB/s for ${x.seconds} s, then hanging up: ` +
        `${fixed(mib(x.received), 1)} MiB read; API RSS ${fixed(x.api.before?.rssMiB ?? Number.NaN, 0)} MiB before, ${fixed(x.api.maxSampledRssMiB ?? Number.NaN, 0)} MiB at most meanwhile; ` +
        `cursor ${x.cursorOpenWhileReading ? 'open while reading' : 'NOT seen while reading'}, ` +
        (x.cursorClosedAfterMs === null ? 'still open 10 s after the hang-up' : `gone ${fixed(x.cursorClosedAfterMs, 0)} ms after the hang-up`)
      );
    })(),
    '',
  );
  const foreign = worstForeignLoad([...r.append.map((a) => a.cpu), ...r.exports.map((e) => e.cpu), ...r.verify.flatMap((v) => (v.cpu ? [v.cpu] : []))]);
  if (foreign > 0.25) lines.push(`WARNING: other processes kept up to ${fixed(foreign, 2)} cores busy during a phase; these numbers are not from a quiet machine.`, '');
  if (r.failures.length) lines.push('FAILURES:', ...r.failures.map((f) => `  ${f}`), '');
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------

/** Waits until the stack is idle (the worker bundles its workflows for a few seconds after it starts). */
async function waitForQuiet(maxMs = 60_000): Promise<void> {
  const deadline = performance.now() + maxMs;
  let previous = cpuSnapshot();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = cpuSnapshot();
    const u = cpuBetween(previous, next);
    previous = next;
    const busy = (['api', 'worker', 'temporal', 'postgres'] as const).reduce((sum, p) => sum + (u.cores[p] ?? 0), 0);
    if (busy < 0.1) return;
    log(`waiting for the stack to go idle (${fixed(busy, 2)} cores busy)`);
  }
  log(`the stack did not go idle within ${maxMs / 1000} s; measuring anyway`);
}

/** Cores kept busy by processes outside the benchmark's tree, at worst over the given phases. */
function worstForeignLoad(usages: CpuUsage[]): number {
  return Math.max(0, ...usages.map((u) => (u.machineCores ?? 0) - PARTS.reduce((sum, p) => sum + (u.cores[p] ?? 0), 0)));
}

async function postgresSettings(admin: Client): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of ['server_version', 'fsync', 'synchronous_commit', 'wal_sync_method', 'shared_buffers', 'max_connections']) {
    try {
      out[name] = (await admin.query<Record<string, string>>(`SHOW ${name}`)).rows[0][name];
    } catch {
      out[name] = '?';
    }
  }
  return out;
}

async function main(): Promise<number> {
  const opts: Options = {
    phases: phasesFromEnv('BENCH_AUDIT_PHASES'),
    verifyRuns: intFromEnv('BENCH_AUDIT_VERIFY_RUNS', 1, 1),
    writers: intListFromEnv('BENCH_AUDIT_WRITERS', [1, 4, 16]),
    commitsPerWriter: intFromEnv('BENCH_AUDIT_COMMITS', 500, 1),
    eventsPerCommit: intFromEnv('BENCH_AUDIT_EVENTS_PER_COMMIT', 3, 1),
    singleEventWriters: intFromEnv('BENCH_AUDIT_SINGLE_EVENT_WRITERS', 16, 0),
    warmupPerWriter: intFromEnv('BENCH_AUDIT_WARMUP', 5, 0),
    exportEvents: intFromEnv('BENCH_AUDIT_EXPORT_EVENTS', 1_000_000, 1),
    seedBatch: intFromEnv('BENCH_AUDIT_SEED_BATCH', 5000, 1),
    activityMs: intFromEnv('BENCH_AUDIT_ACTIVITY_MS', 20, 0),
    appendOnly: intFromEnv('BENCH_AUDIT_APPEND_ONLY', 0, 0) === 1,
    lanes: process.env.BENCH_AUDIT_LANES ? intFromEnv('BENCH_AUDIT_LANES', 2, 1) : undefined,
    maxBatch: process.env.BENCH_AUDIT_MAX_BATCH ? intFromEnv('BENCH_AUDIT_MAX_BATCH', 32, 1) : undefined,
  };
  if (process.env.DATABASE_URL && process.env.BENCH_AUDIT_ALLOW_DATABASE_URL !== '1') {
    process.stderr.write(
      'DATABASE_URL is set: this benchmark appends about a million events to that database\'s append-only audit trail, for good.\n' +
        'Unset it to use a throwaway embedded Postgres, or set BENCH_AUDIT_ALLOW_DATABASE_URL=1 if that database is a scratch one.\n',
    );
    return 2;
  }

  const { stops, cleanup } = cleanupOnExit();
  // A CLI run in flight, so that an interrupted bench kills it too.
  let killCli: (() => void) | null = null;
  stops.push(async () => killCli?.());
  const track = (kill: (() => void) | null) => (killCli = kill);

  return runGuarded(async () => {
    const stack = await startStack(stops, { appRole: true });
    const workDir = mkdtempSync(join(tmpdir(), 'steward-bench-audit-'));
    stops.push(async () => rmSync(workDir, { recursive: true, force: true }));

    const admin = new Client({ connectionString: stack.adminUrl, application_name: 'steward-bench-audit-admin' });
    await admin.connect();
    stops.push(() => admin.end());
    const verifyPool = new Pool({ connectionString: stack.databaseUrl, max: 2, application_name: 'steward-bench-audit-verify' });
    stops.push(() => verifyPool.end());
    // Should Postgres go away under idle connections, say so rather than crash on an unhandled 'error' event.
    const onError = (e: Error) => log(`database connection error: ${e.message}`);
    admin.on('error', onError);
    verifyPool.on('error', onError);
    const postgres = await postgresSettings(admin);
    const failures: string[] = [];
    await waitForQuiet();

    // 1. Append throughput.
    const variants = !opts.phases.includes('append') ? [] : [...opts.writers.map((w) => [w, opts.eventsPerCommit]), ...(opts.singleEventWriters > 0 ? [[opts.singleEventWriters, 1]] : [])];
    const append: AppendResult[] = [];
    for (const [writers, events] of variants) {
      const a = await appendPhase(stack, admin, verifyPool, opts, writers, events);
      append.push(a);
      if (a.summary.errors > 0) failures.push(`append ${a.name}: ${a.errorSamples.map((e) => `${e.count}x ${e.error}`).join('; ')}`);
      if (!a.chain.ok) failures.push(`append ${a.name}: chain check failed: ${a.chain.reason}`);
      if (!a.appendedAsExpected) failures.push(`append ${a.name}: head moved by ${a.appended} events, not what the commits appended`);
    }

    const finish = (later: Pick<Report, 'seed' | 'verify' | 'exports' | 'slowExport'>): number => {
      const services = [
        stack.embedded.postgres ? 'embedded Postgres' : 'Postgres from DATABASE_URL',
        stack.embedded.temporal ? 'Temporal dev server (in-memory)' : `Temporal at ${stack.temporalAddress}`,
      ].join(' + ');
      const measured: Omit<Report, 'targets'> = {
        timestamp: new Date().toISOString(),
        machine: machineInfo(),
        postgres,
        options: { ...opts, services, apiDatabaseUser: new URL(stack.databaseUrl).username, seedUser: new URL(stack.adminUrl).username },
        append,
        ...later,
        failures,
      };
      const report: Report = { ...measured, targets: targetChecks(measured) };
      process.stdout.write(render(report));
      saveResult('audit-', report);
      return failures.length > 0 ? 1 : 0;
    };
    if (opts.appendOnly) return finish({ seed: null, verify: [], exports: [], slowExport: null });

    // 2. Seed up to the export size, as the owner.
    log(`seeding the chain up to ${int(opts.exportEvents)} events`);
    const seeded = await Promise.race([
      seedAuditChain(admin, opts.exportEvents, { batchRows: opts.seedBatch, log }),
      stack.crashed,
    ]);
    log(`seeded ${int(seeded.events)} events in ${fixed(seeded.ms / 1000, 1)} s; checking the chain`);
    const seedChain = await checkChain(verifyPool);
    if (!seedChain.ok) failures.push(`after seeding: ${seedChain.reason}`);
    const total = seedChain.headSeq;

    // 3. Verification, each measured opts.verifyRuns times.
    const runs = (name: string, run: number) => (opts.verifyRuns > 1 ? `${name} (run ${run})` : name);
    const verify: VerifyResult[] = [];
    if (opts.phases.includes('verify')) {
      for (let i = 1; i <= opts.verifyRuns; i += 1) {
        log(`verify: verifyAuditChain in-process, run ${i}`);
        verify.push(await verifyInProcess(verifyPool, runs('verifyAuditChain, in the bench process', i)));
      }
      for (let i = 1; i <= opts.verifyRuns; i += 1) {
        verify.push(await Promise.race([verifyWithCli(runs('CLI audit-verify --database', i), ['--database', stack.databaseUrl], total, track, true), stack.crashed]));
      }
    }

    // 4. Export, then verify the files with the CLI.
    const token = signToken('audrey', JWT_SECRET);
    const exports: ExportResult[] = [];
    let slow: SlowExportResult | null = null;
    if (opts.phases.includes('export')) {
      for (const format of ['jsonl', 'csv'] as const) {
        const e = await exportAudit(stack, token, format, join(workDir, `audit.${format}`), total);
        exports.push(e);
        if (e.events !== total) failures.push(`export ${format}: ${e.events} events, expected ${total}`);
      }
      slow = await slowExport(stack, admin, token, 2 ** 20, 10);
      if (slow.cursorClosedAfterMs === null) failures.push('slow export: the cursor was still open 10 s after the client hung up');
      for (const e of exports) {
        for (let i = 1; i <= opts.verifyRuns; i += 1) {
          const name = runs(`CLI audit-verify --file (${e.format}, ${fixed(mib(e.bytes), 0)} MiB)`, i);
          verify.push(await Promise.race([verifyWithCli(name, ['--file', e.file], total, track, false), stack.crashed]));
        }
      }
    }
    for (const v of verify) if (!v.ok) failures.push(`${v.name}: ${v.detail}`);

    return finish({ seed: { ...seeded, chain: seedChain }, verify, exports, slowExport: slow });
  }, cleanup);
}

runMain(main);
