import { Duration } from 'luxon';
import { isoDurationMs } from '../duration';
import { type CalendarSpec, checkCalendarSpec } from './calendar-spec';
import { type JsonPath, Problems, describeValue, isRecord } from './json-check';

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CUSTOMER_TIERS = ['A', 'B', 'C'] as const;
export type CustomerTier = (typeof CUSTOMER_TIERS)[number];

/** The contract's matrix: severity x customer tier. */
const MATRIX: Record<Severity, Record<CustomerTier, Priority>> = {
  critical: { A: 'P1', B: 'P1', C: 'P2' },
  high: { A: 'P1', B: 'P2', C: 'P3' },
  medium: { A: 'P2', B: 'P3', C: 'P3' },
  low: { A: 'P3', B: 'P4', C: 'P4' },
};

export function complaintPriority(severity: Severity, tier: CustomerTier): Priority {
  return MATRIX[severity][tier];
}

/** ISO 8601 durations of WORKING time on `calendar`: P1D is 24 working hours, not one business day. */
export interface PriorityPolicy {
  calendar: string;
  firstResponse: string;
  update: string;
  resolution: string;
}

const ESCALATION_ACTIONS = ['warn', 'escalate'] as const;
const ESCALATION_TARGETS = ['owner', 'team_lead', 'supervisor', 'manager'] as const;

/** At `at` x the running target (0.75 = three quarters spent), warn or escalate to someone. */
export interface EscalationStep {
  at: number;
  action: 'warn' | 'escalate';
  to: 'owner' | 'team_lead' | 'supervisor' | 'manager';
}

export interface SlaPolicies {
  calendars: Record<string, CalendarSpec>;
  priorities: Record<Priority, PriorityPolicy>;
  escalation: EscalationStep[];
}

export type SlaPoliciesResult = { ok: true; policies: SlaPolicies } | { ok: false; errors: string[] };

const TARGETS = ['firstResponse', 'update', 'resolution'] as const;

/**
 * Validates untrusted JSON (the SLA_POLICIES_FILE). Collects every problem, each naming its JSON path,
 * e.g. `priorities.P2.resolution: "5 days" is not an ISO 8601 duration`. On success the policies are a
 * fresh copy, independent of the input.
 */
export function parseSlaPolicies(json: unknown): SlaPoliciesResult {
  const problems = new Problems();
  if (!isRecord(json)) {
    problems.add([], `expected an object with calendars, priorities and escalation, got ${describeValue(json)}`);
    return { ok: false, errors: problems.errors };
  }
  problems.unknownKeys(json, ['calendars', 'priorities', 'escalation'], []);
  const calendars = checkCalendars(json.calendars, problems);
  const priorities = checkPriorities(json.priorities, json.calendars, problems);
  const escalation = checkEscalation(json.escalation, problems);
  if (problems.count > 0 || !calendars || !priorities || !escalation) return { ok: false, errors: problems.errors };
  return { ok: true, policies: { calendars, priorities, escalation } };
}

function checkCalendars(value: unknown, problems: Problems): Record<string, CalendarSpec> | null {
  if (!isRecord(value)) {
    problems.add(['calendars'], `expected an object of named calendars, got ${describeValue(value)}`);
    return null;
  }
  const calendars: Record<string, CalendarSpec> = {};
  for (const [name, spec] of Object.entries(value)) {
    const checked = checkCalendarSpec(spec, ['calendars', name], problems);
    if (checked) calendars[name] = checked;
  }
  return calendars;
}

function checkPriorities(value: unknown, calendars: unknown, problems: Problems): Record<Priority, PriorityPolicy> | null {
  if (!isRecord(value)) {
    problems.add(['priorities'], `expected an object with P1, P2, P3 and P4, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(value, PRIORITIES, ['priorities']);
  const priorities: Partial<Record<Priority, PriorityPolicy>> = {};
  for (const priority of PRIORITIES) {
    const path = ['priorities', priority];
    if (!(priority in value)) problems.add(path, 'missing; every priority P1..P4 needs a policy');
    else {
      const policy = checkPriorityPolicy(value[priority], path, calendars, problems);
      if (policy) priorities[priority] = policy;
    }
  }
  return problems.count === before ? (priorities as Record<Priority, PriorityPolicy>) : null;
}

function checkPriorityPolicy(value: unknown, path: JsonPath, calendars: unknown, problems: Problems): PriorityPolicy | null {
  if (!isRecord(value)) {
    problems.add(path, `expected an object with calendar, ${TARGETS.join(', ')}, got ${describeValue(value)}`);
    return null;
  }
  const before = problems.count;
  problems.unknownKeys(value, ['calendar', ...TARGETS], path);
  const calendar = value.calendar;
  if (typeof calendar !== 'string') {
    problems.add([...path, 'calendar'], `expected the name of a calendar, got ${describeValue(calendar)}`);
  } else if (isRecord(calendars) && !Object.hasOwn(calendars, calendar)) {
    // Unchecked when `calendars` itself is broken: that error is already reported once.
    const names = Object.keys(calendars);
    problems.add([...path, 'calendar'], `${describeValue(calendar)} is not a defined calendar (defined: ${names.join(', ') || 'none'})`);
  }
  for (const target of TARGETS) checkDuration(value[target], [...path, target], problems);
  if (problems.count !== before) return null;
  return {
    calendar: calendar as string,
    firstResponse: value.firstResponse as string,
    update: value.update as string,
    resolution: value.resolution as string,
  };
}

function checkDuration(value: unknown, path: JsonPath, problems: Problems): void {
  if (typeof value !== 'string') problems.add(path, `expected an ISO 8601 duration such as "PT4H", got ${describeValue(value)}`);
  else if (!Duration.fromISO(value).isValid) problems.add(path, `${describeValue(value)} is not an ISO 8601 duration`);
  else if (isoDurationMs(value) === null) problems.add(path, `${describeValue(value)} must be a positive duration`);
}

function checkEscalation(value: unknown, problems: Problems): EscalationStep[] | null {
  if (!Array.isArray(value) || value.length === 0) {
    const got = Array.isArray(value) ? 'an empty array' : describeValue(value);
    problems.add(['escalation'], `expected a non-empty array of steps, got ${got}`);
    return null;
  }
  const before = problems.count;
  const steps: EscalationStep[] = [];
  let previousAt: number | null = null;
  value.forEach((step: unknown, i) => {
    const path = ['escalation', i];
    if (!isRecord(step)) {
      problems.add(path, `expected a step object with at, action, to, got ${describeValue(step)}`);
      return;
    }
    problems.unknownKeys(step, ['at', 'action', 'to'], path);
    const { at, action, to } = step;
    if (typeof at !== 'number' || !Number.isFinite(at) || at <= 0) {
      problems.add([...path, 'at'], `expected a number greater than 0 (a fraction of the target), got ${describeValue(at)}`);
    } else {
      // Steps fire in order as time is spent; a step out of order would fire late or never.
      if (previousAt !== null && at <= previousAt) {
        problems.add([...path, 'at'], `${at} must be greater than the previous step's ${previousAt} (steps are in increasing order)`);
      }
      previousAt = at;
    }
    if (!ESCALATION_ACTIONS.includes(action as EscalationStep['action'])) {
      problems.add([...path, 'action'], `expected one of ${ESCALATION_ACTIONS.join(', ')}, got ${describeValue(action)}`);
    }
    if (!ESCALATION_TARGETS.includes(to as EscalationStep['to'])) {
      problems.add([...path, 'to'], `expected one of ${ESCALATION_TARGETS.join(', ')}, got ${describeValue(to)}`);
    }
    steps.push({ at, action, to } as EscalationStep);
  });
  return problems.count === before ? steps : null;
}

/**
 * Common practice, and `config/sla-policies.json` (a test keeps the two equal). P1/P2 run around the clock;
 * P3/P4 count business hours in Shanghai.
 */
export const DEFAULT_SLA_POLICIES: SlaPolicies = deepFreeze({
  calendars: {
    always: { type: '24x7' },
    business: {
      type: 'business',
      timezone: 'Asia/Shanghai',
      week: {
        mon: ['09:00-12:00', '13:00-18:00'],
        tue: ['09:00-12:00', '13:00-18:00'],
        wed: ['09:00-12:00', '13:00-18:00'],
        thu: ['09:00-12:00', '13:00-18:00'],
        fri: ['09:00-12:00', '13:00-18:00'],
      },
      // Chinese public holidays (and their make-up working weekends) are announced year by year, so the
      // default ships none: deployments list theirs here. A make-up Saturday cannot be expressed yet.
      holidays: [],
    },
  },
  priorities: {
    P1: { calendar: 'always', firstResponse: 'PT15M', update: 'PT1H', resolution: 'PT4H' },
    P2: { calendar: 'always', firstResponse: 'PT1H', update: 'PT4H', resolution: 'PT24H' },
    P3: { calendar: 'business', firstResponse: 'PT4H', update: 'PT8H', resolution: 'PT40H' },
    P4: { calendar: 'business', firstResponse: 'PT8H', update: 'PT16H', resolution: 'PT80H' },
  },
  escalation: [
    { at: 0.75, action: 'warn', to: 'owner' },
    { at: 1.0, action: 'escalate', to: 'team_lead' },
    { at: 1.5, action: 'escalate', to: 'supervisor' },
    { at: 2.0, action: 'escalate', to: 'manager' },
  ],
});

/** Working milliseconds of each target for a priority. Throws on policies that skipped parseSlaPolicies. */
export function slaTargetsMs(policies: SlaPolicies, priority: Priority): { firstResponse: number; update: number; resolution: number } {
  const policy = policies.priorities[priority];
  if (!policy) throw new Error(`SLA policies define no priority ${priority}`);
  const ms = (target: (typeof TARGETS)[number]) => {
    const value = isoDurationMs(policy[target]);
    if (value === null) {
      throw new Error(`SLA policy ${priority}.${target} ${JSON.stringify(policy[target])} is not a positive ISO 8601 duration`);
    }
    return value;
  };
  return { firstResponse: ms('firstResponse'), update: ms('update'), resolution: ms('resolution') };
}

/** The shared default must not be edited in place by one caller under everyone else's feet. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
