import { BusinessHours } from './business-hours';
import { type CalendarSpec, WEEKDAYS, checkCalendarSpec } from './calendar-spec';
import { Problems } from './json-check';
import { type MinuteRange, parseLocalDate, parseWorkInterval } from './time-of-day';
import { ZoneClock } from './zone-clock';

export { WEEKDAYS, type CalendarSpec, type Weekday } from './calendar-spec';

/** Calendars already built from a spec object; policies are immutable, and per-day caches then survive. */
const built = new WeakMap<CalendarSpec, WorkCalendar>();

/**
 * Working-time arithmetic for SLA clocks. Pure and deterministic (no clock, no I/O), so workflow code may
 * use it. Working time is a set of half-open [start, end) instants: 18:00 is not working time when the
 * day ends at 18:00, 09:00 is.
 */
export class WorkCalendar {
  /** `hours` null: 24x7, where working time is plain elapsed time. */
  private constructor(private readonly hours: BusinessHours | null) {}

  /** Builds a calendar from a validated spec; an invalid one throws rather than give wrong deadlines. */
  static from(spec: CalendarSpec): WorkCalendar {
    const known = built.get(spec);
    if (known) return known;
    const problems = new Problems();
    if (checkCalendarSpec(spec, ['calendar'], problems) === null) {
      throw new Error(`Invalid calendar spec: ${problems.errors.join('; ')}`);
    }
    const calendar = new WorkCalendar(spec.type === '24x7' ? null : businessHours(spec));
    built.set(spec, calendar);
    return calendar;
  }

  /**
   * The instant (epoch ms) at which `workingMs` of working time has elapsed after `startMs`.
   * 0 returns `startMs` itself, even outside working time. A target that ends exactly where working time
   * pauses is due then (Fri 16:00 + 2h with a day ending 18:00 is Fri 18:00, not Mon 09:00).
   */
  addWorkingTime(startMs: number, workingMs: number): number {
    if (!Number.isFinite(startMs)) throw new RangeError(`startMs must be a finite number, got ${startMs}`);
    if (!Number.isFinite(workingMs) || workingMs < 0) {
      throw new RangeError(`workingMs must be a finite number >= 0, got ${workingMs}`);
    }
    if (workingMs === 0 || this.hours === null) return startMs + workingMs;
    return this.hours.addWorkingTime(startMs, workingMs);
  }

  /** Working time (ms) between two instants; 0 when endMs <= startMs. */
  workingTimeBetween(startMs: number, endMs: number): number {
    if (!Number.isFinite(startMs) || !Number.isFinite(endMs)) {
      throw new RangeError(`startMs and endMs must be finite numbers, got ${startMs} and ${endMs}`);
    }
    if (endMs <= startMs) return 0;
    return this.hours === null ? endMs - startMs : this.hours.workingTimeBetween(startMs, endMs);
  }

  isWorkingTime(ms: number): boolean {
    if (!Number.isFinite(ms)) throw new RangeError(`ms must be a finite number, got ${ms}`);
    return this.hours === null || this.hours.isWorkingTime(ms);
  }
}

function businessHours(spec: Extract<CalendarSpec, { type: 'business' }>): BusinessHours {
  const week = WEEKDAYS.map((day) =>
    (spec.week[day] ?? []).map((text) => parseWorkInterval(text) as MinuteRange).sort((a, b) => a.start - b.start),
  );
  const holidays = new Set((spec.holidays ?? []).map((date) => parseLocalDate(date) as number));
  return new BusinessHours(new ZoneClock(spec.timezone), week, holidays);
}
