import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const TIME_BINARY = '/usr/bin/time';

/** Resident memory of a process from /proc/<pid>/status, in MiB (Linux only; null elsewhere or once it exited). */
export interface ProcMemory {
  /** Resident set size now. */
  rssMiB: number;
  /** Peak resident set size since the process started (VmHWM). */
  hwmMiB: number;
}

export function procMemory(pid: number | undefined): ProcMemory | null {
  if (pid === undefined) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
    const rss = kb('VmRSS');
    const hwm = kb('VmHWM');
    return Number.isFinite(rss) && Number.isFinite(hwm) ? { rssMiB: rss / 1024, hwmMiB: hwm / 1024 } : null;
  } catch {
    return null;
  }
}

export interface MeasuredRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** Peak RSS of the command: from `/usr/bin/time -v` when present, else polled VmHWM (may miss a late peak). */
  maxRssMiB: number | null;
  /** User + system CPU seconds, when /usr/bin/time reported them. */
  cpuSeconds: number | null;
  rssSource: '/usr/bin/time -v' | '/proc polling' | 'unavailable';
}

/**
 * Runs a command to completion, timing it and measuring its peak memory. `track` is handed the child while it
 * runs, so whoever cleans up after an interrupted run can kill it.
 */
export function runMeasured(command: string, args: string[], track: (kill: (() => void) | null) => void = () => undefined): Promise<MeasuredRun> {
  const useTime = existsSync(TIME_BINARY);
  // Its own process group, so that killing it takes /usr/bin/time's child along.
  const child = spawn(useTime ? TIME_BINARY : command, useTime ? ['-v', command, ...args] : args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  track(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
  const started = performance.now();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  let polledHwm: number | null = null;
  const poll = useTime
    ? null
    : setInterval(() => {
        const m = procMemory(child.pid);
        if (m) polledHwm = Math.max(polledHwm ?? 0, m.hwmMiB);
      }, 50);
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      if (poll) clearInterval(poll);
      track(null);
      reject(e);
    });
    child.once('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll) clearInterval(poll);
      track(null);
      if (!useTime) {
        resolve({ code, stdout, stderr, wallMs, maxRssMiB: polledHwm, cpuSeconds: null, rssSource: polledHwm === null ? 'unavailable' : '/proc polling' });
        return;
      }
      const field = (name: string) => Number(new RegExp(`^\\s*${name}:\\s*([\\d.]+)`, 'm').exec(stderr)?.[1] ?? Number.NaN);
      const rssKb = field('Maximum resident set size \\(kbytes\\)');
      const cpu = field('User time \\(seconds\\)') + field('System time \\(seconds\\)');
      // GNU time prefixes its report with "Command exited with non-zero status N" and keeps the command's code.
      const ownOutput = stderr.split(/^\s*Command (?:exited with non-zero status \d+|being timed:)/m)[0];
      resolve({
        code,
        stdout,
        stderr: ownOutput.trim(),
        wallMs,
        maxRssMiB: Number.isFinite(rssKb) ? rssKb / 1024 : null,
        cpuSeconds: Number.isFinite(cpu) ? cpu : null,
        rssSource: Number.isFinite(rssKb) ? '/usr/bin/time -v' : 'unavailable',
      });
    });
  });
}
