import { expectError } from '../support/complaints';
import { DateTime } from 'luxon';
import { ChangeView, submitChange } from '../support/change-requests';
import { ReceivedMail, SmtpSink, startSmtpSink } from '../support/notify';
import { startSteward, Steward } from '../support/steward';
import { waitFor } from '../support/wait';

/**
 * Email through a real SMTP server (nodemailer's smtp-server, on an ephemeral port): the outbox is written with
 * the case commit, the worker's delivery loop sends it, preferences choose the channels, reminders are digested.
 * Who approves whom here: alice -> bob, lena -> sue, sam -> lena (each file has its own database).
 */

jest.setTimeout(90_000);

interface Delivery {
  channel: string;
  status: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}
interface Notification {
  id: string;
  caseId: string;
  kind: string;
  message: string;
  deliveries: Delivery[];
}

describe('notifications by email', () => {
  let smtp: SmtpSink;
  let s: Steward;
  const mailsTo = (address: string, pred: (m: ReceivedMail) => boolean = () => true) => smtp.mails.filter((m) => m.to.includes(address) && pred(m));
  const notes = async (userId: string): Promise<Notification[]> => (await s.http.get('/notifications?limit=200').set(s.as(userId)).expect(200)).body.items;

  beforeAll(async () => {
    smtp = await startSmtpSink();
    s = await startSteward({
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Steward <steward@test.local>',
      PUBLIC_URL: 'https://steward.test',
      NOTIFY_POLL_INTERVAL: 'PT0.1S',
      NOTIFY_DIGEST_WINDOW: 'PT6S',
      APPROVAL_REMINDER_AFTER: 'PT3S',
    });
  });
  afterAll(async () => {
    await s?.close();
    await smtp?.close();
  });

  it('emails an approval request with the case link, the action wanted and the due time in the reader\'s zone', async () => {
    await s.http.put('/me/notification-preferences').set(s.as('bob')).send({ timeZone: 'Asia/Shanghai', preferences: [] }).expect(200);
    const change = await submitChange(s, 'alice', { title: 'Rotate the edge certificates' });
    const mail = await waitFor(() => mailsTo('bob@example.com', (m) => m.text.includes(change.id))[0], { what: 'the approval email to bob' });
    expect(mail.from).toBe('steward@test.local');
    const tasks: { caseId: string; title: string; dueAt: string | null }[] = (await s.http.get('/tasks').set(s.as('bob')).expect(200)).body;
    const task = tasks.find((t) => t.caseId === change.id);
    const note = (await notes('bob')).find((x) => x.caseId === change.id && x.kind === 'approval_requested');
    if (!task?.dueAt) throw new Error(`bob has no approval task with a due time on ${change.id}`);
    expect(mail.subject).toBe(`[Steward] ${note?.message}`);
    expect(mail.text).toContain(`Action wanted: ${task.title}`);
    expect(mail.text).toContain(`Open: https://steward.test/view/change-requests/${change.id}`);
    // Bob chose Asia/Shanghai: the due time is shown there (UTC+8), not in UTC.
    const due = DateTime.fromISO(task.dueAt).setZone('Asia/Shanghai');
    expect(mail.text).toContain(`Due: ${due.toFormat('cccc d LLLL yyyy, HH:mm')} (Asia/Shanghai)`);
    expect(mail.html).toContain(`href="https://steward.test/view/change-requests/${change.id}"`);
    expect(mail.messageId).toBe(`<${mail.idempotencyId}@steward>`);

    const n = await waitFor(async () => (await notes('bob')).find((x) => x.caseId === change.id && x.kind === 'approval_requested' && x.deliveries[0]?.status === 'delivered'), {
      what: 'the delivered status on the notification',
    });
    expect(n.deliveries).toEqual([{ channel: 'email', status: 'delivered', attempts: 1, lastError: null, deliveredAt: expect.any(String) }]);
    // Sent once: no second copy of the same message.
    expect(mailsTo('bob@example.com', (m) => m.idempotencyId === mail.idempotencyId)).toHaveLength(1);
  });

  it('follows the preferences: a kind turned to in-app only gets no email row at all, written with the notification', async () => {
    const put = await s.http
      .put('/me/notification-preferences')
      .set(s.as('sue'))
      .send({ preferences: [{ kind: 'approval_requested', channels: ['in_app'] }, { kind: 'change_approved', channels: ['in_app', 'email'] }] })
      .expect(200);
    expect(put.body).toEqual({
      timeZone: 'UTC',
      timeZoneSource: 'default',
      preferences: [
        { kind: 'approval_requested', channels: ['in_app'] },
        { kind: 'change_approved', channels: ['in_app', 'email'] },
      ],
      emailByDefault: expect.arrayContaining(['approval_requested', 'approval_reminder', 'sla_escalation']),
    });
    expect((await s.http.get('/me/notification-preferences').set(s.as('sue')).expect(200)).body).toEqual(put.body);

    const change = await submitChange(s, 'lena', { title: 'Quiet change' });
    // The outbox row would be written in the same transaction as the notification: once the notification is
    // visible, its deliveries are final.
    const n = await waitFor(async () => (await notes('sue')).find((x) => x.caseId === change.id && x.kind === 'approval_requested'), { what: "sue's notification" });
    expect(n.deliveries).toEqual([]);
  });

  it('combines reminders into one digest: three pending approvals, one reminder email', async () => {
    const changes: ChangeView[] = [];
    for (const title of ['Digest one', 'Digest two', 'Digest three']) changes.push(await submitChange(s, 'sam', { title }));
    const digest = await waitFor(() => mailsTo('lena@example.com', (m) => m.subject.includes('reminders'))[0], { what: 'the digest email', timeoutMs: 40_000 });
    expect(digest.subject).toBe('[Steward] 3 reminders: approvals waiting for you');
    for (const c of changes) expect(digest.text).toContain(`https://steward.test/view/change-requests/${c.id}`);

    const reminders = await waitFor(
      async () => {
        const r = (await notes('lena')).filter((x) => x.kind === 'approval_reminder' && changes.some((c) => c.id === x.caseId));
        return r.length === 3 && r.every((x) => x.deliveries[0]?.status === 'delivered') && r;
      },
      { what: 'three delivered reminders' },
    );
    expect(reminders).toHaveLength(3);
    // Every reminder went out in the digest: no other reminder email to lena.
    expect(mailsTo('lena@example.com', (m) => m.subject.includes('eminder'))).toHaveLength(1);
  });

  it('GET/PUT /me/notification-preferences: 401 without a token, 400 naming every bad field', async () => {
    expectError(await s.http.get('/me/notification-preferences'), 401);
    expectError(await s.http.put('/me/notification-preferences').send({ preferences: [] }), 401);
    const bad = await s.http
      .put('/me/notification-preferences')
      .set(s.as('ivan'))
      .send({ timeZone: 'Mars/Olympus', preferences: [{ kind: 'approval_requested', channels: ['email'] }, { kind: 'approval_requested', channels: ['in_app'] }] });
    expectError(bad, 400);
    expect((bad.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['preferences.0.channels', 'preferences.1.kind', 'timeZone']);
    const shape = await s.http.put('/me/notification-preferences').set(s.as('ivan')).send({ preferences: [{ kind: 'Bad Kind', channels: ['pigeon'] }], extra: 1 });
    expectError(shape, 400);
    expect((shape.body.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['extra', 'preferences.0.channels', 'preferences.0.kind']);
    expectError(await s.http.put('/me/notification-preferences').set(s.as('ivan')).send({}), 400);
  });
});
