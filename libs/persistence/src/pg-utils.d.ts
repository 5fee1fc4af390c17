/** pg ships no types for its utils module; this is the one function of it Steward uses (see pg-batch.ts). */
declare module 'pg/lib/utils' {
  /** How pg turns a query parameter into what it sends: null, a Buffer, or text (Dates, arrays, JSON included). */
  export function prepareValue(value: unknown): string | Buffer | null;
}
