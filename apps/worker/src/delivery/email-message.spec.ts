import { caseLink, formatDue, renderEmail } from './email-message';

const payload = (message: string, dueAt: string | null, caseId = '11111111-1111-4111-8111-111111111111') => ({
  to: { id: 'bob', name: 'Bob Huang', email: 'bob@example.com' },
  caseType: 'change_request',
  caseId,
  kind: 'approval_requested',
  message,
  createdAt: '2026-12-01T09:00:00.000Z',
  task: dueAt ? { kind: 'approve_change', title: 'Approve (manager): Rotate TLS certificates', dueAt } : null,
});

describe('notification emails', () => {
  it('shows the due time in the reader\'s zone, naming the zone', () => {
    expect(formatDue('2026-12-03T09:00:00.000Z', 'Asia/Shanghai')).toBe('Thursday 3 December 2026, 17:00 (Asia/Shanghai)');
    expect(formatDue('2026-12-03T09:00:00.000Z', 'UTC')).toBe('Thursday 3 December 2026, 09:00 (UTC)');
  });

  it('links to the case in the console', () => {
    expect(caseLink('https://steward.example.com', 'change_request', 'abc')).toBe('https://steward.example.com/view/change-requests/abc');
  });

  it('says the message, the action wanted, the due time and the link, in text and in HTML', () => {
    const m = renderEmail([{ id: 'row-1', payload: payload('Your approval is requested (manager): <Rotate>', '2026-12-03T09:00:00.000Z') }], 'http://localhost:3000', 'Asia/Shanghai');
    expect(m.to).toBe('Bob Huang <bob@example.com>');
    expect(m.idempotencyId).toBe('row-1');
    for (const part of ['Action wanted: Approve (manager): Rotate TLS certificates', 'Due: Thursday 3 December 2026, 17:00 (Asia/Shanghai)', 'http://localhost:3000/view/change-requests/']) {
      expect(m.text).toContain(part);
    }
    expect(m.html).toContain('&lt;Rotate&gt;');
    expect(m.html).not.toContain('<Rotate>');
    expect(m.html).toContain('href="http://localhost:3000/view/change-requests/11111111-1111-4111-8111-111111111111"');
  });

  it('combines a digest into one message listing every reminder', () => {
    const rows = ['a', 'b', 'c'].map((n, i) => ({ id: `row-${n}`, payload: payload(`Reminder ${n}`, null, `1111111${i}-1111-4111-8111-111111111111`) }));
    const m = renderEmail(rows, 'http://localhost:3000', 'UTC');
    expect(m.subject).toBe('[Steward] 3 reminders: approvals waiting for you');
    expect(m.text).toMatch(/1\. Reminder a[\s\S]*2\. Reminder b[\s\S]*3\. Reminder c/);
    expect(m.text).toContain('Action wanted: None: for your information');
    expect(m.idempotencyId).toBe('row-a');
  });
});
