import { ApprovalLevel, decisionRefusal, evaluateLevel, newLevel, pendingApprovers, seatOf } from './approval';

/** A level whose approver bob delegated to mike when it opened. */
function delegated(rule: 'all' | 'any' = 'all'): ApprovalLevel {
  const level = newLevel({ name: 'managers', rule, approvers: ['mike', 'sue'] });
  level.delegations = [{ from: 'bob', to: 'mike', at: '2026-01-01T00:00:00.000Z' }];
  level.status = 'pending';
  return level;
}

describe('delegated seats', () => {
  it('a delegate stands for the delegator, and a manager escalated from the delegate does too', () => {
    const level = delegated();
    level.escalations.push({ from: 'mike', to: 'grace', at: '2026-01-02T00:00:00.000Z' });
    expect(seatOf(level, 'mike')).toBe('bob');
    expect(seatOf(level, 'grace')).toBe('bob');
    expect(seatOf(level, 'sue')).toBe('sue');
  });

  it("the delegate's decision fills the delegator's seat: no longer pending, not decided twice through escalation", () => {
    const level = delegated();
    level.approvers.push('grace');
    level.escalations.push({ from: 'mike', to: 'grace', at: '2026-01-02T00:00:00.000Z' });
    level.decisions.push({ approverId: 'mike', decision: 'approve', comment: null, at: '2026-01-03T00:00:00.000Z', onBehalfOf: 'bob' });
    expect(pendingApprovers(level)).toEqual(['sue']);
    expect(decisionRefusal(level, 'grace', [])).toBe('already_decided');
    expect(evaluateLevel(level)).toBe('pending');
    level.decisions.push({ approverId: 'sue', decision: 'approve', comment: null, at: '2026-01-03T00:00:00.000Z', onBehalfOf: null });
    expect(evaluateLevel(level)).toBe('approved');
  });

  it('levels without delegations keep their seats as before', () => {
    const level = newLevel({ name: 'cab', rule: 'n_of_m', n: 2, approvers: ['carol', 'dave', 'erin'] });
    level.escalations.push({ from: 'carol', to: 'mike', at: '2026-01-02T00:00:00.000Z' });
    expect(seatOf(level, 'mike')).toBe('carol');
    expect(pendingApprovers(level)).toEqual(['carol', 'dave', 'erin']);
  });
});
