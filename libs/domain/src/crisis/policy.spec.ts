import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_CRISIS_POLICY, holdingSchedule, noticeSchedule, parseCrisisPolicy, updateEveryMs } from './policy';

const H = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');

/** Untrusted JSON shaped like the policy, for tests to spoil. */
interface PolicyJson {
  [key: string]: unknown;
  stakeholders: Record<string, Record<string, unknown>>;
}

/** The contract's example, as a fresh mutable object. */
const policyJson = (): PolicyJson => JSON.parse(JSON.stringify(DEFAULT_CRISIS_POLICY));

const errorsOf = (json: unknown): string[] => {
  const r = parseCrisisPolicy(json);
  return r.ok ? [] : r.errors;
};

describe('parseCrisisPolicy', () => {
  it('accepts the contract example and returns a copy independent of the input', () => {
    const json = policyJson();
    const r = parseCrisisPolicy(json);
    expect(r).toEqual({ ok: true, policy: DEFAULT_CRISIS_POLICY });
    json.stakeholders.media.major = 'PT1H';
    json.holdingReminders = [0.5, 0.83, 0.9];
    expect(r.ok && r.policy.stakeholders.media.major).toBe('PT24H');
    expect(r.ok && r.policy.holdingReminders).toEqual([0.5, 0.83]);
  });

  it('refuses what is not an object', () => {
    expect(errorsOf([])).toEqual(['(root): expected an object with holdingStatementWithin, holdingReminders, updateEvery, stakeholders, got an array']);
    expect(errorsOf(null)).toHaveLength(1);
  });

  it('names every bad entry at once, each by its path', () => {
    const j = policyJson();
    j.holdingStatementWithin = '24 hours';
    j.holdingReminders = [0.5, 1.2, 0.4];
    j.updateEvery = { major: 'PT4H', general: null, weekly: 'P7D' };
    j.stakeholders.media.major = 'soon';
    j.stakeholders.regulators = { major: 'PT72H' };
    j.stakeholders.investors = { major: 'PT1H', general: null };
    delete j.stakeholders.partners;
    j.holiday = true;
    expect(errorsOf(j)).toEqual([
      'holiday: unknown key; expected one of holdingStatementWithin, holdingReminders, updateEvery, stakeholders',
      'holdingStatementWithin: "24 hours" is not a positive ISO 8601 duration (e.g. PT24H, P2D)',
      'holdingReminders[1]: expected a fraction greater than 0 and less than 1, got 1.2',
      'holdingReminders[2]: 0.4 must be greater than the reminder before it (1.2)',
      'updateEvery.weekly: unknown key; expected one of major, general',
      'updateEvery.general: null is not a positive ISO 8601 duration (e.g. PT24H, P2D)',
      'stakeholders.investors: unknown key; expected one of employees, customers, partners, suppliers, regulators, media',
      'stakeholders.partners: missing; every group needs a deadline per level (null: need not be told)',
      'stakeholders.regulators.general: missing; give a duration or null',
      'stakeholders.media.major: "soon" is not a positive ISO 8601 duration (e.g. PT24H, P2D)',
    ]);
  });

  it('wants reminders in ascending order, and refuses zero and negative durations', () => {
    const j = policyJson();
    j.holdingReminders = [0.8, 0.5];
    j.holdingStatementWithin = 'PT0S';
    j.stakeholders.employees.general = '-PT1H';
    expect(errorsOf(j)).toEqual([
      'holdingStatementWithin: "PT0S" is not a positive ISO 8601 duration (e.g. PT24H, P2D)',
      'holdingReminders[1]: 0.5 must be greater than the reminder before it (0.8)',
      'stakeholders.employees.general: "-PT1H" is not a positive ISO 8601 duration (e.g. PT24H, P2D)',
    ]);
  });

  it('accepts no reminders at all and null deadlines at both levels', () => {
    const j = policyJson();
    j.holdingReminders = [];
    j.stakeholders.suppliers = { major: null, general: null };
    expect(errorsOf(j)).toEqual([]);
  });

  it('refuses holdingReminders that is not an array, and updateEvery that is not an object', () => {
    const j = policyJson();
    j.holdingReminders = 0.5;
    j.updateEvery = 'PT4H';
    expect(errorsOf(j)).toEqual([
      'holdingReminders: expected an array of fractions of holdingStatementWithin (e.g. [0.5, 0.83]), got 0.5',
      'updateEvery: expected an object with major and general, got "PT4H"',
    ]);
  });
});

describe('DEFAULT_CRISIS_POLICY', () => {
  it('is exactly config/crisis-policy.json, the file users copy', () => {
    const file = JSON.parse(readFileSync(join(__dirname, '../../../../config/crisis-policy.json'), 'utf8'));
    expect(file).toStrictEqual(structuredClone(DEFAULT_CRISIS_POLICY));
    expect(parseCrisisPolicy(file).ok).toBe(true);
  });

  it('cannot be changed in place by one of its users', () => {
    expect(() => {
      (DEFAULT_CRISIS_POLICY.stakeholders.media as { major: string | null }).major = 'PT1H';
    }).toThrow(TypeError);
  });
});

describe('deadlines of a crisis', () => {
  it('puts the holding statement 24 h after the declaration, with reminders at 50 % and 83 %', () => {
    expect(holdingSchedule(DEFAULT_CRISIS_POLICY, T0)).toEqual({ dueAt: T0 + 24 * H, reminders: [T0 + 12 * H, T0 + Math.round(0.83 * 24 * H)] });
  });

  it('gives a major crisis a notice for every group, and a general one none for regulators and media', () => {
    expect(noticeSchedule(DEFAULT_CRISIS_POLICY, 'major', T0)).toEqual([
      { group: 'employees', dueAt: T0 + 2 * H },
      { group: 'customers', dueAt: T0 + 24 * H },
      { group: 'partners', dueAt: T0 + 24 * H },
      { group: 'suppliers', dueAt: T0 + 48 * H },
      { group: 'regulators', dueAt: T0 + 72 * H },
      { group: 'media', dueAt: T0 + 24 * H },
    ]);
    expect(noticeSchedule(DEFAULT_CRISIS_POLICY, 'general', T0)).toEqual([
      { group: 'employees', dueAt: T0 + 8 * H },
      { group: 'customers', dueAt: T0 + 48 * H },
      { group: 'partners', dueAt: T0 + 72 * H },
      { group: 'suppliers', dueAt: T0 + 120 * H },
    ]);
  });

  it('asks for updates every 4 h in a major crisis and every 12 h in a general one', () => {
    expect(updateEveryMs(DEFAULT_CRISIS_POLICY, 'major')).toBe(4 * H);
    expect(updateEveryMs(DEFAULT_CRISIS_POLICY, 'general')).toBe(12 * H);
  });
});
