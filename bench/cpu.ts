import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * CPU time per part of the stack, read from /proc (Linux only; elsewhere every figure is empty). The bench's
 * direct children are classified by command line (API, worker, Temporal dev server, Postgres) and their
 * descendants counted with them, so Postgres backends add up under "postgres". Processes are paired up by pid
 * between two snapshots: one that started in between counts in full, one that exited in between loses only its
 * time since the first snapshot (a pool closing an idle connection does not take its history off the total).
 * Besides time on a CPU, each part's time spent runnable but waiting for one (schedstat) shows contention.
 */
export type Part = 'bench' | 'api' | 'worker' | 'temporal' | 'postgres' | 'other';
export const PARTS: Part[] = ['api', 'worker', 'temporal', 'postgres', 'bench', 'other'];

export interface CpuSnapshot {
  atMs: number;
  seconds: Partial<Record<Part, number>>;
  /** Seconds the part's threads spent runnable, waiting for a CPU. */
  waitSeconds: Partial<Record<Part, number>>;
  /** Busy CPU seconds of the whole machine (all processes, from /proc/stat), or null when unknown. */
  machineSeconds: number | null;
  /** Each process of ours: its part, and its own CPU and run-queue seconds so far. */
  processes: Map<number, { part: Part; seconds: number; waitSeconds: number }>;
}

export interface CpuUsage {
  wallMs: number;
  /** CPU seconds used by each part between the two snapshots. */
  seconds: Partial<Record<Part, number>>;
  /** The same as cores kept busy on average (1.0 = one core flat out). */
  cores: Partial<Record<Part, number>>;
  /** Threads of each part waiting for a CPU, on average; well above 0 means the part was starved of CPU. */
  waiting: Partial<Record<Part, number>>;
  /** Cores kept busy by everything on the machine, ours included; the difference shows competing load. */
  machineCores: number | null;
}

const TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

interface Proc {
  pid: number;
  ppid: number;
  ticks: number;
}

function readProc(pid: number): Proc | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses; the fields after the last ')' do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

/** Run-queue wait of every thread of a process, in seconds (third field of schedstat is time slices). */
function runQueueWaitSeconds(pid: number): number {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) || 0;
      } catch {
        // the thread ended
      }
    }
  } catch {
    // the process ended
  }
  return ns / 1e9;
}

function machineBusySeconds(): number | null {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user)
    const busy = cpu.slice(0, 8).reduce((a, b) => a + b, 0) - cpu[3] - (cpu[4] ?? 0);
    return busy / TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** Which part of the stack a process belongs to, by its command line. */
export function classify(pid: number): Part {
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (/apps\/api\/src\/main\.js/.test(cmdline)) return 'api';
  if (/apps\/worker\/src\/main\.js/.test(cmdline)) return 'worker';
  if (/\bstart-dev\b/.test(cmdline)) return 'temporal';
  // The audit CLI (and /usr/bin/time running it) is given a postgres:// URL: it is not Postgres.
  if (/apps\/cli\/src\/audit-verify\.js/.test(cmdline)) return 'other';
  if (/postgres/.test(cmdline)) return 'postgres';
  return 'other';
}

/** The pids in /proc, or null where there is no /proc. */
export function procPids(): number[] | null {
  try {
    return readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .map(Number);
  } catch {
    return null;
  }
}

export function cpuSnapshot(): CpuSnapshot {
  const atMs = performance.now();
  const pids = procPids();
  if (pids === null) return { atMs, seconds: {}, waitSeconds: {}, machineSeconds: null, processes: new Map() };
  const procs = new Map<number, Proc>();
  for (const pid of pids) {
    const p = readProc(pid);
    if (p) procs.set(pid, p);
  }
  const children = new Map<number, number[]>();
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);

  const ticks: Partial<Record<Part, number>> = {};
  const waitSeconds: Partial<Record<Part, number>> = {};
  const processes: CpuSnapshot['processes'] = new Map();
  const add = (pid: number, part: Part): void => {
    const own = { part, seconds: (procs.get(pid)?.ticks ?? 0) / TICKS_PER_SECOND, waitSeconds: runQueueWaitSeconds(pid) };
    processes.set(pid, own);
    ticks[part] = (ticks[part] ?? 0) + (procs.get(pid)?.ticks ?? 0);
    waitSeconds[part] = (waitSeconds[part] ?? 0) + own.waitSeconds;
  };
  const addTree = (pid: number, part: Part): void => {
    add(pid, part);
    for (const child of children.get(pid) ?? []) addTree(child, part);
  };
  add(process.pid, 'bench');
  for (const child of children.get(process.pid) ?? []) addTree(child, classify(child));

  const seconds = Object.fromEntries(Object.entries(ticks).map(([k, v]) => [k, v / TICKS_PER_SECOND]));
  return { atMs, seconds, waitSeconds, machineSeconds: machineBusySeconds(), processes };
}

export function cpuBetween(from: CpuSnapshot, to: CpuSnapshot): CpuUsage {
  const wallMs = to.atMs - from.atMs;
  const seconds: Partial<Record<Part, number>> = {};
  const cores: Partial<Record<Part, number>> = {};
  const waiting: Partial<Record<Part, number>> = {};
  const perSecond = (value: number) => (wallMs > 0 ? value / (wallMs / 1000) : 0);
  const used: Partial<Record<Part, number>> = {};
  const waited: Partial<Record<Part, number>> = {};
  for (const [pid, now] of to.processes) {
    const before = from.processes.get(pid);
    const same = before !== undefined && before.part === now.part;
    used[now.part] = (used[now.part] ?? 0) + Math.max(0, now.seconds - (same ? before.seconds : 0));
    waited[now.part] = (waited[now.part] ?? 0) + Math.max(0, now.waitSeconds - (same ? before.waitSeconds : 0));
  }
  for (const part of PARTS) {
    if (to.seconds[part] === undefined) continue;
    seconds[part] = used[part] ?? 0;
    cores[part] = perSecond(seconds[part]);
    waiting[part] = perSecond(waited[part] ?? 0);
  }
  const machineCores =
    from.machineSeconds === null || to.machineSeconds === null || wallMs <= 0 ? null : (to.machineSeconds - from.machineSeconds) / (wallMs / 1000);
  return { wallMs, seconds, cores, waiting, machineCores };
}

/**
 * Snapshots taken every `intervalMs` until `stop()`, which returns the final snapshot plus the processes of the
 * given parts that exited meanwhile, with the time last seen. A process that starts and exits between two plain
 * snapshots is not counted at all: so a CLI's own Postgres backend, which exits with the CLI, is counted this
 * way (all but its last `intervalMs`).
 */
export function cpuSampler(keepExited: Part[], intervalMs = 200): { stop: () => CpuSnapshot } {
  const seen = new Map<number, { part: Part; seconds: number; waitSeconds: number }>();
  const sample = (): CpuSnapshot => {
    const s = cpuSnapshot();
    for (const [pid, p] of s.processes) if (keepExited.includes(p.part)) seen.set(pid, p);
    return s;
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const last = sample();
      for (const [pid, p] of seen) {
        if (last.processes.has(pid)) continue;
        last.processes.set(pid, p);
        last.seconds[p.part] = (last.seconds[p.part] ?? 0) + p.seconds;
        last.waitSeconds[p.part] = (last.waitSeconds[p.part] ?? 0) + p.waitSeconds;
      }
      return last;
    },
  };
}
