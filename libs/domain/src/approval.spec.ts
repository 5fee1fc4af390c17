import { ApprovalDecision, ApprovalLevel, Decision, decisionRefusal, evaluateLevel, LevelSpec, newLevel, pendingApprovers } from './approval';

const AT = '2026-01-01T09:00:00.000Z';

function decision(approverId: string, choice: Decision, onBehalfOf: string | null = null): ApprovalDecision {
  return { approverId, decision: choice, comment: choice === 'approve' ? null : 'see comment', at: AT, onBehalfOf };
}

/** A pending level as the workflow holds it, with the given decisions and escalations. */
function level(spec: LevelSpec, extra: Partial<Pick<ApprovalLevel, 'decisions' | 'escalations' | 'approvers'>> = {}): ApprovalLevel {
  return { ...newLevel(spec), status: 'pending', startedAt: AT, ...extra };
}

describe('newLevel', () => {
  it.each<[string, LevelSpec, number]>([
    ['all: every approver', { name: 'l', rule: 'all', approvers: ['a', 'b', 'c'] }, 3],
    ['any: one approver', { name: 'l', rule: 'any', approvers: ['a', 'b', 'c'] }, 1],
    ['n_of_m: n approvers', { name: 'l', rule: 'n_of_m', n: 2, approvers: ['a', 'b', 'c'] }, 2],
    ['n_of_m without n: one approver', { name: 'l', rule: 'n_of_m', approvers: ['a', 'b', 'c'] }, 1],
    ['n_of_m capped at the number of approvers', { name: 'l', rule: 'n_of_m', n: 5, approvers: ['a', 'b'] }, 2],
    ['any capped at zero when nobody can approve', { name: 'l', rule: 'any', approvers: [] }, 0],
    ['all ignores n', { name: 'l', rule: 'all', n: 1, approvers: ['a', 'b'] }, 2],
    ['any ignores n', { name: 'l', rule: 'any', n: 3, approvers: ['a', 'b', 'c'] }, 1],
  ])('requires %s', (_label, spec, required) => {
    expect(newLevel(spec).required).toBe(required);
  });

  it('starts waiting, with no decisions, escalations or timestamps', () => {
    expect(newLevel({ name: 'cab', rule: 'n_of_m', n: 2, approvers: ['a', 'b', 'c'] })).toEqual({
      name: 'cab',
      rule: 'n_of_m',
      required: 2,
      approvers: ['a', 'b', 'c'],
      escalations: [],
      decisions: [],
      status: 'waiting',
      startedAt: null,
      decidedAt: null,
    });
  });

  it('copies the approver list, so later changes to the spec do not leak into the level', () => {
    const approvers = ['a', 'b'];
    const created = newLevel({ name: 'l', rule: 'all', approvers });
    approvers.push('c');
    expect(created.approvers).toEqual(['a', 'b']);
  });
});

describe('evaluateLevel', () => {
  const anyOfThree: LevelSpec = { name: 'manager', rule: 'any', approvers: ['ann', 'bob', 'cat'] };
  const allOfTwo: LevelSpec = { name: 'board', rule: 'all', approvers: ['ann', 'bob'] };
  const twoOfThree: LevelSpec = { name: 'cab', rule: 'n_of_m', n: 2, approvers: ['ann', 'bob', 'cat'] };

  it('is pending while nobody has decided', () => {
    expect(evaluateLevel(level(anyOfThree))).toBe('pending');
  });

  it('any: one approval approves', () => {
    expect(evaluateLevel(level(anyOfThree, { decisions: [decision('bob', 'approve')] }))).toBe('approved');
  });

  it('all: one of two approvals is still pending', () => {
    expect(evaluateLevel(level(allOfTwo, { decisions: [decision('ann', 'approve')] }))).toBe('pending');
  });

  it('all: approvals from every approver approve', () => {
    expect(evaluateLevel(level(allOfTwo, { decisions: [decision('ann', 'approve'), decision('bob', 'approve')] }))).toBe('approved');
  });

  it('all: an escalation approver deciding on behalf of a stalled approver fills that seat', () => {
    // bob stalled; his manager max was added as an approver and approves in bob's place.
    const escalated = level(allOfTwo, {
      approvers: ['ann', 'bob', 'max'],
      escalations: [{ from: 'bob', to: 'max', at: AT }],
      decisions: [decision('ann', 'approve'), decision('max', 'approve', 'bob')],
    });
    expect(escalated.required).toBe(2);
    expect(evaluateLevel(escalated)).toBe('approved');
  });

  it('all: the stalled approver and their escalation approver both approving still fills only one seat', () => {
    const escalated = level(allOfTwo, {
      approvers: ['ann', 'bob', 'max'],
      escalations: [{ from: 'bob', to: 'max', at: AT }],
      decisions: [decision('bob', 'approve'), decision('max', 'approve', 'bob')],
    });
    expect(evaluateLevel(escalated)).toBe('pending');
  });

  it('n_of_m: one approval of the two needed is pending', () => {
    expect(evaluateLevel(level(twoOfThree, { decisions: [decision('ann', 'approve')] }))).toBe('pending');
  });

  it('n_of_m: two approvals from distinct users approve', () => {
    expect(evaluateLevel(level(twoOfThree, { decisions: [decision('ann', 'approve'), decision('cat', 'approve')] }))).toBe('approved');
  });

  it('n_of_m: the same user approving twice counts once', () => {
    expect(evaluateLevel(level(twoOfThree, { decisions: [decision('ann', 'approve'), decision('ann', 'approve')] }))).toBe('pending');
  });

  it.each<[string, LevelSpec]>([
    ['any', anyOfThree],
    ['all', allOfTwo],
    ['n_of_m', twoOfThree],
  ])('%s: a single rejection rejects the level', (_rule, spec) => {
    expect(evaluateLevel(level(spec, { decisions: [decision('ann', 'reject')] }))).toBe('rejected');
  });

  it.each<[string, LevelSpec]>([
    ['any', anyOfThree],
    ['all', allOfTwo],
    ['n_of_m', twoOfThree],
  ])('%s: a request for changes sends the case back', (_rule, spec) => {
    expect(evaluateLevel(level(spec, { decisions: [decision('ann', 'request_changes')] }))).toBe('changes_requested');
  });

  it('a rejection wins over enough approvals, whatever the order', () => {
    const decisions = [decision('ann', 'approve'), decision('bob', 'approve'), decision('cat', 'reject')];
    expect(evaluateLevel(level(twoOfThree, { decisions }))).toBe('rejected');
    expect(evaluateLevel(level(twoOfThree, { decisions: [...decisions].reverse() }))).toBe('rejected');
  });

  it('a rejection wins over a request for changes', () => {
    const decisions = [decision('ann', 'request_changes'), decision('bob', 'reject')];
    expect(evaluateLevel(level(twoOfThree, { decisions }))).toBe('rejected');
  });

  it('a request for changes wins over approvals', () => {
    const decisions = [decision('ann', 'approve'), decision('bob', 'approve'), decision('cat', 'request_changes')];
    expect(evaluateLevel(level(twoOfThree, { decisions }))).toBe('changes_requested');
  });
});

describe('pendingApprovers', () => {
  const spec: LevelSpec = { name: 'cab', rule: 'all', approvers: ['ann', 'bob', 'cat'] };

  it('lists every approver while nobody has decided', () => {
    expect(pendingApprovers(level(spec))).toEqual(['ann', 'bob', 'cat']);
  });

  it('leaves out approvers who have decided', () => {
    expect(pendingApprovers(level(spec, { decisions: [decision('bob', 'approve')] }))).toEqual(['ann', 'cat']);
  });

  it('leaves out escalation targets: only original seats are reminded or escalated', () => {
    const escalated = level(spec, { approvers: ['ann', 'bob', 'cat', 'max'], escalations: [{ from: 'bob', to: 'max', at: AT }] });
    expect(pendingApprovers(escalated)).toEqual(['ann', 'bob', 'cat']);
  });

  it('treats a seat decided by its escalation approver as decided', () => {
    const escalated = level(spec, {
      approvers: ['ann', 'bob', 'cat', 'max'],
      escalations: [{ from: 'bob', to: 'max', at: AT }],
      decisions: [decision('max', 'approve', 'bob'), decision('ann', 'approve')],
    });
    expect(pendingApprovers(escalated)).toEqual(['cat']);
  });

  it('is empty once everyone has decided', () => {
    const decisions = ['ann', 'bob', 'cat'].map((a) => decision(a, 'approve'));
    expect(pendingApprovers(level(spec, { decisions }))).toEqual([]);
  });
});

describe('decisionRefusal', () => {
  const spec: LevelSpec = { name: 'cab', rule: 'n_of_m', n: 2, approvers: ['ann', 'bob', 'cat'] };

  it('allows an approver who has not decided yet', () => {
    expect(decisionRefusal(level(spec), 'ann', [])).toBeNull();
  });

  it('refuses an excluded user (requester or implementer) for segregation of duties', () => {
    expect(decisionRefusal(level(spec), 'ann', ['ann'])).toBe('segregation_of_duties');
  });

  it('checks segregation of duties before anything else', () => {
    // Not an approver, and excluded: the exclusion is what gets reported.
    expect(decisionRefusal(level(spec), 'zed', ['zed'])).toBe('segregation_of_duties');
    // Already decided, and excluded: likewise.
    expect(decisionRefusal(level(spec, { decisions: [decision('ann', 'approve')] }), 'ann', ['ann'])).toBe('segregation_of_duties');
  });

  it('refuses someone who is not an approver of the level', () => {
    expect(decisionRefusal(level(spec), 'zed', ['req'])).toBe('not_an_approver');
  });

  it('refuses an approver who has already decided', () => {
    expect(decisionRefusal(level(spec, { decisions: [decision('bob', 'reject')] }), 'bob', [])).toBe('already_decided');
  });

  it('refuses the stalled approver once their escalation approver decided on their seat', () => {
    const escalated = level(spec, {
      approvers: ['ann', 'bob', 'cat', 'max'],
      escalations: [{ from: 'bob', to: 'max', at: AT }],
      decisions: [{ ...decision('max', 'approve'), onBehalfOf: 'bob' }],
    });
    expect(decisionRefusal(escalated, 'bob', [])).toBe('already_decided');
  });

  it('refuses the escalation approver once the stalled approver decided after all', () => {
    const escalated = level(spec, {
      approvers: ['ann', 'bob', 'cat', 'max'],
      escalations: [{ from: 'bob', to: 'max', at: AT }],
      decisions: [decision('bob', 'approve')],
    });
    expect(decisionRefusal(escalated, 'max', [])).toBe('already_decided');
  });

  it('allows an escalation approver who was added to the level', () => {
    const escalated = level(spec, { approvers: ['ann', 'bob', 'cat', 'max'], escalations: [{ from: 'bob', to: 'max', at: AT }] });
    expect(decisionRefusal(escalated, 'max', [])).toBeNull();
  });
});
