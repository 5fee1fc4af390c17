import { decodeCursor, encodeCursor, toPage } from './pagination';
import { StewardErrorCode, StewardException } from './steward.exception';

/** The StewardException `fn` throws; fails the test when it throws nothing or something else. */
function thrownBy(fn: () => unknown): StewardException {
  try {
    fn();
  } catch (error) {
    if (error instanceof StewardException) return error;
    throw error;
  }
  throw new Error('expected a StewardException');
}

describe('encodeCursor / decodeCursor', () => {
  it.each<[string, (string | number)[]]>([
    ['a timestamp and an id', ['2026-01-02T03:04:05.000Z', 'b6f1c0de-7d2a-4c59-9f61-1f7c1a2b3c4d']],
    ['a number and a string', [42, 'x']],
    ['unicode text', ['Café ☕', 'ü']],
    ['a single key', [7]],
  ])('round-trips %s', (_label, key) => {
    expect(decodeCursor(encodeCursor(key), key.length)).toEqual(key);
  });

  it('produces a URL-safe cursor', () => {
    expect(encodeCursor(['??>>~~', 'é'.repeat(20)])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([undefined, ''])('returns null when there is no cursor (%j)', (cursor) => {
    expect(decodeCursor(cursor, 2)).toBeNull();
  });

  it.each([
    ['garbage', 'not-a-cursor!!'],
    ['base64url of non-JSON', Buffer.from('hello').toString('base64url')],
    ['a JSON object instead of an array', Buffer.from('{"a":1}').toString('base64url')],
    ['an array holding an object', Buffer.from('[{"a":1},"x"]').toString('base64url')],
    ['an array holding null', Buffer.from('[null,"x"]').toString('base64url')],
  ])('rejects %s as invalid input naming `cursor`', (_label, cursor) => {
    const error = thrownBy(() => decodeCursor(cursor, 2));
    expect(error.code).toBe(StewardErrorCode.INVALID_INPUT);
    expect(error.status).toBe(400);
    expect(error.details.map((d) => d.field)).toEqual(['cursor']);
  });

  it.each([
    ['too few keys', ['only-one'], 2],
    ['too many keys', ['a', 'b', 'c'], 2],
  ])('rejects a cursor with %s', (_label, key, arity) => {
    const error = thrownBy(() => decodeCursor(encodeCursor(key), arity));
    expect(error.details).toEqual([{ field: 'cursor', messages: ['cursor is not a cursor this API returned'] }]);
  });
});

describe('toPage', () => {
  const rows = [
    { id: 'a', at: 1 },
    { id: 'b', at: 2 },
    { id: 'c', at: 3 },
  ];
  const keyOf = (row: { id: string; at: number }) => [row.at, row.id];

  it('with limit + 1 rows keeps limit items and points the cursor at the last kept item', () => {
    const page = toPage(rows, 2, keyOf);
    expect(page.items.map((r) => r.id)).toEqual(['a', 'b']);
    expect(page.nextCursor).toBe(encodeCursor([2, 'b']));
    expect(decodeCursor(page.nextCursor!, 2)).toEqual([2, 'b']);
  });

  it('with exactly limit rows is the last page', () => {
    expect(toPage(rows, 3, keyOf)).toEqual({ items: rows, nextCursor: null });
  });

  it('with fewer than limit rows is the last page', () => {
    expect(toPage(rows.slice(0, 1), 50, keyOf)).toEqual({ items: [rows[0]], nextCursor: null });
  });

  it('with no rows is an empty last page', () => {
    expect(toPage([], 10, keyOf)).toEqual({ items: [], nextCursor: null });
  });
});
