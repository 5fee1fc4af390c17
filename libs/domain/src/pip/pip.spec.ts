import {
  checkInDueAt,
  nextCheckInDueAt,
  checkInProblems,
  extensionProblem,
  isOpenPip,
  midpointAt,
  OPEN_PIP_STATUSES,
  PIP_STATUSES,
  pipActionRefusal,
  pipActorRole,
  pipTimelineProblems,
  TERMINAL_PIP_STATUSES,
} from './pip';
import { DEFAULT_PIP_POLICY, pipPolicyMs } from './policy';

const DAY = 86_400_000;
const policy = pipPolicyMs(DEFAULT_PIP_POLICY);
const people = { employeeId: 'alice', managerId: 'bob' };
const actor = (actorId: string, roles: string[] = []) => ({ actorId, roles });

describe('PIP statuses', () => {
  it('passed, separated, withdrawn and rejected end a plan; every other status is an open plan', () => {
    expect([...TERMINAL_PIP_STATUSES].sort()).toEqual(['passed', 'rejected', 'separated', 'withdrawn']);
    expect(OPEN_PIP_STATUSES).toHaveLength(PIP_STATUSES.length - 4);
    expect(isOpenPip('pending_separation_approval')).toBe(true);
    expect(isOpenPip('changes_requested')).toBe(true);
    expect(isOpenPip('withdrawn')).toBe(false);
  });
});

describe('pipTimelineProblems', () => {
  it('accepts a duration within the bounds and a shorter check-in cadence', () => {
    expect(pipTimelineProblems({ duration: 'P30D', checkInEvery: 'P7D' }, policy)).toEqual([]);
    expect(pipTimelineProblems({ duration: 'P180D', checkInEvery: 'P179D' }, policy)).toEqual([]);
  });

  it('names duration outside the bounds and checkInEvery not shorter than it', () => {
    expect(pipTimelineProblems({ duration: 'P29D', checkInEvery: 'P7D' }, policy).map((p) => p.field)).toEqual(['duration']);
    expect(pipTimelineProblems({ duration: 'P181D', checkInEvery: 'P7D' }, policy)[0].message).toMatch(/30 days to 180 days/);
    expect(pipTimelineProblems({ duration: 'P30D', checkInEvery: 'P30D' }, policy)).toEqual([{ field: 'checkInEvery', message: 'checkInEvery must be shorter than duration' }]);
    expect(pipTimelineProblems({ duration: 'soon', checkInEvery: 'weekly' }, policy).map((p) => p.field)).toEqual(['duration', 'checkInEvery']);
  });
});

describe('extensionProblem', () => {
  it('needs an extension no longer than maxExtension', () => {
    expect(extensionProblem('P30D', policy)).toBeNull();
    expect(extensionProblem(null, policy)).toEqual({ field: 'extension', message: 'extension is required when the outcome is extended' });
    expect(extensionProblem('P31D', policy)?.message).toMatch(/at most/);
    expect(extensionProblem('P0D', policy)?.field).toBe('extension');
  });
});

describe('checkInProblems', () => {
  it('names each index outside the goals, and each goal rated twice', () => {
    expect(checkInProblems([{ index: 0 }, { index: 2 }], 3)).toEqual([]);
    expect(checkInProblems([{ index: 0 }, { index: 3 }, { index: -1 }, { index: 0 }], 3).map((p) => p.field)).toEqual([
      'goals[1].index',
      'goals[2].index',
      'goals[3].index',
    ]);
    expect(checkInProblems([{ index: 1.5 }], 3)[0].message).toBe('goals[0].index must be between 0 and 2 (the plan has 3 goals)');
  });
});

describe('who may act', () => {
  it('the employee is only ever the employee, whatever roles they hold', () => {
    expect(pipActorRole(actor('alice', ['hr']), people)).toBe('employee');
    expect(pipActorRole(actor('bob', ['hr']), people)).toBe('manager');
    expect(pipActorRole(actor('hank', ['hr']), people)).toBe('hr');
    expect(pipActorRole(actor('sue', ['manager']), people)).toBeNull();
  });

  it('refuses with 403 before 409', () => {
    expect(pipActionRefusal('check_in', actor('bob'), people, 'active')).toBeNull();
    expect(pipActionRefusal('check_in', actor('bob'), people, 'pending_final_review')).toEqual({
      kind: 'conflict',
      message: 'cannot record a check-in while the plan is pending_final_review',
    });
    expect(pipActionRefusal('check_in', actor('hank', ['hr']), people, 'pending_final_review')?.kind).toBe('forbidden');
    expect(pipActionRefusal('withdraw', actor('alice', ['hr']), people, 'active')).toEqual({
      kind: 'forbidden',
      message: "only the employee's manager or HR may withdraw the plan (nobody acts on a plan about themselves)",
    });
  });

  it('gives each action to its people', () => {
    expect(pipActionRefusal('acknowledge', actor('alice'), people, 'awaiting_acknowledgement')).toBeNull();
    expect(pipActionRefusal('acknowledge', actor('bob'), people, 'awaiting_acknowledgement')?.kind).toBe('forbidden');
    expect(pipActionRefusal('comment', actor('alice'), people, 'pending_separation_approval')).toBeNull();
    expect(pipActionRefusal('comment', actor('alice'), people, 'passed')?.kind).toBe('conflict');
    expect(pipActionRefusal('withdraw', actor('hank', ['hr']), people, 'active')).toBeNull();
    expect(pipActionRefusal('withdraw', actor('bob'), people, 'pending_separation_approval')?.kind).toBe('conflict');
    expect(pipActionRefusal('midpoint_review', actor('hank', ['hr']), people, 'active')).toBeNull();
    expect(pipActionRefusal('outcome', actor('hank', ['hr']), people, 'pending_final_review')?.kind).toBe('forbidden');
    expect(pipActionRefusal('revise', actor('bob'), people, 'changes_requested')).toBeNull();
  });
});

describe('timeline', () => {
  it('schedules check-ins strictly before the end', () => {
    const start = Date.UTC(2026, 0, 1);
    const end = start + 30 * DAY;
    expect([1, 2, 3, 4, 5].map((n) => checkInDueAt(start, 7 * DAY, end, n))).toEqual([start + 7 * DAY, start + 14 * DAY, start + 21 * DAY, start + 28 * DAY, null]);
    expect(checkInDueAt(start, 10 * DAY, end, 3)).toBeNull();
  });

  it('tells when the next scheduled check-in falls due, for active plans only', () => {
    const start = Date.UTC(2026, 0, 1);
    const plan = { status: 'active', startsAt: new Date(start).toISOString(), endsAt: new Date(start + 30 * DAY).toISOString(), everyMs: 7 * DAY };
    expect(nextCheckInDueAt({ ...plan, scheduled: 0 })).toBe(start + 7 * DAY);
    expect(nextCheckInDueAt({ ...plan, scheduled: 3 })).toBe(start + 28 * DAY);
    expect(nextCheckInDueAt({ ...plan, scheduled: 4 })).toBeNull();
    expect(nextCheckInDueAt({ ...plan, scheduled: 0, status: 'pending_acknowledgement' })).toBeNull();
    expect(nextCheckInDueAt({ ...plan, scheduled: 0, startsAt: null })).toBeNull();
  });

  it('puts the mid-point at half the plan\'s own duration', () => {
    expect(midpointAt(1000, 30 * DAY)).toBe(1000 + 15 * DAY);
  });
});
