import { afterFailure, backoffMs, defaultChannels, digestKeyFor, groupIntoMessages, resolveChannels, wantsNotification, wantsStatement } from './notify-rules';

describe('channel resolution', () => {
  it('sends approval requests and SLA escalations by email and in-app by default, everything else in-app only', () => {
    expect(defaultChannels('approval_requested')).toEqual(['in_app', 'email']);
    expect(defaultChannels('sla_escalation')).toEqual(['in_app', 'email']);
    expect(defaultChannels('change_scheduled')).toEqual(['in_app']);
  });

  it("follows the user's own choice over the default, and keeps in-app whatever they chose", () => {
    const chosen = new Map([
      ['approval_requested', ['in_app']],
      ['change_scheduled', ['email']],
    ]);
    expect(resolveChannels('approval_requested', chosen)).toEqual(['in_app']);
    expect(resolveChannels('change_scheduled', chosen)).toEqual(['in_app', 'email']);
    expect(resolveChannels('sla_escalation', chosen)).toEqual(['in_app', 'email']);
  });
});

describe('backoff', () => {
  it('doubles per attempt within [half, full] of the window, capped', () => {
    expect(backoffMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(4, 1000, 60_000, () => 0)).toBe(4000);
    expect(backoffMs(4, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffMs(30, 1000, 60_000, () => 1)).toBe(60_000);
  });

  it('jitters: two failures at the same attempt do not retry at the same moment', () => {
    const seen = new Set(Array.from({ length: 20 }, (_, i) => backoffMs(3, 1000, 60_000, () => i / 20)));
    expect(seen.size).toBe(20);
  });

  it('gives up (dead letter) once the attempts reach the budget', () => {
    expect(afterFailure(7, 8)).toBe('retry');
    expect(afterFailure(8, 8)).toBe('dead');
  });
});

describe('digest grouping', () => {
  const row = (id: string, digestKey: string | null, at: number) => ({ id, digestKey, createdAt: new Date(at) });

  it('combines reminder emails of one user into one message, oldest first, and leaves the rest one message each', () => {
    const groups = groupIntoMessages([row('c', 'email:bob:reminders', 3), row('x', null, 1), row('a', 'email:bob:reminders', 1), row('m', 'email:mike:reminders', 2), row('y', null, 2)]);
    expect(groups.map((g) => g.map((r) => r.id))).toEqual([['a', 'c'], ['x'], ['m'], ['y']]);
  });

  it('digests reminder kinds sent by email only', () => {
    expect(digestKeyFor('email', 'bob', 'approval_reminder')).toBe('email:bob:reminders');
    expect(digestKeyFor('email', 'bob', 'approval_requested')).toBeNull();
    expect(digestKeyFor('webhook', null, 'approval_reminder')).toBeNull();
  });
});

describe('webhook subscription filters', () => {
  it('matches notification kinds by name or *', () => {
    expect(wantsNotification({ eventKinds: ['approval_requested'], audienceGroups: [] }, 'approval_requested')).toBe(true);
    expect(wantsNotification({ eventKinds: ['approval_requested'], audienceGroups: [] }, 'sla_warning')).toBe(false);
    expect(wantsNotification({ eventKinds: ['*'], audienceGroups: [] }, 'sla_warning')).toBe(true);
  });

  it('matches published statements by audience group (no groups: all)', () => {
    const media = { eventKinds: ['crisis_statement_published'], audienceGroups: ['media'] };
    expect(wantsStatement(media, ['customers', 'media'])).toBe(true);
    expect(wantsStatement(media, ['employees'])).toBe(false);
    expect(wantsStatement({ eventKinds: ['crisis_statement_published'], audienceGroups: [] }, ['employees'])).toBe(true);
    expect(wantsStatement({ eventKinds: ['*'], audienceGroups: [] }, ['employees'])).toBe(false);
  });
});
