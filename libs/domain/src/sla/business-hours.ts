import type { MinuteRange } from './time-of-day';
import { DAY_MS, MINUTE_MS, type ZoneClock } from './zone-clock';

/** Working time as instants: [start, end), half-open so adjacent intervals do not count their seam twice. */
type Span = readonly [start: number, end: number];

/**
 * How far a walk may go: about 20 years of days. A validated calendar has working time every week, so
 * only an absurd target (or span) gets here; failing loudly beats looping for minutes.
 */
export const MAX_WALK_DAYS = 7305;

/** Entries kept per cache before it is cleared: a few years of days, a few hundred KB at most. */
const CACHE_LIMIT = 2048;

/** 1970-01-01, local day 0, was a Thursday: index 3 when Monday is 0. */
const weekdayIndex = (day: number) => (((day + 3) % 7) + 7) % 7;

/**
 * Working hours of a business calendar in one zone: computes each local day's working spans as instants
 * and walks them day by day from the local day of the start. Spans are cached per day (deterministic:
 * the cache only ever holds what would be computed again).
 */
export class BusinessHours {
  private readonly spans = new Map<number, readonly Span[]>();
  private readonly dayOffsets = new Map<number, number>();

  constructor(
    private readonly clock: ZoneClock,
    /** Working intervals per weekday, Monday first, sorted and non-overlapping. */
    private readonly week: readonly (readonly MinuteRange[])[],
    /** Local days without working time. */
    private readonly holidays: ReadonlySet<number>,
  ) {}

  addWorkingTime(startMs: number, workingMs: number): number {
    let remaining = workingMs;
    const first = this.clock.localDay(startMs);
    // Spans of earlier local days end by the first instant of `first`, which is <= startMs.
    for (let day = first; day - first <= MAX_WALK_DAYS; day++) {
      for (const [a, b] of this.spansOf(day)) {
        if (b <= startMs) continue;
        const from = Math.max(a, startMs);
        // `<=`: a target that uses up a span exactly is due at its end (Fri 18:00), not at the next opening.
        if (remaining <= b - from) return from + remaining;
        remaining -= b - from;
      }
    }
    const from = new Date(startMs).toISOString();
    throw new Error(`Working time of ${workingMs} ms is not reached within ${MAX_WALK_DAYS} days of ${from} in ${this.clock.name}`);
  }

  workingTimeBetween(startMs: number, endMs: number): number {
    const first = this.clock.localDay(startMs);
    // The day after the end's local day too: where clocks go back across midnight (00:30 → 23:30), the next
    // day has begun although the clock reads the earlier day again.
    const last = this.clock.localDay(endMs) + 1;
    if (last - first > MAX_WALK_DAYS) {
      throw new Error(`Working time over more than ${MAX_WALK_DAYS} days is not computed (${this.clock.name})`);
    }
    let total = 0;
    for (let day = first; day <= last; day++) {
      for (const [a, b] of this.spansOf(day)) {
        const overlap = Math.min(b, endMs) - Math.max(a, startMs);
        if (overlap > 0) total += overlap;
      }
    }
    return total;
  }

  isWorkingTime(ms: number): boolean {
    const day = this.clock.localDay(ms);
    // day + 1: see workingTimeBetween.
    return [day, day + 1].some((d) => this.spansOf(d).some(([a, b]) => a <= ms && ms < b));
  }

  private spansOf(day: number): readonly Span[] {
    const cached = this.spans.get(day);
    if (cached) return cached;
    const spans = this.computeSpans(day);
    if (this.spans.size >= CACHE_LIMIT) this.spans.clear();
    this.spans.set(day, spans);
    return spans;
  }

  private computeSpans(day: number): readonly Span[] {
    const ranges = this.week[weekdayIndex(day)];
    if (ranges.length === 0 || this.holidays.has(day)) return [];
    const midnight = day * DAY_MS;
    // Instants of this day's local times lie within a day either side of local midnight. The same offset
    // at both ends of that window means no change in between (zones change at most once within days),
    // so every boundary is plain arithmetic; only days around a change ask the zone per boundary.
    const offset = this.offsetAtUtcDay(day - 1);
    const steady = offset === this.offsetAtUtcDay(day + 2);
    const instantOf = (minute: number) => {
      const local = midnight + minute * MINUTE_MS;
      return steady ? local - offset : this.clock.instantOf(local);
    };
    const spans: Span[] = [];
    for (const { start, end } of ranges) {
      const span: Span = [instantOf(start), instantOf(end)];
      // An interval that lies inside a spring-forward gap has no instants at all.
      if (span[1] > span[0]) spans.push(span);
    }
    return spans;
  }

  /** Zone offset at 00:00 UTC of a day; memoised since consecutive days share these probes. */
  private offsetAtUtcDay(day: number): number {
    const cached = this.dayOffsets.get(day);
    if (cached !== undefined) return cached;
    const offset = this.clock.offsetAt(day * DAY_MS);
    if (this.dayOffsets.size >= CACHE_LIMIT) this.dayOffsets.clear();
    this.dayOffsets.set(day, offset);
    return offset;
  }
}
