import canonicalize from 'canonicalize';
import { prng, randomValue } from './audit-samples';
import { canonicalJson } from './canonical-json';
import { canonicalJsonText, canonicalMembersText } from './canonical-json-text';

/** What the chain was always hashed with: the value parsed, then canonicalize. */
const reference = (text: string): string => `${canonicalize(JSON.parse(text))}`;

/** The outcome of the slow way for any text: its canonical JSON, or that JSON.parse refuses it. */
function slowWay(text: string): string | 'refused' {
  try {
    return canonicalJson(JSON.parse(text));
  } catch {
    return 'refused';
  }
}

/**
 * JSON as Postgres writes jsonb: ", " and ": " between tokens, keys shorter first then by bytes. (Strings and
 * numbers as JSON.stringify writes them, as jsonb does for what it stores.)
 */
function jsonbText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => jsonbText(v === undefined ? null : v)).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    const bytes = (k: string) => Buffer.from(k, 'utf8');
    entries.sort(([a], [b]) => bytes(a).length - bytes(b).length || Buffer.compare(bytes(a), bytes(b)));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${jsonbText(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** The same JSON with every string character written as a \u escape (valid, but nothing like canonical). */
function escapedText(value: unknown): string {
  return JSON.stringify(value).replace(/"(?:[^"\\]|\\.)*"/g, (token) =>
    `"${Array.from(JSON.parse(token) as string, (ch) => Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join('')).join('')}"`,
  );
}

describe('canonicalJsonText', () => {
  it.each([
    ['compact', '{"b":1,"a":[true,false,null],"c":{"z":"x","y":{}}}'],
    ['jsonb spacing and key order', '{"a": 1, "bb": [1, 2], "ccc": {"x": null, "yy": "s"}}'],
    ['spaces everywhere JSON allows them', ' { "a" : [ 1 , 2 ] , "b" : { } , "c" : [ ] } '],
    ['escapes', '{"k\\u0041":"\\u00e9\\n\\"\\\\\\/","\\ud83d\\ude00":"\\ud800"}'],
    ['numbers written differently', '[1.0, 1e2, 1E+2, -0, 0.10, 12345678901234567890, 1e-7, 123456789012345, -12345678901234, 5e-324]'],
    ['top-level scalars', '"text"'],
    ['a top-level number', '42'],
    ['non-ASCII and a key sorted by UTF-16 code units', '{"\ufb33": 1, "\ud83d\ude00": 2, "é": 3, "Z": 4, "": 5, "10": 6, "9": 7}'],
  ])('writes %s as canonicalize writes the parsed value', (_what, text) => {
    expect(canonicalJsonText(text)).toBe(reference(text));
  });

  it('agrees with the parsed value for 20,000 generated values, written compact, as jsonb and fully escaped', () => {
    const rand = prng(20261203);
    let fast = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const value = randomValue(rand, 0);
      if (value === undefined) continue;
      for (const text of [JSON.stringify(value), jsonbText(value), escapedText(value)]) {
        const got = canonicalJsonText(text);
        if (got === null) continue;
        fast += 1;
        if (got !== reference(text)) throw new Error(`case ${i}: ${text}: ${reference(text)} !== ${got}`);
      }
    }
    // Only what JSON.parse itself handles differently (duplicate keys, huge numbers) is left to it.
    expect(fast).toBeGreaterThan(59_000);
  });

  it('gives up (null) on text JSON.parse refuses, and agrees with it on whatever it accepts, for 20,000 damaged texts', () => {
    const rand = prng(7);
    const damage = ['', '"', '\\', ',', ':', '{', '}', '[', ']', ' ', '0', '-', '.', 'e', 'n', 't', '\u0000', '\n', '\ud800'];
    let refused = 0;
    for (let i = 0; i < 20_000; i += 1) {
      const text = jsonbText(randomValue(rand, 0));
      const at = Math.floor(rand() * (text.length + 1));
      const cut = rand() < 0.5 ? 1 : 0;
      const damaged = text.slice(0, at) + damage[Math.floor(rand() * damage.length)] + text.slice(at + cut);
      const slow = slowWay(damaged);
      const got = canonicalJsonText(damaged);
      if (slow === 'refused') refused += 1;
      if (got !== null && got !== slow) throw new Error(`case ${i}: ${JSON.stringify(damaged)}: ${slow} !== ${got}`);
    }
    expect(refused).toBeGreaterThan(5000);
  });

  it.each([
    ['a duplicate key', '{"a":1,"a":2}'],
    ['a number beyond doubles', '[1e400]'],
    ['a raw control character in a string', '"a\tb"'],
    ['a raw lone surrogate', '"\ud800"'],
    ['trailing text', '{} x'],
    ['a trailing comma', '[1,]'],
    ['a leading zero', '[01]'],
    ['an unterminated string', '"abc'],
    ['nesting 300 deep', `${'['.repeat(300)}${']'.repeat(300)}`],
  ])('leaves %s to JSON.parse (null)', (_what, text) => {
    expect(canonicalJsonText(text)).toBeNull();
  });
});

describe('canonicalMembersText', () => {
  it('gives the members of an object in text order, keys decoded, values canonical, duplicates kept', () => {
    const keys: string[] = [];
    const values: string[] = [];
    expect(canonicalMembersText('{"b": {"y": 1.0, "x": []}, "\\u0061": "\\u00e9", "b": null}', keys, values)).toBe(true);
    expect(keys).toEqual(['b', 'a', 'b']);
    expect(values).toEqual(['{"x":[],"y":1}', '"é"', 'null']);
  });

  it('refuses what is not one object', () => {
    for (const text of ['[1]', '{"a":1} {}', '{"a":}', '"x"']) expect(canonicalMembersText(text, [], [])).toBe(false);
  });
});
