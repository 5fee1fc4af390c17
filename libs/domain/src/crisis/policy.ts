import { isoDurationMs } from '../duration';
import { type JsonPath, Problems, describeValue, isRecord } from '../sla/json-check';

export const CRISIS_SEVERITIES = ['major', 'general'] as const;
/** `major` is 一级/重大, `general` 二级/一般. */
export type CrisisSeverity = (typeof CRISIS_SEVERITIES)[number];

/** Who is told, each with a notice of its own (the seed plan's stakeholder list). */
export const STAKEHOLDER_GROUPS = ['employees', 'customers', 'partners', 'suppliers', 'regulators', 'media'] as const;
export type StakeholderGroup = (typeof STAKEHOLDER_GROUPS)[number];

/**
 * The crisis-communication policy (CRISIS_POLICY_FILE). Durations are ISO 8601 and count wall-clock time:
 * a crisis does not wait for office hours.
 */
export interface CrisisPolicy {
  /** The holding statement (黄金24小时) is due this long after the declaration. */
  holdingStatementWithin: string;
  /** Fractions of `holdingStatementWithin` at which the comms lead is reminded, ascending, each in (0, 1). */
  holdingReminders: number[];
  /** After the holding statement, an update statement is due this often, until recovery. */
  updateEvery: Record<CrisisSeverity, string>;
  /** How long after the declaration each group must have been told; null: that group need not be told at that level. */
  stakeholders: Record<StakeholderGroup, Record<CrisisSeverity, string | null>>;
}

export type CrisisPolicyResult = { ok: true; policy: CrisisPolicy } | { ok: false; errors: string[] };

const KEYS = ['holdingStatementWithin', 'holdingReminders', 'updateEvery', 'stakeholders'] as const;

/**
 * Validates untrusted JSON (the CRISIS_POLICY_FILE). Collects every problem, each naming its JSON path, e.g.
 * `stakeholders.media.major: "1 day" is not a positive ISO 8601 duration`. On success the policy is a fresh copy.
 */
export function parseCrisisPolicy(json: unknown): CrisisPolicyResult {
  const problems = new Problems();
  if (!isRecord(json)) {
    problems.add([], `expected an object with ${KEYS.join(', ')}, got ${describeValue(json)}`);
    return { ok: false, errors: problems.errors };
  }
  problems.unknownKeys(json, KEYS, []);
  const within = checkDuration(json.holdingStatementWithin, ['holdingStatementWithin'], problems);
  const reminders = checkReminders(json.holdingReminders, problems);
  const updateEvery = checkLevels(json.updateEvery, ['updateEvery'], false, problems);
  const stakeholders = checkStakeholders(json.stakeholders, problems);
  if (problems.count > 0 || within === null || !reminders || !updateEvery || !stakeholders) return { ok: false, errors: problems.errors };
  return {
    ok: true,
    policy: { holdingStatementWithin: within, holdingReminders: reminders, updateEvery: updateEvery as Record<CrisisSeverity, string>, stakeholders },
  };
}

function checkDuration(value: unknown, path: JsonPath, problems: Problems): string | null {
  if (typeof value !== 'string' || isoDurationMs(value) === null) {
    problems.add(path, `${describeValue(value)} is not a positive ISO 8601 duration (e.g. PT24H, P2D)`);
    return null;
  }
  return value;
}

function checkReminders(value: unknown, problems: Problems): number[] | null {
  const path = ['holdingReminders'];
  if (!Array.isArray(value)) {
    problems.add(path, `expected an array of fractions of holdingStatementWithin (e.g. [0.5, 0.83]), got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  value.forEach((f: unknown, i) => {
    if (typeof f !== 'number' || !Number.isFinite(f) || f <= 0 || f >= 1) {
      problems.add([...path, i], `expected a fraction greater than 0 and less than 1, got ${describeValue(f)}`);
    } else if (i > 0 && typeof value[i - 1] === 'number' && f <= value[i - 1]) {
      problems.add([...path, i], `${f} must be greater than the reminder before it (${value[i - 1]})`);
    }
  });
  return problems.count === before ? [...(value as number[])] : null;
}

/** `{ major, general }`, each a duration (or null where `nullable`). */
function checkLevels(value: unknown, path: JsonPath, nullable: boolean, problems: Problems): Record<CrisisSeverity, string | null> | null {
  if (!isRecord(value)) {
    problems.add(path, `expected an object with ${CRISIS_SEVERITIES.join(' and ')}, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(value, CRISIS_SEVERITIES, path);
  const levels: Partial<Record<CrisisSeverity, string | null>> = {};
  for (const severity of CRISIS_SEVERITIES) {
    const at = [...path, severity];
    if (!(severity in value)) problems.add(at, `missing; give a duration${nullable ? ' or null' : ''}`);
    else if (nullable && value[severity] === null) levels[severity] = null;
    else levels[severity] = checkDuration(value[severity], at, problems);
  }
  return problems.count === before ? (levels as Record<CrisisSeverity, string | null>) : null;
}

function checkStakeholders(value: unknown, problems: Problems): CrisisPolicy['stakeholders'] | null {
  const path = ['stakeholders'];
  if (!isRecord(value)) {
    problems.add(path, `expected an object with ${STAKEHOLDER_GROUPS.join(', ')}, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(value, STAKEHOLDER_GROUPS, path);
  const groups: Partial<CrisisPolicy['stakeholders']> = {};
  for (const group of STAKEHOLDER_GROUPS) {
    const at = [...path, group];
    if (!(group in value)) problems.add(at, 'missing; every group needs a deadline per level (null: need not be told)');
    else {
      const levels = checkLevels(value[group], at, true, problems);
      if (levels) groups[group] = levels;
    }
  }
  return problems.count === before ? (groups as CrisisPolicy['stakeholders']) : null;
}

/** The contract's example policy; `config/crisis-policy.json` is the same (a test keeps the two equal). */
export const DEFAULT_CRISIS_POLICY: CrisisPolicy = deepFreeze({
  holdingStatementWithin: 'PT24H',
  holdingReminders: [0.5, 0.83],
  updateEvery: { major: 'PT4H', general: 'PT12H' },
  stakeholders: {
    employees: { major: 'PT2H', general: 'PT8H' },
    customers: { major: 'PT24H', general: 'P2D' },
    partners: { major: 'PT24H', general: 'P3D' },
    suppliers: { major: 'P2D', general: 'P5D' },
    regulators: { major: 'PT72H', general: null },
    media: { major: 'PT24H', general: null },
  },
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

/** Milliseconds of a duration the parser accepted. */
function ms(duration: string): number {
  const value = isoDurationMs(duration);
  if (value === null) throw new Error(`not a positive ISO 8601 duration: ${duration}`);
  return value;
}

/** When the holding statement is due, and when each reminder before it falls (epoch ms). */
export function holdingSchedule(policy: CrisisPolicy, declaredAtMs: number): { dueAt: number; reminders: number[] } {
  const within = ms(policy.holdingStatementWithin);
  // Whole milliseconds, so the timer and the state agree on what is due.
  return { dueAt: declaredAtMs + within, reminders: policy.holdingReminders.map((f) => declaredAtMs + Math.round(f * within)) };
}

export function updateEveryMs(policy: CrisisPolicy, severity: CrisisSeverity): number {
  return ms(policy.updateEvery[severity]);
}

/** One notice per group that must be told at this level, due its deadline after the declaration, in group order. */
export function noticeSchedule(policy: CrisisPolicy, severity: CrisisSeverity, declaredAtMs: number): { group: StakeholderGroup; dueAt: number }[] {
  return STAKEHOLDER_GROUPS.flatMap((group) => {
    const within = policy.stakeholders[group][severity];
    return within === null ? [] : [{ group, dueAt: declaredAtMs + ms(within) }];
  });
}
