import { Duration } from 'luxon';
import { isoDurationMs } from '../duration';
import { describeValue, isRecord, type JsonPath, Problems } from '../sla/json-check';

/** The PIP policy file (`PIP_POLICY_FILE`): every value an ISO 8601 duration. */
export interface PipPolicy {
  /** Bounds of a plan's `duration`. */
  minDuration: string;
  maxDuration: string;
  /** The employee's acknowledgement is due this long after HR approves; without it the plan starts anyway. */
  acknowledgeWithin: string;
  /** A check-in not recorded this long after it fell due is missed. */
  checkInGrace: string;
  /** The longest extension a final review may ask for. */
  maxExtension: string;
  /** The manager's final review is due this long after the plan ends; then it escalates to HR. */
  finalReviewWithin: string;
}

export const PIP_POLICY_KEYS = ['minDuration', 'maxDuration', 'acknowledgeWithin', 'checkInGrace', 'maxExtension', 'finalReviewWithin'] as const;

export type PipPolicyResult = { ok: true; policy: PipPolicy } | { ok: false; errors: string[] };

/** The policy the project ships, and `config/pip-policy.json` (a test keeps the two equal). */
export const DEFAULT_PIP_POLICY: PipPolicy = Object.freeze({
  minDuration: 'P30D',
  maxDuration: 'P180D',
  acknowledgeWithin: 'P5D',
  checkInGrace: 'P2D',
  maxExtension: 'P30D',
  finalReviewWithin: 'P5D',
});

/**
 * Validates untrusted JSON (the PIP_POLICY_FILE). Collects every problem, each naming its key, e.g.
 * `checkInGrace: "2 days" is not an ISO 8601 duration`. On success the policy is a fresh copy.
 */
export function parsePipPolicy(json: unknown): PipPolicyResult {
  const problems = new Problems();
  if (!isRecord(json)) {
    problems.add([], `expected an object with ${PIP_POLICY_KEYS.join(', ')}, got ${describeValue(json)}`);
    return { ok: false, errors: problems.errors };
  }
  problems.unknownKeys(json, PIP_POLICY_KEYS, []);
  for (const key of PIP_POLICY_KEYS) checkDuration(json[key], [key], problems);
  if (problems.count === 0) {
    const min = isoDurationMs(json.minDuration as string)!;
    const max = isoDurationMs(json.maxDuration as string)!;
    if (min > max) problems.add(['maxDuration'], `must not be shorter than minDuration (${describeValue(json.minDuration)})`);
  }
  if (problems.count > 0) return { ok: false, errors: problems.errors };
  const text = (key: (typeof PIP_POLICY_KEYS)[number]) => json[key] as string;
  return {
    ok: true,
    policy: {
      minDuration: text('minDuration'),
      maxDuration: text('maxDuration'),
      acknowledgeWithin: text('acknowledgeWithin'),
      checkInGrace: text('checkInGrace'),
      maxExtension: text('maxExtension'),
      finalReviewWithin: text('finalReviewWithin'),
    },
  };
}

function checkDuration(value: unknown, path: JsonPath, problems: Problems): void {
  if (value === undefined) problems.add(path, 'missing; expected an ISO 8601 duration such as "P30D"');
  else if (typeof value !== 'string') problems.add(path, `expected an ISO 8601 duration such as "P30D", got ${describeValue(value)}`);
  else if (!Duration.fromISO(value).isValid) problems.add(path, `${describeValue(value)} is not an ISO 8601 duration`);
  else if (isoDurationMs(value) === null) problems.add(path, `${describeValue(value)} must be a positive duration`);
}

/** The policy's durations in milliseconds (the policy is valid: parsePipPolicy checked it). */
export interface PipPolicyMs {
  minDuration: number;
  maxDuration: number;
  acknowledgeWithin: number;
  checkInGrace: number;
  maxExtension: number;
  finalReviewWithin: number;
}

export function pipPolicyMs(policy: PipPolicy): PipPolicyMs {
  const ms = (key: (typeof PIP_POLICY_KEYS)[number]) => {
    const v = isoDurationMs(policy[key]);
    if (v === null) throw new Error(`PIP policy ${key} is not a positive ISO 8601 duration: ${policy[key]}`);
    return v;
  };
  return {
    minDuration: ms('minDuration'),
    maxDuration: ms('maxDuration'),
    acknowledgeWithin: ms('acknowledgeWithin'),
    checkInGrace: ms('checkInGrace'),
    maxExtension: ms('maxExtension'),
    finalReviewWithin: ms('finalReviewWithin'),
  };
}
