import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkCalendar } from './calendar';
import {
  CUSTOMER_TIERS,
  type CustomerTier,
  DEFAULT_SLA_POLICIES,
  type Priority,
  SEVERITIES,
  type Severity,
  complaintPriority,
  parseSlaPolicies,
  slaTargetsMs,
} from './policy';

const H = 3_600_000;

describe('complaintPriority', () => {
  it.each<[Severity, CustomerTier, Priority]>([
    ['critical', 'A', 'P1'],
    ['critical', 'B', 'P1'],
    ['critical', 'C', 'P2'],
    ['high', 'A', 'P1'],
    ['high', 'B', 'P2'],
    ['high', 'C', 'P3'],
    ['medium', 'A', 'P2'],
    ['medium', 'B', 'P3'],
    ['medium', 'C', 'P3'],
    ['low', 'A', 'P3'],
    ['low', 'B', 'P4'],
    ['low', 'C', 'P4'],
  ])('%s severity for a tier %s customer is %s', (severity, tier, priority) => {
    expect(complaintPriority(severity, tier)).toBe(priority);
  });

  it('covers every cell of the matrix', () => {
    expect(SEVERITIES.length * CUSTOMER_TIERS.length).toBe(12);
  });
});

/** The example file of the contract (API.md, Complaints), verbatim. */
const CONTRACT_EXAMPLE = {
  calendars: {
    always: { type: '24x7' },
    business: {
      type: 'business',
      timezone: 'Asia/Shanghai',
      week: { mon: ['09:00-12:00', '13:00-18:00'], tue: ['09:00-18:00'], sat: [] },
      holidays: ['2026-10-01'],
    },
  },
  priorities: {
    P1: { calendar: 'always', firstResponse: 'PT1H', update: 'PT4H', resolution: 'PT8H' },
    P4: { calendar: 'business', firstResponse: 'PT8H', update: 'P1D', resolution: 'P5D' },
  },
  escalation: [
    { at: 0.75, action: 'warn', to: 'owner' },
    { at: 1.0, action: 'escalate', to: 'team_lead' },
    { at: 1.5, action: 'escalate', to: 'supervisor' },
    { at: 2.0, action: 'escalate', to: 'manager' },
  ],
};

/** A mutable copy of the defaults as plain JSON, for breaking one thing at a time. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const policiesJson = (): any => structuredClone(DEFAULT_SLA_POLICIES);

const errorsOf = (json: unknown) => {
  const result = parseSlaPolicies(json);
  return result.ok ? [] : result.errors;
};

describe('parseSlaPolicies', () => {
  it('accepts the contract example except that it defines only P1 and P4', () => {
    expect(parseSlaPolicies(CONTRACT_EXAMPLE)).toEqual({
      ok: false,
      errors: [
        'priorities.P2: missing; every priority P1..P4 needs a policy',
        'priorities.P3: missing; every priority P1..P4 needs a policy',
      ],
    });
  });

  it('accepts the contract example once P2 and P3 are added, and returns a copy', () => {
    const json = structuredClone(CONTRACT_EXAMPLE) as typeof CONTRACT_EXAMPLE & { priorities: Record<string, unknown> };
    json.priorities.P2 = { calendar: 'always', firstResponse: 'PT2H', update: 'PT8H', resolution: 'PT24H' };
    json.priorities.P3 = { calendar: 'business', firstResponse: 'PT4H', update: 'PT8H', resolution: 'PT40H' };
    const result = parseSlaPolicies(json);
    expect(result).toEqual({ ok: true, policies: json });
    if (!result.ok) return;
    expect(result.policies).not.toBe(json);
    expect(result.policies.calendars.business).not.toBe(json.calendars.business);
    expect(slaTargetsMs(result.policies, 'P4')).toEqual({ firstResponse: 8 * H, update: 24 * H, resolution: 120 * H });
  });

  it.each<[string, (json: ReturnType<typeof policiesJson>) => unknown, string[]]>([
    // The top level
    ['a non-object', () => [], ['(root): expected an object with calendars, priorities and escalation, got an array']],
    ['null', () => null, ['(root): expected an object with calendars, priorities and escalation, got null']],
    [
      'an unknown top-level key',
      (j) => ({ ...j, escalations: [] }),
      ['escalations: unknown key; expected one of calendars, priorities, escalation'],
    ],
    [
      'missing sections',
      () => ({}),
      [
        'calendars: expected an object of named calendars, got nothing',
        'priorities: expected an object with P1, P2, P3 and P4, got nothing',
        'escalation: expected a non-empty array of steps, got nothing',
      ],
    ],
    // Calendars
    [
      'a calendar that is not an object',
      (j) => ((j.calendars.always = '24x7'), j),
      ['calendars.always: expected a calendar object, got "24x7"'],
    ],
    [
      'an unknown calendar type',
      (j) => ((j.calendars.always.type = '24/7'), j),
      ['calendars.always.type: expected "24x7" or "business", got "24/7"'],
    ],
    [
      'a missing calendar type',
      (j) => (delete j.calendars.always.type, j),
      ['calendars.always.type: expected "24x7" or "business", got nothing'],
    ],
    [
      'an unknown key on a 24x7 calendar',
      (j) => ((j.calendars.always.timezone = 'UTC'), j),
      ['calendars.always.timezone: unknown key; expected one of type'],
    ],
    [
      'an unknown key on a business calendar',
      (j) => ((j.calendars.business.holiday = []), j),
      ['calendars.business.holiday: unknown key; expected one of type, timezone, week, holidays'],
    ],
    [
      'an invalid time zone',
      (j) => ((j.calendars.business.timezone = 'Asia/Beijing'), j),
      ['calendars.business.timezone: "Asia/Beijing" is not a valid IANA time zone'],
    ],
    [
      'an offset instead of a zone',
      (j) => ((j.calendars.business.timezone = '+08:00'), j),
      ['calendars.business.timezone: "+08:00" is not a valid IANA time zone'],
    ],
    [
      'a missing time zone',
      (j) => (delete j.calendars.business.timezone, j),
      ['calendars.business.timezone: expected an IANA time zone name such as "Asia/Shanghai", got nothing'],
    ],
    [
      'a missing week',
      (j) => (delete j.calendars.business.week, j),
      ['calendars.business.week: expected an object of weekdays (mon..sun) to intervals, got nothing'],
    ],
    [
      'an unknown weekday',
      (j) => ((j.calendars.business.week.monday = []), j),
      ['calendars.business.week.monday: unknown key; expected one of mon, tue, wed, thu, fri, sat, sun'],
    ],
    [
      'a day that is not an array',
      (j) => ((j.calendars.business.week.mon = '09:00-18:00'), j),
      ['calendars.business.week.mon: expected an array of "HH:MM-HH:MM" intervals, got "09:00-18:00"'],
    ],
    [
      'an interval that is not a string',
      (j) => ((j.calendars.business.week.tue[1] = 13), j),
      ['calendars.business.week.tue[1]: expected an interval "HH:MM-HH:MM", got 13'],
    ],
    [
      'a malformed interval',
      (j) => ((j.calendars.business.week.mon[0] = '9:00-12:00'), j),
      ['calendars.business.week.mon[0]: "9:00-12:00" is not an interval "HH:MM-HH:MM"'],
    ],
    [
      'an hour out of range',
      (j) => ((j.calendars.business.week.mon[0] = '24:00-24:00'), j),
      ['calendars.business.week.mon[0]: "24:00-24:00" has a time out of range (hours 00-23, minutes 00-59; an end may be 24:00)'],
    ],
    [
      'minutes out of range',
      (j) => ((j.calendars.business.week.mon[0] = '09:60-12:00'), j),
      ['calendars.business.week.mon[0]: "09:60-12:00" has a time out of range (hours 00-23, minutes 00-59; an end may be 24:00)'],
    ],
    [
      'an end past 24:00',
      (j) => ((j.calendars.business.week.mon[1] = '13:00-24:30'), j),
      ['calendars.business.week.mon[1]: "13:00-24:30" has a time out of range (hours 00-23, minutes 00-59; an end may be 24:00)'],
    ],
    [
      'an interval that ends before it starts',
      (j) => ((j.calendars.business.week.mon[1] = '18:00-13:00'), j),
      ['calendars.business.week.mon[1]: "18:00-13:00" must start before it ends (an interval cannot cross midnight; split it)'],
    ],
    [
      'an empty interval',
      (j) => ((j.calendars.business.week.mon[1] = '13:00-13:00'), j),
      ['calendars.business.week.mon[1]: "13:00-13:00" must start before it ends (an interval cannot cross midnight; split it)'],
    ],
    [
      'overlapping intervals',
      (j) => ((j.calendars.business.week.wed = ['09:00-12:00', '11:00-14:00']), j),
      ['calendars.business.week.wed[1]: "11:00-14:00" overlaps "09:00-12:00"'],
    ],
    [
      'an interval inside a long one, written first',
      (j) => ((j.calendars.business.week.wed = ['10:00-11:00', '12:00-13:00', '09:00-18:00']), j),
      [
        'calendars.business.week.wed[2]: "09:00-18:00" overlaps "10:00-11:00"',
        'calendars.business.week.wed[2]: "09:00-18:00" overlaps "12:00-13:00"',
      ],
    ],
    [
      'a week without working time',
      (j) => ((j.calendars.business.week = { sat: [], sun: [] }), j),
      ['calendars.business.week: has no working time on any weekday, so no target could ever be reached'],
    ],
    [
      'holidays that are not an array',
      (j) => ((j.calendars.business.holidays = '2026-10-01'), j),
      ['calendars.business.holidays: expected an array of dates "YYYY-MM-DD", got "2026-10-01"'],
    ],
    [
      'an impossible holiday date',
      (j) => ((j.calendars.business.holidays = ['2026-10-01', '2026-02-30']), j),
      ['calendars.business.holidays[1]: "2026-02-30" is not a date "YYYY-MM-DD"'],
    ],
    [
      'a holiday in another format',
      (j) => ((j.calendars.business.holidays = ['01/10/2026']), j),
      ['calendars.business.holidays[0]: "01/10/2026" is not a date "YYYY-MM-DD"'],
    ],
    [
      'an awkward calendar name, quoted in the path',
      (j) => ((j.calendars['night shift'] = { type: 'weekly' }), j),
      ['calendars["night shift"].type: expected "24x7" or "business", got "weekly"'],
    ],
    // Priorities
    [
      'priorities that are not an object',
      (j) => ((j.priorities = []), j),
      ['priorities: expected an object with P1, P2, P3 and P4, got an array'],
    ],
    [
      'an unknown priority',
      (j) => ((j.priorities.P5 = j.priorities.P4), j),
      ['priorities.P5: unknown key; expected one of P1, P2, P3, P4'],
    ],
    [
      'a priority that is not an object',
      (j) => ((j.priorities.P1 = 'PT1H'), j),
      ['priorities.P1: expected an object with calendar, firstResponse, update, resolution, got "PT1H"'],
    ],
    [
      'an unknown key in a priority',
      (j) => ((j.priorities.P1.response = 'PT1H'), j),
      ['priorities.P1.response: unknown key; expected one of calendar, firstResponse, update, resolution'],
    ],
    [
      'an undefined calendar',
      (j) => ((j.priorities.P3.calendar = 'office'), j),
      ['priorities.P3.calendar: "office" is not a defined calendar (defined: always, business)'],
    ],
    [
      'a calendar that is not a name',
      (j) => ((j.priorities.P3.calendar = { type: '24x7' }), j),
      ['priorities.P3.calendar: expected the name of a calendar, got an object'],
    ],
    [
      'an inherited property as calendar name',
      (j) => ((j.priorities.P3.calendar = 'toString'), j),
      ['priorities.P3.calendar: "toString" is not a defined calendar (defined: always, business)'],
    ],
    [
      'a duration in words',
      (j) => ((j.priorities.P2.resolution = '5 days'), j),
      ['priorities.P2.resolution: "5 days" is not an ISO 8601 duration'],
    ],
    ['a zero duration', (j) => ((j.priorities.P2.update = 'PT0S'), j), ['priorities.P2.update: "PT0S" must be a positive duration']],
    ['a negative duration', (j) => ((j.priorities.P2.update = 'PT-1H'), j), ['priorities.P2.update: "PT-1H" must be a positive duration']],
    [
      'a number of milliseconds',
      (j) => ((j.priorities.P1.firstResponse = 900000), j),
      ['priorities.P1.firstResponse: expected an ISO 8601 duration such as "PT4H", got 900000'],
    ],
    [
      'a missing duration',
      (j) => (delete j.priorities.P4.update, j),
      ['priorities.P4.update: expected an ISO 8601 duration such as "PT4H", got nothing'],
    ],
    // Escalation
    ['an empty ladder', (j) => ((j.escalation = []), j), ['escalation: expected a non-empty array of steps, got an empty array']],
    [
      'a ladder that is not an array',
      (j) => ((j.escalation = { at: 1 }), j),
      ['escalation: expected a non-empty array of steps, got an object'],
    ],
    [
      'a step that is not an object',
      (j) => ((j.escalation[1] = 1), j),
      ['escalation[1]: expected a step object with at, action, to, got 1'],
    ],
    [
      'a zero threshold',
      (j) => ((j.escalation[0].at = 0), j),
      ['escalation[0].at: expected a number greater than 0 (a fraction of the target), got 0'],
    ],
    [
      'a threshold as text',
      (j) => ((j.escalation[0].at = '75%'), j),
      ['escalation[0].at: expected a number greater than 0 (a fraction of the target), got "75%"'],
    ],
    [
      'thresholds out of order',
      (j) => ((j.escalation[2].at = 1.0), j),
      ["escalation[2].at: 1 must be greater than the previous step's 1 (steps are in increasing order)"],
    ],
    [
      'an unknown action',
      (j) => ((j.escalation[1].action = 'page'), j),
      ['escalation[1].action: expected one of warn, escalate, got "page"'],
    ],
    [
      'an unknown target',
      (j) => ((j.escalation[3].to = 'ceo'), j),
      ['escalation[3].to: expected one of owner, team_lead, supervisor, manager, got "ceo"'],
    ],
    [
      'an unknown key in a step',
      (j) => ((j.escalation[0].channel = 'email'), j),
      ['escalation[0].channel: unknown key; expected one of at, action, to'],
    ],
  ])('reports %s at its path', (_case, breakIt, errors) => {
    expect(errorsOf(breakIt(policiesJson()))).toEqual(errors);
  });

  it('collects every error in one pass instead of stopping at the first', () => {
    const j = policiesJson();
    j.extra = true;
    j.calendars.business.timezone = 'Nowhere/Land';
    j.calendars.business.week.fri = ['17:00-09:00'];
    j.calendars.business.holidays = ['2026-13-01'];
    delete j.priorities.P2;
    j.priorities.P4.resolution = 'two weeks';
    j.escalation[3].at = 1.2;
    j.escalation[3].to = 'nobody';
    expect(errorsOf(j)).toEqual([
      'extra: unknown key; expected one of calendars, priorities, escalation',
      'calendars.business.timezone: "Nowhere/Land" is not a valid IANA time zone',
      'calendars.business.week.fri[0]: "17:00-09:00" must start before it ends (an interval cannot cross midnight; split it)',
      'calendars.business.holidays[0]: "2026-13-01" is not a date "YYYY-MM-DD"',
      'priorities.P2: missing; every priority P1..P4 needs a policy',
      'priorities.P4.resolution: "two weeks" is not an ISO 8601 duration',
      "escalation[3].at: 1.2 must be greater than the previous step's 1.5 (steps are in increasing order)",
      'escalation[3].to: expected one of owner, team_lead, supervisor, manager, got "nobody"',
    ]);
  });

  it('accepts touching intervals, a 24:00 end, an omitted holiday list and empty days', () => {
    const j = policiesJson();
    j.calendars.business.week = { mon: ['13:00-24:00', '00:00-09:00', '09:00-13:00'], sun: [] };
    delete j.calendars.business.holidays;
    expect(errorsOf(j)).toEqual([]);
  });
});

describe('DEFAULT_SLA_POLICIES', () => {
  it('is valid', () => {
    expect(parseSlaPolicies(DEFAULT_SLA_POLICIES)).toEqual({ ok: true, policies: DEFAULT_SLA_POLICIES });
  });

  it('is exactly config/sla-policies.json, the file users copy', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../../../config/sla-policies.json'), 'utf8'));
    expect(file).toStrictEqual(structuredClone(DEFAULT_SLA_POLICIES));
    expect(parseSlaPolicies(file).ok).toBe(true);
  });

  it('cannot be changed in place by one of its users', () => {
    expect(() => {
      (DEFAULT_SLA_POLICIES.priorities.P1 as { resolution: string }).resolution = 'PT1H';
    }).toThrow(TypeError);
  });

  it('gives the common targets in working milliseconds', () => {
    expect(slaTargetsMs(DEFAULT_SLA_POLICIES, 'P1')).toEqual({ firstResponse: 15 * 60_000, update: 1 * H, resolution: 4 * H });
    expect(slaTargetsMs(DEFAULT_SLA_POLICIES, 'P2')).toEqual({ firstResponse: 1 * H, update: 4 * H, resolution: 24 * H });
    expect(slaTargetsMs(DEFAULT_SLA_POLICIES, 'P3')).toEqual({ firstResponse: 4 * H, update: 8 * H, resolution: 40 * H });
    expect(slaTargetsMs(DEFAULT_SLA_POLICIES, 'P4')).toEqual({ firstResponse: 8 * H, update: 16 * H, resolution: 80 * H });
  });

  it('makes a P3 resolution one working week on the business calendar', () => {
    const cal = WorkCalendar.from(DEFAULT_SLA_POLICIES.calendars.business);
    const monday = Date.parse('2026-01-05T09:00:00+08:00');
    expect(cal.addWorkingTime(monday, slaTargetsMs(DEFAULT_SLA_POLICIES, 'P3').resolution)).toBe(Date.parse('2026-01-09T18:00:00+08:00'));
  });
});

describe('slaTargetsMs', () => {
  it('throws on policies that were never validated', () => {
    const broken = policiesJson();
    broken.priorities.P2.resolution = '5 days';
    expect(() => slaTargetsMs(broken, 'P2')).toThrow('SLA policy P2.resolution "5 days" is not a positive ISO 8601 duration');
  });
});
