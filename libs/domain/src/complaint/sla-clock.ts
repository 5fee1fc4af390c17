import type { WorkCalendar } from '../sla/calendar';

/**
 * One SLA clock of a complaint, as stored. Time counts in working milliseconds of the priority's calendar,
 * and only while the clock runs: `spentMs` is what was spent before the running segment that began at
 * `since`. Everything a reader wants (status, targetAt, remainingMs) derives from this at read time.
 */
export interface SlaClock {
  budgetMs: number;
  spentMs: number;
  /** Start of the running segment; null while paused or done. */
  since: string | null;
  breachedAt: string | null;
  doneAt: string | null;
  /** Escalation ladder steps already taken on this clock. */
  fired: number;
}

export type SlaStatus = 'running' | 'paused' | 'met' | 'breached';

export interface SlaClockView {
  status: SlaStatus;
  targetAt: string | null;
  remainingMs: number;
  budgetMs: number;
  spentMs: number;
  breachedAt: string | null;
  doneAt: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function startClock(budgetMs: number, nowMs: number): SlaClock {
  return { budgetMs, spentMs: 0, since: iso(nowMs), breachedAt: null, doneAt: null, fired: 0 };
}

export function isRunning(c: SlaClock): boolean {
  return c.since !== null && c.doneAt === null;
}

/** Working time spent by `nowMs`. */
export function spentAt(c: SlaClock, cal: WorkCalendar, nowMs: number): number {
  return c.since === null ? c.spentMs : c.spentMs + cal.workingTimeBetween(Date.parse(c.since), nowMs);
}

/** Closes the running segment (pause, finish, or a change of calendar). */
function settle(c: SlaClock, cal: WorkCalendar, nowMs: number): SlaClock {
  return c.since === null ? c : { ...c, spentMs: spentAt(c, cal, nowMs), since: null };
}

export function pauseClock(c: SlaClock, cal: WorkCalendar, nowMs: number): SlaClock {
  return isRunning(c) ? settle(c, cal, nowMs) : c;
}

export function resumeClock(c: SlaClock, nowMs: number): SlaClock {
  return c.doneAt === null && c.since === null ? { ...c, since: iso(nowMs) } : c;
}

export function finishClock(c: SlaClock, cal: WorkCalendar, nowMs: number): SlaClock {
  if (c.doneAt !== null) return c;
  const settled = settle(c, cal, nowMs);
  // A clock finished past its budget was breached even if no timer had fired yet.
  const breachedAt = settled.breachedAt ?? (settled.spentMs > settled.budgetMs ? iso(nowMs) : null);
  return { ...settled, breachedAt, doneAt: iso(nowMs) };
}

/**
 * A new budget (priority change) keeps the time already spent. The old calendar settles the running
 * segment; the new one counts from now.
 */
export function rebudgetClock(c: SlaClock, oldCal: WorkCalendar, budgetMs: number, nowMs: number): SlaClock {
  if (c.doneAt !== null) return c;
  const running = c.since !== null;
  const settled = settle(c, oldCal, nowMs);
  return { ...settled, budgetMs, since: running ? iso(nowMs) : null };
}

/**
 * When the running clock will have spent `targetSpentMs`. A target already passed in an earlier segment
 * gives the start of this one: due at once. Null unless running.
 */
export function instantAtSpent(c: SlaClock, cal: WorkCalendar, targetSpentMs: number): number | null {
  if (!isRunning(c)) return null;
  const since = Date.parse(c.since!);
  const remaining = targetSpentMs - c.spentMs;
  return remaining <= 0 ? since : cal.addWorkingTime(since, remaining);
}

export function clockStatus(c: SlaClock, cal: WorkCalendar, nowMs: number): SlaStatus {
  if (c.doneAt !== null) return c.breachedAt ? 'breached' : 'met';
  if (c.breachedAt !== null || spentAt(c, cal, nowMs) > c.budgetMs) return 'breached';
  return c.since === null ? 'paused' : 'running';
}

/** What the API shows, computed at read time. */
export function clockView(c: SlaClock, cal: WorkCalendar, nowMs: number): SlaClockView {
  const spent = spentAt(c, cal, nowMs);
  const target = c.breachedAt === null ? instantAtSpent(c, cal, c.budgetMs) : null;
  return {
    status: clockStatus(c, cal, nowMs),
    // Paused clocks have no target until they resume; a breached one shows when it was breached.
    targetAt: c.breachedAt ?? (target === null ? null : iso(target)),
    remainingMs: c.budgetMs - spent,
    budgetMs: c.budgetMs,
    spentMs: spent,
    breachedAt: c.breachedAt,
    doneAt: c.doneAt,
  };
}
