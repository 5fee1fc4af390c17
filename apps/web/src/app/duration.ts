const DURATION = /^P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
/** Years, months, weeks, days, hours, minutes, seconds: a month is 30 days and a year 365, as the API counts them. */
const UNIT_MS = [365 * 86_400_000, 30 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000];

/**
 * Milliseconds in a positive ISO 8601 duration (`P14D`, `PT4H`), or null: the browser's copy of the API's
 * `isoDurationMs` (libs/domain/src/duration.ts), for deadlines the API does not list yet (the next PIP check-in).
 */
export function isoDurationMs(value: string | null | undefined): number | null {
  const m = value ? DURATION.exec(value) : null;
  if (!m) return null;
  const ms = UNIT_MS.reduce((sum, unit, i) => sum + (m[i + 1] ? Number(m[i + 1]) * unit : 0), 0);
  return ms > 0 ? ms : null;
}
