import { readFileSync } from 'node:fs';
import { classify, type Part, procPids } from './cpu';

/**
 * Resident memory per part of the stack, read from /proc (Linux only; elsewhere empty). Like cpu.ts, the bench's
 * direct children are classified by command line and their descendants counted with them, so the Postgres
 * postmaster and all its backends add up under "postgres".
 *
 * RSS summed over several processes counts shared pages (Postgres shared_buffers, the Node binary) once per
 * process, so it over-states a multi-process part; PSS (proportional set size, from smaps_rollup) splits each
 * shared page among its users and adds up to what the part really holds. For a single process the two are close.
 */
export interface PartMemory {
  processes: number;
  /** Sum of VmRSS over the part's processes. */
  rssMiB: number;
  /** Sum of Pss over the part's processes, or null when smaps_rollup is unreadable. */
  pssMiB: number | null;
  /** The part's top process (the bench's direct child). */
  mainPid: number;
  mainRssMiB: number;
  /** Peak RSS of the top process since it started (VmHWM). */
  mainHwmMiB: number;
}

export type MemoryByPart = Partial<Record<Part, PartMemory>>;


function statusKb(status: string, field: string): number {
  return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
}

function readStatus(pid: number): { ppid: number; rssKb: number; hwmKb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? Number.NaN);
    return { ppid, rssKb: statusKb(status, 'VmRSS') || 0, hwmKb: statusKb(status, 'VmHWM') || 0 };
  } catch {
    return null;
  }
}

function pssKb(pid: number): number | null {
  try {
    const value = statusKb(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'), 'Pss');
    return Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

/** One sample of every part's memory, the bench itself included. */
export function memoryByPart(withPss = true): MemoryByPart {
  const pids = procPids();
  if (pids === null) return {};
  const status = new Map<number, { ppid: number; rssKb: number; hwmKb: number }>();
  for (const pid of pids) {
    const s = readStatus(pid);
    if (s) status.set(pid, s);
  }
  const children = new Map<number, number[]>();
  for (const [pid, s] of status) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);

  const result: MemoryByPart = {};
  const collect = (root: number, part: Part, descend: boolean): void => {
    const tree: number[] = [];
    const walk = (pid: number) => {
      tree.push(pid);
      if (descend) for (const child of children.get(pid) ?? []) walk(child);
    };
    walk(root);
    let rssKb = 0;
    let pss: number | null = withPss ? 0 : null;
    for (const pid of tree) {
      rssKb += status.get(pid)?.rssKb ?? 0;
      if (pss !== null) {
        const p = pssKb(pid);
        pss = p === null ? null : pss + p;
      }
    }
    const main = status.get(root);
    const previous = result[part];
    const own: PartMemory = {
      processes: tree.length,
      rssMiB: rssKb / 1024,
      pssMiB: pss === null ? null : pss / 1024,
      mainPid: root,
      mainRssMiB: (main?.rssKb ?? 0) / 1024,
      mainHwmMiB: (main?.hwmKb ?? 0) / 1024,
    };
    // Two roots of one part (unusual) add up; the larger one stays the "main" process.
    result[part] = previous
      ? {
          ...(previous.mainRssMiB >= own.mainRssMiB ? previous : own),
          processes: previous.processes + own.processes,
          rssMiB: previous.rssMiB + own.rssMiB,
          pssMiB: previous.pssMiB === null || own.pssMiB === null ? null : previous.pssMiB + own.pssMiB,
        }
      : own;
  };
  collect(process.pid, 'bench', false);
  for (const child of children.get(process.pid) ?? []) collect(child, classify(child), true);
  return result;
}
