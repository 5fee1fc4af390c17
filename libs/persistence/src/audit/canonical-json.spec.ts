import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { types } from 'pg';
import { AuditPayload, auditPayload, chainHash, GENESIS_HASH } from './audit-chain';
import { isoFromPostgres } from './audit-stream';
import { canonicalJson, payloadJcs, payloadJcsAroundSeq } from './canonical-json';
import { prng, randomValue, variedPayloads } from './audit-samples';

/** The reference every hash in the chain was computed with: the `canonicalize` package. */
const reference = (value: unknown): string => `${canonicalize(value)}`;


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
