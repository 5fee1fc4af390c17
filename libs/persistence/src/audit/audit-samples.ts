import type { AuditPayload } from './audit-chain';

/**
 * Generated JSON values and audit events for the specs of the audit chain: characters that JSON escapes or
 * that sort unexpectedly by UTF-16 code unit, surrogate pairs and lone surrogates, awkward numbers, nesting.
 */

/** A small deterministic PRNG (mulberry32), so a failure names a reproducible case. */
export function prng(seed: number): () => number {
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

export function randomString(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 6);
  for (let i = 0; i < n; i += 1) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

export function randomValue(rand: () => number, depth: number): unknown {
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

/** Events as varied as the chain holds: unicode, escapes, numbers, nesting, nulls, every case type's shape. */
export function variedPayloads(): AuditPayload[] {
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
