import { DateTime } from 'luxon';
import type { OutboxRow } from '@steward/persistence';

/** What the commit wrote into an email row's payload. */
export interface EmailPayload {
  to: { id: string; name: string; email: string };
  caseType: string;
  caseId: string;
  kind: string;
  message: string;
  createdAt: string;
  task: { kind: string; title: string; dueAt: string | null } | null;
}

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The idempotency id: the first row's id. Also the Message-ID, so a mail store can drop a duplicate. */
  idempotencyId: string;
}

/** Console paths per case type (apps/web routes `view/<segment>/<id>`). */
const SEGMENTS: Record<string, string> = {
  change_request: 'change-requests',
  complaint: 'complaints',
  pip: 'pips',
  crisis: 'crises',
  approval_request: 'approval-requests',
};

export function caseLink(publicUrl: string, caseType: string, caseId: string): string {
  return `${publicUrl}/view/${SEGMENTS[caseType] ?? caseType.replace(/_/g, '-') + 's'}/${caseId}`;
}

/** A due time as the reader reads it: in their zone, with the zone named. */
export function formatDue(iso: string, zone: string): string {
  const d = DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone);
  return `${d.toFormat('cccc d LLLL yyyy, HH:mm')} (${zone})`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

interface Item {
  message: string;
  action: string;
  due: string | null;
  link: string;
}

function itemOf(p: EmailPayload, publicUrl: string, zone: string): Item {
  return {
    message: p.message,
    action: p.task ? p.task.title : 'None: for your information',
    due: p.task?.dueAt ? formatDue(p.task.dueAt, zone) : null,
    link: caseLink(publicUrl, p.caseType, p.caseId),
  };
}

const textItem = (i: Item) => [i.message, `Action wanted: ${i.action}`, ...(i.due ? [`Due: ${i.due}`] : []), `Open: ${i.link}`].join('\n');

const htmlItem = (i: Item) =>
  `<p>${escapeHtml(i.message)}</p><ul><li><strong>Action wanted:</strong> ${escapeHtml(i.action)}</li>` +
  (i.due ? `<li><strong>Due:</strong> ${escapeHtml(i.due)}</li>` : '') +
  `<li><a href="${escapeHtml(i.link)}">Open the case</a></li></ul>`;

/**
 * One email for a group of rows of one user: a single notification, or a digest of reminders (oldest first).
 * Plain text and HTML say the same: the message, the action wanted, the due time in the reader's zone, the link.
 */
export function renderEmail(rows: readonly Pick<OutboxRow, 'id' | 'payload'>[], publicUrl: string, zone: string): EmailMessage {
  const payloads = rows.map((r) => r.payload as EmailPayload);
  const first = payloads[0];
  const items = payloads.map((p) => itemOf(p, publicUrl, zone));
  const digest = rows.length > 1;
  const subject = digest ? `[Steward] ${rows.length} reminders: approvals waiting for you` : `[Steward] ${first.message.slice(0, 120)}`;
  const greeting = `Hello ${first.to.name},`;
  const intro = digest ? `You have ${rows.length} reminders, combined into this one message:` : null;
  const footer = `You get this email because of your notification preferences (Steward: GET/PUT /me/notification-preferences).`;
  const text = [greeting, ...(intro ? [intro] : []), items.map((i, n) => (digest ? `${n + 1}. ` : '') + textItem(i)).join('\n\n'), `-- \n${footer}`].join('\n\n');
  const html =
    `<!doctype html><html><body><p>${escapeHtml(greeting)}</p>` +
    (intro ? `<p>${escapeHtml(intro)}</p>` : '') +
    (digest ? `<ol>${items.map((i) => `<li>${htmlItem(i)}</li>`).join('')}</ol>` : htmlItem(items[0])) +
    `<p style="color:#666">${escapeHtml(footer)}</p></body></html>`;
  return { to: `${first.to.name} <${first.to.email}>`, subject, text, html, idempotencyId: rows[0].id };
}
