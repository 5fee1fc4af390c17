import { Duration } from 'luxon';

/** Milliseconds in an ISO 8601 duration (`PT4H`, `P1D`), or null when it is not one or not positive. */
export function isoDurationMs(value: string): number | null {
  const d = Duration.fromISO(value);
  if (!d.isValid) return null;
  const ms = d.as('milliseconds');
  return ms > 0 ? ms : null;
}
