import { IANAZone } from 'luxon';

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

/**
 * Wall-clock arithmetic in one IANA zone, with offsets from luxon's time zone data.
 *
 * A "local" time is a wall-clock reading written as epoch ms as if the zone were UTC, so local days are
 * plain multiples of DAY_MS and weekdays are plain arithmetic.
 *
 * Wall clock → instant maps a local time to the FIRST instant at which the clock reads that time or later:
 *  - an ordinary local time → its one instant;
 *  - a repeated time (autumn, clocks go back) → its first occurrence;
 *  - a skipped time (spring gap) → the instant the gap ends: on a 02:00→03:00 night, 02:30 is 03:00.
 * That mapping never goes backwards as the local time grows, so ordered, non-overlapping local intervals
 * stay ordered and non-overlapping as instants (an interval inside a gap just becomes empty).
 *
 * luxon's DateTime.fromObject is not used for this on purpose: for a repeated time it picks the occurrence
 * from an offset guessed at Settings.now(), so the answer would depend on when the code runs.
 */
export class ZoneClock {
  private readonly zone: IANAZone;

  constructor(readonly name: string) {
    this.zone = IANAZone.create(name);
    if (!this.zone.isValid) throw new Error(`Unknown IANA time zone ${JSON.stringify(name)}`);
  }

  /** Offset from UTC at an instant, in ms. */
  offsetAt(ms: number): number {
    return Math.round(this.zone.offset(ms) * MINUTE_MS);
  }

  /** What the wall clock reads at an instant (local ms). */
  wallClock(ms: number): number {
    return ms + this.offsetAt(ms);
  }

  /** The local day (days since 1970-01-01 on this zone's wall clock) an instant falls on. */
  localDay(ms: number): number {
    return Math.floor(this.wallClock(ms) / DAY_MS);
  }

  /** The first instant at which the wall clock reads `local` or later (see the class comment). */
  instantOf(local: number): number {
    // Like Temporal's algorithm, assume at most one offset change within a day either side.
    const before = this.offsetAt(local - DAY_MS);
    const after = this.offsetAt(local + DAY_MS);
    const guesses = before === after ? [local - before] : [local - before, local - after];
    const exact = guesses.filter((t) => this.wallClock(t) === local);
    if (exact.length > 0) return Math.min(...exact);
    // A gap: between the two guesses the clock jumps over `local`. Bisect for the jump, which is where
    // the clock first reads `local` or later (wallClock(lo) < local <= wallClock(hi) throughout).
    let lo = Math.min(...guesses);
    let hi = Math.max(...guesses);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.wallClock(mid) >= local) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}
