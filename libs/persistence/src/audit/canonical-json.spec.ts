import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { types } from 'pg';
import { AuditPayload, auditPayload, chainHash, GENESIS_HASH } from './audit-chain';
import { isoFromPostgres } from './audit-stream';
import { canonicalJson, payloadJcs, payloadJcsAroundSeq } from './canonical-json';

/** The reference every hash in the chain was computed with: the `canonicalize` package. */
const reference = (value: unknown): string => `${canonicalize(value)}`;

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Characters that JSON escapes, that sort unexpectedly by UTF-16 code unit, surrogate pairs and lone surrogates.
const ALPHABET = ['a', 'Z', '0', '9', '', ' ', '"', '\\', '/', '\n', '\r', '\t', '\b', '\f', '\u0000', '\u001f', '\u007f', '\u0080',
  '\u00e9', '\u00f6', '\u2028', '\u2029', '\u20ac', '\ufb33', '\ufeff', '\ud83d\ude00', '\ud83d\ude80', '\ud800', '\udfff', '\u4e2d', '<', '&'];
const NUMBERS = [0, -0, 1, -1, 1.5, 0.1, 0.2 + 0.1, 1e21, 1e-7, 1e-6, 123456789.12345679, 2 ** 53 - 1, 2 ** 53 + 2, -(2 ** 31), 5e-324,
  Number.MAX_VALUE, Number.MIN_VALUE, 1e300, 333333333.3333333, 100, 1e2, 4.35, 0.000001];

function randomString(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i += 1) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

function randomValue(rand: () => number, depth: number): unknown {
  const pick = Math.floor(rand() * (depth > 3 ? 5 : 8));
  switch (pick) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return NUMBERS[Math.floor(rand() * NUMBERS.length)] * (rand() < 0.2 ? -1 : 1);
    case 3:
      return rand() * 10 ** Math.floor(rand() * 40 - 20);
    case 4:
      return randomString(rand);
    case 5:
      return Array.from({ length: Math.floor(rand() * 5) }, () => (rand() < 0.05 ? undefined : randomValue(rand, depth + 1)));
    default: {
      const o: Record<string, unknown> = {};
      const n = Math.floor(rand() * 7);
      for (let i = 0; i < n; i += 1) o[randomString(rand)] = rand() < 0.05 ? undefined : randomValue(rand, depth + 1);
      return o;
    }
  }
}

describe('canonicalJson', () => {
  it.each([
    ['null', null],
    ['a string with every escape', '"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028 Caf\u00e9 \ud83d\ude00 lone \ud800'],
    ['numbers as ECMAScript writes them', [0, -0, 1e21, 1e-7, 1.5, 2 ** 53, 5e-324, 123456789.12345679, 1e2]],
    ['nested objects sorted by UTF-16 code units', { b: { z: 1, a: [{ y: 2, x: 1 }] }, a: null, '\ud83d\ude00': 1, '\ufb33': 2, '': 3, '10': 4, '9': 5 }],
    ['undefined members left out, undefined items as null', { a: undefined, b: [undefined, 1, Symbol('s')], c: Symbol('t') }],
    ['empty containers', { o: {}, a: [], s: '' }],
    ['an object with toJSON (a Date)', { when: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) }],
    ['a top-level Date', new Date(0)],
    ['booleans', [true, false]],
  ])('writes %s as canonicalize does', (_name, value) => {
    expect(canonicalJson(value)).toBe(reference(value));
  });

  it('writes what canonicalize writes for 20,000 generated values', () => {
    const rand = prng(20261202);
    for (let i = 0; i < 20_000; i += 1) {
      const value = randomValue(rand, 0);
      const got = canonicalJson(value);
      if (got !== reference(value)) throw new Error(`case ${i}: ${reference(value)} !== ${got}`);
    }
    expect(canonicalJson({ done: true })).toBe('{"done":true}');
  });

  it('refuses what canonicalize refuses', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow('NaN is not allowed');
    expect(() => canonicalJson([Number.POSITIVE_INFINITY])).toThrow('Infinity is not allowed');
    expect(() => canonicalJson({ n: 10n })).toThrow(TypeError);
  });
});

/** Events as varied as the chain holds: unicode, escapes, numbers, nesting, nulls, every case type's shape. */
function variedPayloads(): AuditPayload[] {
  const base: AuditPayload = {
    seq: 1,
    id: '3f264cd5-7537-4d20-8f9d-57696d25a685',
    at: '2026-11-27T10:56:59.855Z',
    caseType: 'change_request',
    caseId: '4d72c610-79bf-453b-83cc-535911438e96',
    actorId: 'alice',
    action: 'change_submitted',
    fromStatus: null,
    toStatus: 'pending_approval',
    data: {},
    workflowId: 'change-request-4d72c610-79bf-453b-83cc-535911438e96',
    runId: '01a21ca6-bfca-7bd5-a74a-53dcb254b9b0',
  };
  const rand = prng(7);
  const generated = Array.from({ length: 200 }, (_, i) => ({
    ...base,
    seq: i + 100,
    actorId: randomString(rand) || 'system',
    action: `action_${randomString(rand)}`,
    fromStatus: rand() < 0.3 ? null : randomString(rand),
    toStatus: rand() < 0.1 ? null : randomString(rand),
    data: { value: randomValue(rand, 1), list: [randomValue(rand, 2)] },
  }));
  return [
    base,
    { ...base, seq: 2, fromStatus: 'pending_approval', data: { rule: 'any', level: 'manager', round: 1, required: 1, approvers: ['bob'] } },
    {
      ...base,
      seq: 51,
      actorId: 'l\u00e9na',
      data: { comment: 'Zu riskant f\u00fcr Q3 \u2014 bitte \u00fcberarbeiten \ud83d\ude80', note: 'tab\there "quoted" back\\slash\nnewline\u2028' },
    },
    { ...base, seq: 1000, data: { ratio: 1.5, big: 1e21, tiny: 1e-7, negativeZero: -0, float: 0.1 + 0.2, max: 2 ** 53 - 1 } },
    { ...base, seq: 99_999, data: { nested: { z: [3, 'two', null, false, { b: 1, a: [] }], a: { '': 'empty', '\ufb33': 1, '\ud83d\ude00': 2 } } } },
    { ...base, seq: 2 ** 53 - 1, caseType: 'complaint', toStatus: null, data: { '10': 'ten', '9': 'nine', A: 'upper', a: 'lower' } },
    ...generated,
  ];
}

describe('payloadJcs', () => {
  it('is canonicalize(auditPayload(event)) for varied events', () => {
    for (const p of variedPayloads()) expect(payloadJcs(p)).toBe(reference(auditPayload(p)));
  });

  it('reads only the 12 payload fields of a whole event', () => {
    const [p] = variedPayloads();
    expect(payloadJcs({ ...p, prevHash: GENESIS_HASH, hash: 'f'.repeat(64), extra: 1 } as AuditPayload)).toBe(reference(p));
  });

  it('falls back to canonicalize for malformed events (a line of a doctored export)', () => {
    const [p] = variedPayloads();
    const odd = [
      { ...p, fromStatus: undefined },
      { ...p, actorId: 42 },
      { ...p, seq: '7' },
      { ...p, data: undefined },
      { ...p, toStatus: { nested: true } },
    ] as unknown as AuditPayload[];
    for (const e of odd) expect(payloadJcs(e)).toBe(reference(auditPayload(e)));
  });
});

describe('payloadJcsAroundSeq', () => {
  it('splits JCS around seq: head + seq + tail is canonicalize(payload) for every seq', () => {
    for (const p of variedPayloads()) {
      const { seq: _seq, ...rest } = p;
      const { head, tail } = payloadJcsAroundSeq(rest);
      expect(head.endsWith('"seq":')).toBe(true);
      expect(tail.startsWith(',"toStatus":')).toBe(true);
      for (const seq of [1, 9, 10, 12345, p.seq, 2 ** 53 - 1]) expect(head + String(seq) + tail).toBe(reference({ ...p, seq }));
    }
  });

  it('gives the chain hash when hashed as audit_append hashes it: SHA-256 of prevHash + head + seq + tail', () => {
    let prev = GENESIS_HASH;
    for (const [i, p] of variedPayloads().entries()) {
      const seq = i + 1;
      const { seq: _seq, ...rest } = p;
      const { head, tail } = payloadJcsAroundSeq(rest);
      const asSql = createHash('sha256').update(Buffer.from(`${prev}${head}${seq}${tail}`, 'utf8')).digest('hex');
      expect(asSql).toBe(chainHash(prev, { ...p, seq }));
      prev = asSql;
    }
  });
});

describe('isoFromPostgres', () => {
  const viaDate = (text: string) => (types.getTypeParser(1184, 'text') as (t: string) => Date)(text).toISOString();

  it.each([
    '2026-11-27 10:56:59.855+00',
    '2026-11-27 10:56:59.85+00',
    '2026-11-27 10:56:59.8+00',
    '2026-11-27 10:56:59+00',
    '2026-11-27 10:56:59.123456+00',
    '2026-11-27 10:56:59.999999+00',
    '1999-12-31 23:59:59.001+00',
    '2026-11-27 11:56:59.855+01',
    '2026-11-27 16:26:59.855+05:30',
    '0099-01-01 00:00:00+00',
    '0001-01-01 00:00:00+00 BC',
    '12026-01-01 00:00:00+00',
  ])('writes %s as pg and Date would', (text) => {
    expect(isoFromPostgres(text)).toBe(viaDate(text));
  });

  it('agrees with pg and Date on every millisecond fraction', () => {
    for (let ms = 0; ms < 1000; ms += 1) {
      const fraction = String(ms).padStart(3, '0').replace(/0+$/, '');
      const text = `2026-02-03 04:05:06${fraction ? `.${fraction}` : ''}+00`;
      if (isoFromPostgres(text) !== viaDate(text)) throw new Error(`${text}: ${isoFromPostgres(text)} !== ${viaDate(text)}`);
    }
    expect(isoFromPostgres('2026-02-03 04:05:06.5+00')).toBe('2026-02-03T04:05:06.500Z');
  });
});
