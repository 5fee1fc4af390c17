import { StewardException } from './steward.exception';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const DEFAULT_LIMIT = 50;

/** Cursors are opaque to clients: base64url of the sort key of the last item. */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What one position of a cursor key holds; checked so that a forged cursor is a 400, never a database error. */
export type CursorPart = 'timestamp' | 'uuid' | 'seq';

const CURSOR_PART_OK: Record<CursorPart, (k: unknown) => boolean> = {
  // What toISOString() gave when the cursor was made (a round trip also refuses 2026-02-30).
  timestamp: (k) => typeof k === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(k) && new Date(k).toISOString() === k,
  uuid: (k) => typeof k === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(k),
  seq: (k) => typeof k === 'number' && Number.isSafeInteger(k) && k >= 0,
};

/**
 * The sort key a cursor carries, or null without a cursor. `shape` names what each position must be; a bare
 * number only checks the arity (then the caller must validate the parts before they reach SQL).
 */
export function decodeCursor(cursor: string | undefined, shape: number | CursorPart[]): (string | number)[] | null {
  if (!cursor) return null;
  const parts = typeof shape === 'number' ? null : shape;
  const arity = parts ? parts.length : (shape as number);
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k, i) => (parts ? CURSOR_PART_OK[parts[i]](k) : typeof k === 'string' || typeof k === 'number'))
    ) {
      return key;
    }
  } catch {
    // fall through to the 400 below
  }
  throw StewardException.invalid('cursor', 'cursor is not a cursor this API returned');
}

/** Fetch limit + 1 rows, then call this: it trims the extra row and makes the cursor from the last kept one. */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): Page<T> {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
