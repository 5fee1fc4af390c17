/**
 * The pure rules of notifications that leave Steward: which channels a user gets for a kind, which kinds are
 * combined into a digest, how long to wait before the next attempt, and which webhook subscriptions an event reaches.
 */

/** Channels a user chooses between. In-app is the record (`GET /notifications`) and cannot be turned off. */
export const USER_CHANNELS = ['in_app', 'email'] as const;
export type UserChannel = (typeof USER_CHANNELS)[number];

/**
 * Kinds that go out by email unless the user chose otherwise: approval requests (and their reminders, so that the
 * digest has something to combine) and escalations / SLA breaches. Everything else is in-app only by default.
 */
export const EMAIL_BY_DEFAULT: readonly string[] = [
  'approval_requested',
  'approval_reminder',
  'approval_escalated',
  'statement_approval_requested',
  'post_mortem_review_requested',
  'sla_escalation',
  'sla_breached',
  'complaint_escalation',
];

export function defaultChannels(kind: string): UserChannel[] {
  return EMAIL_BY_DEFAULT.includes(kind) ? ['in_app', 'email'] : ['in_app'];
}

/** The channels for one kind: the user's own choice when there is one, else the default. */
export function resolveChannels(kind: string, chosen: ReadonlyMap<string, readonly string[]>): UserChannel[] {
  const own = chosen.get(kind);
  if (!own) return defaultChannels(kind);
  return USER_CHANNELS.filter((c) => c === 'in_app' || own.includes(c));
}

/** Reminders are combined per user: a manager with 30 pending approvals gets one email, not 30. */
export function isDigestKind(kind: string): boolean {
  return kind.endsWith('_reminder');
}

/** The digest a reminder email joins (null: sent on its own). */
export function digestKeyFor(channel: string, userId: string | null, kind: string): string | null {
  return channel === 'email' && userId && isDigestKind(kind) ? `email:${userId}:reminders` : null;
}

/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): attempt n
 * (1-based, the one that just failed) waits a random time in [base * 2^(n-1) / 2, base * 2^(n-1)], capped.
 * Half of the window is kept so that a retry never comes back at once.
 */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What happens after a failed attempt: retry later, or give up (dead letter) once the budget is spent. */
export function afterFailure(attempts: number, budget: number): 'retry' | 'dead' {
  return attempts >= budget ? 'dead' : 'retry';
}

/** Webhook event kinds besides notification kinds. `*` subscribes to every notification kind. */
export const CRISIS_STATEMENT_EVENT = 'crisis_statement_published';
export const PING_EVENT = 'ping';
export const ALL_NOTIFICATIONS = '*';

export interface SubscriptionFilter {
  eventKinds: readonly string[];
  /** For crisis statements: the stakeholder groups wanted; empty means every group. */
  audienceGroups: readonly string[];
}

/** Does a subscription want this notification kind? */
export function wantsNotification(s: SubscriptionFilter, kind: string): boolean {
  return s.eventKinds.includes(kind) || s.eventKinds.includes(ALL_NOTIFICATIONS);
}

/** Does a subscription want a published statement to these groups? */
export function wantsStatement(s: SubscriptionFilter, audience: readonly string[]): boolean {
  if (!s.eventKinds.includes(CRISIS_STATEMENT_EVENT)) return false;
  return s.audienceGroups.length === 0 || audience.some((g) => s.audienceGroups.includes(g));
}

/** Rows claimed together, grouped into messages: a digest's rows become one message, every other row its own. */
export function groupIntoMessages<T extends { id: string; digestKey: string | null; createdAt: Date }>(rows: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const r of rows) {
    const key = r.digestKey ?? `single:${r.id}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  return [...groups.values()].map((g) => [...g].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id)));
}
