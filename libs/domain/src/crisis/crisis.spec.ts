import { closeBlockers, CrisisAction, CrisisNotice, CrisisStatement, decideStatement, nextHoldingReminder, PostMortem, sendNotices, statementApproval, statementDecisionRefusal } from './crisis';

const AT = '2026-03-02T08:00:00.000Z';
const LATER = '2026-03-02T09:00:00.000Z';

function statement(overrides: Partial<CrisisStatement> = {}): CrisisStatement {
  return {
    id: 's-1',
    number: 1,
    kind: 'holding',
    audience: ['employees', 'customers'],
    text: 'We are aware of the outage and are working on it.',
    status: 'pending_approval',
    draftedBy: 'priya',
    draftedAt: AT,
    approval: statementApproval('priya', 'leo', AT),
    publishedAt: null,
    rejectedAt: null,
    ...overrides,
  };
}

function notice(group: CrisisNotice['group'], status: CrisisNotice['status'] = 'pending'): CrisisNotice {
  return { group, dueAt: AT, status, sentAt: null, statementId: null, overdueAt: status === 'overdue' ? AT : null };
}

describe('statement approval (one voice)', () => {
  it('waits for both the comms lead and legal, then publishes', () => {
    const s = statement();
    expect(s.approval).toMatchObject({ rule: 'all', required: 2, approvers: ['priya', 'leo'], status: 'pending' });
    expect(decideStatement(s, 'leo', 'approve', null, AT)).toBe('pending_approval');
    expect(s).toMatchObject({ status: 'pending_approval', publishedAt: null });
    expect(decideStatement(s, 'priya', 'approve', 'go', LATER)).toBe('published');
    expect(s).toMatchObject({ status: 'published', publishedAt: LATER, rejectedAt: null });
    expect(s.approval).toMatchObject({ status: 'approved', decidedAt: LATER });
  });

  it('is rejected by one rejection, whoever gives it', () => {
    const s = statement();
    expect(decideStatement(s, 'priya', 'approve', null, AT)).toBe('pending_approval');
    expect(decideStatement(s, 'leo', 'reject', 'Admits liability', LATER)).toBe('rejected');
    expect(s).toMatchObject({ status: 'rejected', rejectedAt: LATER, publishedAt: null });
  });

  it('lets nobody but the two approvers decide, the drafter-commander included', () => {
    const s = statement({ draftedBy: 'sue' });
    expect(statementDecisionRefusal(s, 'sue')).toBe('not_an_approver');
    expect(statementDecisionRefusal(s, 'grace')).toBe('not_an_approver');
    expect(statementDecisionRefusal(s, 'priya')).toBeNull();
    expect(statementDecisionRefusal(s, 'leo')).toBeNull();
  });

  it('still needs the comms lead when the comms lead drafted it', () => {
    const s = statement({ draftedBy: 'priya' });
    decideStatement(s, 'leo', 'approve', null, AT);
    expect(s.status).toBe('pending_approval');
    expect(statementDecisionRefusal(s, 'priya')).toBeNull();
  });

  it('refuses a second decision by the same approver and any decision once settled', () => {
    const s = statement();
    decideStatement(s, 'leo', 'approve', null, AT);
    expect(statementDecisionRefusal(s, 'leo')).toBe('already_decided');
    decideStatement(s, 'priya', 'approve', null, AT);
    expect(statementDecisionRefusal(s, 'priya')).toBe('not_pending');
    expect(statementDecisionRefusal(s, 'sue')).toBe('not_an_approver');
  });
});

describe('sendNotices', () => {
  it("marks the audience's pending and overdue notices sent, and leaves the other groups alone", () => {
    const notices = [notice('employees'), notice('customers', 'overdue'), notice('media'), notice('partners', 'sent')];
    notices[3].sentAt = AT;
    expect(sendNotices(notices, ['employees', 'customers', 'partners'], 's-2', LATER)).toEqual(['employees', 'customers']);
    expect(notices.map((n) => [n.group, n.status, n.sentAt, n.statementId])).toEqual([
      ['employees', 'sent', LATER, 's-2'],
      ['customers', 'sent', LATER, 's-2'],
      ['media', 'pending', null, null],
      ['partners', 'sent', AT, null],
    ]);
    // An overdue notice keeps the record of when it went overdue.
    expect(notices[1].overdueAt).toBe(AT);
  });

  it('sends nothing for a group the crisis has no notice for', () => {
    expect(sendNotices([notice('employees')], ['regulators'], 's-3', LATER)).toEqual([]);
  });
});

describe('closeBlockers', () => {
  const pm = (status: PostMortem['status']): PostMortem => ({
    summary: 's',
    rootCause: 'r',
    lessons: ['l'],
    submittedBy: 'sue',
    submittedAt: AT,
    revision: 1,
    status,
    decisions: [],
  });
  const action = (status: CrisisAction['status']): CrisisAction => ({
    id: 'a',
    title: 'Call back',
    ownerId: 'sam',
    dueAt: LATER,
    status,
    createdBy: 'sue',
    createdAt: AT,
    completedAt: null,
    completionNote: null,
    overdueAt: null,
  });
  const final = (status: CrisisStatement['status']) => statement({ kind: 'final', status });

  it('names everything still missing', () => {
    expect(closeBlockers({ postMortem: null, statements: [], actions: [] })).toEqual(['post_mortem_approved', 'final_statement_published']);
    expect(closeBlockers({ postMortem: pm('in_review'), statements: [final('pending_approval'), statement({ status: 'published' })], actions: [action('open')] })).toEqual([
      'post_mortem_approved',
      'final_statement_published',
      'actions_complete',
    ]);
  });

  it('is empty once the post-mortem is approved, a final statement published and every action done', () => {
    expect(closeBlockers({ postMortem: pm('approved'), statements: [final('rejected'), final('published')], actions: [action('done'), action('done')] })).toEqual([]);
    expect(closeBlockers({ postMortem: pm('changes_requested'), statements: [final('published')], actions: [] })).toEqual(['post_mortem_approved']);
  });
});

describe('nextHoldingReminder', () => {
  it('gives the reminders in turn, then none', () => {
    expect(nextHoldingReminder([10, 20], 0)).toBe(10);
    expect(nextHoldingReminder([10, 20], 1)).toBe(20);
    expect(nextHoldingReminder([10, 20], 2)).toBeNull();
    expect(nextHoldingReminder([], 0)).toBeNull();
  });
});
