import { IANAZone } from 'luxon';
import { type JsonPath, Problems, describeValue, isRecord } from './json-check';
import { type MinuteRange, parseLocalDate, parseWorkInterval } from './time-of-day';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A working calendar as written in the SLA policy file.
 * - `week`: intervals "HH:MM-HH:MM" in local time of `timezone`; a weekday that is absent or [] has no
 *   working time; "24:00" is allowed as an end; intervals of a day may touch but not overlap.
 * - `holidays`: local dates "YYYY-MM-DD" with no working time.
 */
export type CalendarSpec =
  | { type: '24x7' }
  | { type: 'business'; timezone: string; week: Partial<Record<Weekday, string[]>>; holidays?: string[] };

const BUSINESS_KEYS = ['type', 'timezone', 'week', 'holidays'] as const;

/** Validates one calendar of untrusted JSON; returns a clean copy, or null after adding its problems. */
export function checkCalendarSpec(json: unknown, path: JsonPath, problems: Problems): CalendarSpec | null {
  if (!isRecord(json)) {
    problems.add(path, `expected a calendar object, got ${describeValue(json)}`);
    return null;
  }
  if (json.type === '24x7') {
    const before = problems.count;
    problems.unknownKeys(json, ['type'], path);
    return problems.count === before ? { type: '24x7' } : null;
  }
  if (json.type !== 'business') {
    problems.add([...path, 'type'], `expected "24x7" or "business", got ${describeValue(json.type)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(json, BUSINESS_KEYS, path);
  const timezone = checkTimezone(json.timezone, [...path, 'timezone'], problems);
  const week = checkWeek(json.week, [...path, 'week'], problems);
  const holidays = json.holidays === undefined ? undefined : checkHolidays(json.holidays, [...path, 'holidays'], problems);
  if (problems.count !== before || timezone === null || week === null) return null;
  return { type: 'business', timezone, week, ...(holidays ? { holidays } : {}) };
}

function checkTimezone(value: unknown, path: JsonPath, problems: Problems): string | null {
  if (typeof value !== 'string') {
    problems.add(path, `expected an IANA time zone name such as "Asia/Shanghai", got ${describeValue(value)}`);
    return null;
  }
  if (!IANAZone.isValidZone(value)) {
    problems.add(path, `${describeValue(value)} is not a valid IANA time zone`);
    return null;
  }
  return value;
}

function checkWeek(value: unknown, path: JsonPath, problems: Problems): Partial<Record<Weekday, string[]>> | null {
  if (!isRecord(value)) {
    problems.add(path, `expected an object of weekdays (mon..sun) to intervals, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(value, WEEKDAYS, path);
  const week: Partial<Record<Weekday, string[]>> = {};
  let workingMinutes = 0;
  for (const day of WEEKDAYS) {
    if (!(day in value)) continue;
    const intervals = checkDay(value[day], [...path, day], problems);
    if (intervals === null) continue;
    week[day] = intervals.map((i) => i.text);
    workingMinutes += intervals.reduce((sum, i) => sum + i.range.end - i.range.start, 0);
  }
  if (problems.count !== before) return null;
  if (workingMinutes === 0) {
    // Validated here because it cannot be fixed later: a target on such a calendar would never come due.
    problems.add(path, 'has no working time on any weekday, so no target could ever be reached');
    return null;
  }
  return week;
}

interface ParsedInterval {
  text: string;
  index: number;
  range: MinuteRange;
}

function checkDay(value: unknown, path: JsonPath, problems: Problems): ParsedInterval[] | null {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of "HH:MM-HH:MM" intervals, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  const parsed: ParsedInterval[] = [];
  value.forEach((text: unknown, index) => {
    const range = typeof text === 'string' ? parseWorkInterval(text) : `expected an interval "HH:MM-HH:MM", got ${describeValue(text)}`;
    if (typeof range === 'string') problems.add([...path, index], range);
    else parsed.push({ text: text as string, index, range });
  });
  // Checked in time order against the interval reaching furthest so far (09:00-18:00 overlaps both
  // 10:00-11:00 and 12:00-13:00), reported at the later-written interval of each pair.
  const sorted = [...parsed].sort((x, y) => x.range.start - y.range.start || x.index - y.index);
  let reach: ParsedInterval | undefined;
  for (const cur of sorted) {
    if (reach && cur.range.start < reach.range.end) {
      const [first, second] = reach.index < cur.index ? [reach, cur] : [cur, reach];
      problems.add([...path, second.index], `${JSON.stringify(second.text)} overlaps ${JSON.stringify(first.text)}`);
    }
    if (!reach || cur.range.end > reach.range.end) reach = cur;
  }
  return problems.count === before ? parsed : null;
}

function checkHolidays(value: unknown, path: JsonPath, problems: Problems): string[] | null {
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of dates "YYYY-MM-DD", got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  value.forEach((date: unknown, index) => {
    if (typeof date !== 'string' || parseLocalDate(date) === null) {
      problems.add([...path, index], `${describeValue(date)} is not a date "YYYY-MM-DD"`);
    }
  });
  return problems.count === before ? (value as string[]).slice() : null;
}
