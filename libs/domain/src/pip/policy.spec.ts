import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PIP_POLICY, parsePipPolicy, pipPolicyMs } from './policy';

const DAY = 86_400_000;
const errorsOf = (json: unknown) => {
  const r = parsePipPolicy(json);
  return r.ok ? [] : r.errors;
};

describe('parsePipPolicy', () => {
  it('accepts the contract example and returns a copy', () => {
    const json = { ...DEFAULT_PIP_POLICY };
    const r = parsePipPolicy(json);
    expect(r).toEqual({ ok: true, policy: DEFAULT_PIP_POLICY });
    if (r.ok) expect(r.policy).not.toBe(json);
  });

  it('names every bad entry at once', () => {
    expect(
      errorsOf({ minDuration: '30 days', maxDuration: 180, acknowledgeWithin: 'PT0S', checkInGrace: 'P2D', finalReviewWithin: 'P5D', maxExtention: 'P30D' }),
    ).toEqual([
      'maxExtention: unknown key; expected one of minDuration, maxDuration, acknowledgeWithin, checkInGrace, maxExtension, finalReviewWithin',
      'minDuration: "30 days" is not an ISO 8601 duration',
      'maxDuration: expected an ISO 8601 duration such as "P30D", got 180',
      'acknowledgeWithin: "PT0S" must be a positive duration',
      'maxExtension: missing; expected an ISO 8601 duration such as "P30D"',
    ]);
  });

  it('refuses bounds the wrong way round', () => {
    expect(errorsOf({ ...DEFAULT_PIP_POLICY, minDuration: 'P90D', maxDuration: 'P60D' })).toEqual(['maxDuration: must not be shorter than minDuration ("P90D")']);
  });

  it('refuses anything but an object', () => {
    expect(errorsOf([])).toEqual([expect.stringMatching(/^\(root\): expected an object with minDuration/)]);
    expect(errorsOf(null)).toHaveLength(1);
  });
});

describe('DEFAULT_PIP_POLICY', () => {
  it('is exactly config/pip-policy.json, the file users copy', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../../../config/pip-policy.json'), 'utf8'));
    expect(file).toStrictEqual({ ...DEFAULT_PIP_POLICY });
    expect(parsePipPolicy(file).ok).toBe(true);
  });

  it('converts to milliseconds', () => {
    expect(pipPolicyMs(DEFAULT_PIP_POLICY)).toEqual({
      minDuration: 30 * DAY,
      maxDuration: 180 * DAY,
      acknowledgeWithin: 5 * DAY,
      checkInGrace: 2 * DAY,
      maxExtension: 30 * DAY,
      finalReviewWithin: 5 * DAY,
    });
  });

  it('cannot be changed in place', () => {
    expect(() => {
      (DEFAULT_PIP_POLICY as { minDuration: string }).minDuration = 'P1D';
    }).toThrow(TypeError);
  });
});
