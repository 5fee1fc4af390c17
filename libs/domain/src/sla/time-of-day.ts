/** Parsing of the wall-clock pieces of a calendar: working intervals and holiday dates. */

/** A working interval of one local day in minutes since local midnight; `end` may be 1440 (24:00). */
export interface MinuteRange {
  start: number;
  end: number;
}

const INTERVAL = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MINUTES = 24 * 60;
const DAY_MS = 86_400_000;

/** "09:00-12:00" → { start: 540, end: 720 }, or the reason it is not a valid interval. */
export function parseWorkInterval(text: string): MinuteRange | string {
  const m = INTERVAL.exec(text);
  if (!m) return `${JSON.stringify(text)} is not an interval "HH:MM-HH:MM"`;
  const [sh, sm, eh, em] = m.slice(1).map(Number);
  // 24:00 is the only way to say "until midnight" as an end; as a start it would belong to the next day.
  const endIsMidnight = eh === 24 && em === 0;
  if (sh > 23 || sm > 59 || em > 59 || (eh > 23 && !endIsMidnight)) {
    return `${JSON.stringify(text)} has a time out of range (hours 00-23, minutes 00-59; an end may be 24:00)`;
  }
  const start = sh * 60 + sm;
  const end = endIsMidnight ? DAY_MINUTES : eh * 60 + em;
  if (start >= end) return `${JSON.stringify(text)} must start before it ends (an interval cannot cross midnight; split it)`;
  return { start, end };
}

/** "2026-10-01" → days since 1970-01-01, or null when it is not a real calendar date. */
export function parseLocalDate(text: string): number | null {
  const m = DATE.exec(text);
  if (!m) return null;
  const [y, mo, d] = m.slice(1).map(Number);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  // Date.UTC rolls 2026-02-30 over to March; a round trip catches it.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}
