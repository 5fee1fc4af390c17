import { DataSource } from 'typeorm';
import type { CaseCommit } from '@steward/domain';
import { rowsParameter, Statement } from '../pg-batch';
import { CRISIS_STATEMENT_EVENT, digestKeyFor, PING_EVENT, resolveChannels, wantsNotification, wantsStatement } from './notify-rules';

export type OutboxChannel = 'email' | 'webhook';
export type OutboxStatus = 'pending' | 'delivered' | 'dead' | 'skipped';

/** One message to one receiver, as the delivery worker claims it. `id` is the idempotency id the receiver sees. */
export interface OutboxRow {
  id: string;
  channel: OutboxChannel;
  eventType: string;
  notificationId: string | null;
  subscriptionId: string | null;
  userId: string | null;
  digestKey: string | null;
  payload: object;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: Date;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  lastError: string | null;
  lastStatusCode: number | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

interface OutboxRecord {
  id: string;
  channel: OutboxChannel;
  event_type: string;
  notification_id: string | null;
  subscription_id: string | null;
  user_id: string | null;
  digest_key: string | null;
  payload: object;
  status: OutboxStatus;
  attempts: number;
  next_attempt_at: Date;
  lease_owner: string | null;
  lease_until: Date | null;
  last_error: string | null;
  last_status_code: number | null;
  delivered_at: Date | null;
  created_at: Date;
}

const toRow = (r: OutboxRecord): OutboxRow => ({
  id: r.id,
  channel: r.channel,
  eventType: r.event_type,
  notificationId: r.notification_id,
  subscriptionId: r.subscription_id,
  userId: r.user_id,
  digestKey: r.digest_key,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  leaseOwner: r.lease_owner,
  leaseUntil: r.lease_until,
  lastError: r.last_error,
  lastStatusCode: r.last_status_code,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
});

interface Insert {
  dedupeKey: string;
  channel: OutboxChannel;
  eventType: string;
  notificationId: string | null;
  subscriptionId: string | null;
  userId: string | null;
  digestKey: string | null;
  payload: object;
  createdAt: string;
}

/**
 * One INSERT of all the rows (RETURNING the ids of those not already there), or null when there are none. A fixed
 * text whatever the number of rows (all in one JSON parameter, see rowsParameter), so the connection keeps it prepared.
 */
function insertStatement(rows: Insert[]): Statement | null {
  if (rows.length === 0) return null;
  return {
    text: `INSERT INTO notification_outbox (dedupe_key, channel, event_type, notification_id, subscription_id, user_id, digest_key, payload, created_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(dedupe_key text, channel text, event_type text, notification_id uuid, subscription_id uuid,
       user_id text, digest_key text, payload jsonb, created_at timestamptz)
     ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
    values: [
      rowsParameter(
        rows.map((r) => ({
          dedupe_key: r.dedupeKey,
          channel: r.channel,
          event_type: r.eventType,
          notification_id: r.notificationId,
          subscription_id: r.subscriptionId,
          user_id: r.userId,
          digest_key: r.digestKey,
          payload: r.payload,
          created_at: r.createdAt,
        })),
      ),
    ],
    prepare: true,
  };
}

interface PublishedStatement {
  id: string;
  number: number;
  kind: string;
  audience: string[];
  text: string;
  publishedAt: string | null;
}

/** The statements a commit publishes: its `statement_published` events, with the text from the case's view. */
function publishedStatements(c: CaseCommit): PublishedStatement[] {
  const view = c.view as { statements?: PublishedStatement[] };
  return c.events
    .filter((e) => e.action === 'statement_published')
    .flatMap((e) => {
      const st = view.statements?.find((s) => s.id === e.data.statementId);
      return st ? [{ ...st, publishedAt: st.publishedAt ?? e.at }] : [];
    });
}

/**
 * How the outbox rows of case commits are written inside their transaction, so that a message exists exactly
 * when the notification (or the published statement) does. Channels are resolved at commit time, from the
 * recipient's preferences and the live subscriptions: what the commit promised is fixed with it, and a retried
 * commit adds nothing (every row has a dedupe key). In-app needs no row: the notification itself is the in-app
 * message.
 *
 * A plan is the reads the rows depend on (run in the commits' transaction, after their notifications and tasks
 * are written, in this order) and the INSERT their results give. The reads are the same few statements for any
 * number of commits, each finding the rows of all of them; a commit's rows are chosen from the results by its
 * keys, users and case, so several commits read together what each would read alone, provided no two of them
 * are of the same case (CaseStore's rule). CaseStore sends the reads in one round trip with the rest of the
 * transaction. Null: the commits have nothing to send.
 */
export interface CommitOutboxPlan {
  reads: Statement[];
  /** The INSERT of the rows the reads' results (in the order of `reads`) call for; null when there are none. */
  insert(results: unknown[][]): Statement | null;
}

type SubscriptionRow = { id: string; event_kinds: string[]; audience_groups: string[] };
type NotificationRow = { id: string; notification_key: string };
type PreferenceRow = { user_id: string; kind: string; channels: string[] };
type UserRow = { id: string; name: string; email: string };
type TaskRow = { case_id: string; assignee_id: string; kind: string; title: string; due_at: Date | null; created_at: Date; completed_at: Date | null };

/** What the reads found, for every commit of the plan. */
interface Found {
  subscriptions: { id: string; eventKinds: string[]; audienceGroups: string[] }[];
  notificationIds: Map<string, string>;
  preferences: PreferenceRow[];
  users: Map<string, UserRow>;
  tasks: TaskRow[];
}

/** The plan for commits of distinct cases (see CommitOutboxPlan). */
export function outboxPlan(commits: readonly CaseCommit[]): CommitOutboxPlan | null {
  const sending = commits
    .map((c) => ({ c, statements: c.caseType === 'crisis' ? publishedStatements(c) : [] }))
    .filter(({ c, statements }) => c.notifications.length > 0 || statements.length > 0);
  if (sending.length === 0) return null;
  const reads: Statement[] = [{ text: `SELECT id, event_kinds, audience_groups FROM webhook_subscriptions WHERE deleted_at IS NULL`, prepare: true }];
  const notifying = sending.filter(({ c }) => c.notifications.length > 0).map(({ c }) => c);
  if (notifying.length > 0) {
    const keys = notifying.flatMap((c) => c.notifications.map((n) => n.key));
    const userIds = [...new Set(notifying.flatMap((c) => c.notifications.map((n) => n.userId)))];
    reads.push(
      { text: `SELECT id, notification_key FROM notifications WHERE notification_key = ANY($1)`, values: [keys], prepare: true },
      { text: `SELECT user_id, kind, channels FROM notification_preferences WHERE user_id = ANY($1)`, values: [userIds], prepare: true },
      { text: `SELECT id, name, email FROM directory_users WHERE id = ANY($1)`, values: [userIds], prepare: true },
      // The action each recipient is wanted for on its case: their newest open task (the commit's own are in
      // already). All of the cases' tasks (a case has a few), chosen below: a query on the assignee or on
      // `completed_at IS NULL` lets the planner, before Postgres has statistics, use the partial index of
      // everyone's open tasks and read all of a busy approver's open tasks on every commit. By case alone the
      // case index is the only choice.
      {
        text: `SELECT case_id, assignee_id, kind, title, due_at, created_at, completed_at FROM human_tasks WHERE case_id = ANY($1::uuid[])`,
        values: [notifying.map((c) => c.caseId)],
        prepare: true,
      },
    );
  }
  return {
    reads,
    insert: (results) => {
      const found: Found = {
        subscriptions: (results[0] as SubscriptionRow[]).map((s) => ({ id: s.id, eventKinds: s.event_kinds, audienceGroups: s.audience_groups })),
        notificationIds: new Map(((results[1] ?? []) as NotificationRow[]).map((n) => [n.notification_key, n.id])),
        preferences: (results[2] ?? []) as PreferenceRow[],
        users: new Map(((results[3] ?? []) as UserRow[]).map((u) => [u.id, u])),
        tasks: (results[4] ?? []) as TaskRow[],
      };
      return insertStatement(sending.flatMap(({ c, statements }) => commitOutboxRows(c, statements, found)));
    },
  };
}

/** The rows one commit's notifications and published statements call for, from what the plan's reads found. */
function commitOutboxRows(c: CaseCommit, statements: PublishedStatement[], found: Found): Insert[] {
  const subs = found.subscriptions;
  const rows: Insert[] = [];
  const newestOpenTask = (userId: string) =>
    found.tasks
      .filter((t) => t.case_id === c.caseId && t.assignee_id === userId && t.completed_at === null)
      .reduce<TaskRow | undefined>((newest, t) => (newest && newest.created_at >= t.created_at ? newest : t), undefined);
  for (const n of c.notifications) {
    const notificationId = found.notificationIds.get(n.key);
    if (!notificationId) continue;
    const chosen = new Map(found.preferences.filter((p) => p.user_id === n.userId).map((p) => [p.kind, p.channels]));
    const user = found.users.get(n.userId);
    if (user?.email && resolveChannels(n.kind, chosen).includes('email')) {
      const task = newestOpenTask(n.userId);
      rows.push({
        dedupeKey: `email:${n.key}`,
        channel: 'email',
        eventType: n.kind,
        notificationId,
        subscriptionId: null,
        userId: n.userId,
        digestKey: digestKeyFor('email', n.userId, n.kind),
        payload: {
          to: { id: user.id, name: user.name, email: user.email },
          caseType: c.caseType,
          caseId: c.caseId,
          kind: n.kind,
          message: n.message,
          createdAt: n.createdAt,
          task: task ? { kind: task.kind, title: task.title, dueAt: task.due_at?.toISOString() ?? null } : null,
        },
        createdAt: n.createdAt,
      });
    }
    for (const s of subs.filter((s) => wantsNotification(s, n.kind))) {
      rows.push({
        dedupeKey: `webhook:${s.id}:${n.key}`,
        channel: 'webhook',
        eventType: n.kind,
        notificationId,
        subscriptionId: s.id,
        userId: null,
        digestKey: null,
        payload: {
          type: 'notification',
          data: { notificationId, caseType: c.caseType, caseId: c.caseId, kind: n.kind, userId: n.userId, message: n.message, createdAt: n.createdAt },
        },
        createdAt: n.createdAt,
      });
    }
  }
  for (const st of statements) {
    for (const s of subs.filter((s) => wantsStatement(s, st.audience))) {
      rows.push({
        dedupeKey: `webhook:${s.id}:statement:${st.id}`,
        channel: 'webhook',
        eventType: CRISIS_STATEMENT_EVENT,
        notificationId: null,
        subscriptionId: s.id,
        userId: null,
        digestKey: null,
        payload: {
          type: CRISIS_STATEMENT_EVENT,
          data: { crisisId: c.caseId, statementId: st.id, number: st.number, kind: st.kind, audience: st.audience, text: st.text, publishedAt: st.publishedAt },
        },
        createdAt: st.publishedAt ?? c.updatedAt,
      });
    }
  }
  return rows;
}

export interface DeliveryStatus {
  notificationId: string | null;
  channel: OutboxChannel;
  subscriptionId: string | null;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  deliveredAt: Date | null;
}

export interface ClaimOptions {
  owner: string;
  limit: number;
  leaseMs: number;
  /** Reminder emails wait this long after they are written, so that the ones that follow join the same digest. */
  digestWindowMs: number;
  /** Claim rows of these channels only (all when unset). */
  channels?: OutboxChannel[];
}

/** The outbox the delivery workers drain: claim with a lease (SKIP LOCKED), then ack or fail. */
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Claims due rows for `owner` until the lease ends: pending, due, and not leased by a live worker (an expired
   * lease is a worker that died between claim and ack, and its rows are due again). A claimed digest row brings
   * every other pending row of its digest with it. Each claim counts as an attempt.
   *
   * Only durable rows are ever sent: CaseStore commits a row asynchronously and flushes the WAL just after, so a
   * row can be visible before it is on disk. The claim's UPDATE commits synchronously (the session's
   * synchronous_commit, never turned off here), and its commit record comes after the commit record of every
   * row it saw, so claim() returns only once the WAL is flushed past the rows it claimed.
   */
  async claim(o: ClaimOptions): Promise<OutboxRow[]> {
    return this.dataSource.transaction(async (tx) => {
      const lease = [o.owner, `${o.leaseMs} milliseconds`];
      // The pick is its own CTE, so it runs once (an IN (subquery) with LIMIT may be re-run by the planner), and
      // the UPDATE ... RETURNING sits in a CTE too: TypeORM answers a bare UPDATE with [rows, count].
      const due: OutboxRecord[] = await tx.query(
        `WITH picked AS (
           SELECT id FROM notification_outbox
           WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < now())
             AND next_attempt_at <= now() - CASE WHEN digest_key IS NOT NULL AND attempts = 0 THEN $4::interval ELSE interval '0' END
             AND ($5::text[] IS NULL OR channel = ANY ($5::text[]))
           ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
         claimed AS (
           UPDATE notification_outbox o SET lease_owner = $1, lease_until = now() + $2::interval, attempts = o.attempts + 1
           FROM picked WHERE o.id = picked.id RETURNING o.*)
         SELECT * FROM claimed`,
        [...lease, o.limit, `${o.digestWindowMs} milliseconds`, o.channels ?? null],
      );
      const digests = [...new Set(due.map((r) => r.digest_key).filter((k): k is string => k !== null))];
      const joined: OutboxRecord[] = digests.length
        ? await tx.query(
            `WITH picked AS (
               SELECT id FROM notification_outbox
               WHERE status = 'pending' AND digest_key = ANY($3) AND (lease_until IS NULL OR lease_until < now())
               FOR UPDATE SKIP LOCKED),
             claimed AS (
               UPDATE notification_outbox o SET lease_owner = $1, lease_until = now() + $2::interval, attempts = o.attempts + 1
               FROM picked WHERE o.id = picked.id RETURNING o.*)
             SELECT * FROM claimed`,
            [...lease, digests],
          )
        : [];
      return [...due, ...joined].map(toRow);
    });
  }

  /** Acks a delivery: how many rows were acked, 0 when the lease was lost (another worker has the rows now). */
  async markDelivered(ids: string[], owner: string, statusCode: number | null): Promise<number> {
    const r: unknown[] = await this.dataSource.query(
      `WITH acked AS (UPDATE notification_outbox SET status = 'delivered', delivered_at = now(), lease_owner = NULL, lease_until = NULL,
         last_error = NULL, last_status_code = $3
       WHERE id = ANY($1) AND lease_owner = $2 AND status = 'pending' RETURNING id) SELECT id FROM acked`,
      [ids, owner, statusCode],
    );
    return r.length;
  }

  /** Records a failed attempt: retried at `retryAt`, or dead (dead letter) when `retryAt` is null. */
  async markFailed(ids: string[], owner: string, error: string, statusCode: number | null, retryAt: Date | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification_outbox SET status = CASE WHEN $4::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
         next_attempt_at = COALESCE($4::timestamptz, next_attempt_at), lease_owner = NULL, lease_until = NULL,
         last_error = $3, last_status_code = $5
       WHERE id = ANY($1) AND lease_owner = $2 AND status = 'pending'`,
      [ids, owner, error.slice(0, 1000), retryAt, statusCode],
    );
  }

  /**
   * Marks up to `limit` pending rows of a channel that is off as skipped, in one statement, without claiming them
   * first (nothing is sent, so there is nothing to lease or attempt): how many it marked. Rows leased by a live
   * worker are left to it.
   */
  async skipPending(channel: OutboxChannel, reason: string, limit: number): Promise<number> {
    const [row]: { skipped: number }[] = await this.dataSource.query(
      `WITH picked AS (
         SELECT id FROM notification_outbox
         WHERE status = 'pending' AND channel = $1 AND (lease_until IS NULL OR lease_until < now())
         ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED),
       skipped AS (
         UPDATE notification_outbox o SET status = 'skipped', lease_owner = NULL, lease_until = NULL, last_error = $2
         FROM picked WHERE o.id = picked.id RETURNING o.id)
       SELECT count(*)::int AS skipped FROM skipped`,
      [channel, reason, limit],
    );
    return row.skipped;
  }

  async find(id: string): Promise<OutboxRow | null> {
    const [r]: OutboxRecord[] = await this.dataSource.query(`SELECT * FROM notification_outbox WHERE id = $1`, [id]);
    return r ? toRow(r) : null;
  }

  /** Delivery status per notification, for `GET /notifications`. */
  async statusFor(notificationIds: string[]): Promise<DeliveryStatus[]> {
    if (notificationIds.length === 0) return [];
    const rows: OutboxRecord[] = await this.dataSource.query(
      `SELECT * FROM notification_outbox WHERE notification_id = ANY($1) ORDER BY created_at, id`,
      [notificationIds],
    );
    return rows.map((r) => ({
      notificationId: r.notification_id,
      channel: r.channel,
      subscriptionId: r.subscription_id,
      status: r.status,
      attempts: r.attempts,
      lastError: r.last_error,
      deliveredAt: r.delivered_at,
    }));
  }

  /** One subscription's deliveries, newest first; one page plus one row. */
  async listForSubscription(subscriptionId: string, limit: number, after?: [string, string]): Promise<OutboxRow[]> {
    const rows: OutboxRecord[] = await this.dataSource.query(
      `SELECT * FROM notification_outbox WHERE subscription_id = $1
         AND ($3::timestamptz IS NULL OR (created_at, id) < ($3::timestamptz, $4::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $2`,
      [subscriptionId, limit + 1, after?.[0] ?? null, after?.[1] ?? null],
    );
    return rows.map(toRow);
  }

  /** A test message to one subscription, through the same outbox as everything else. */
  async enqueuePing(subscriptionId: string, requestedBy: string): Promise<OutboxRow> {
    const [r]: OutboxRecord[] = await this.dataSource.query(
      `INSERT INTO notification_outbox (dedupe_key, channel, event_type, subscription_id, payload)
       VALUES ('ping:' || gen_random_uuid(), 'webhook', $2, $1, $3) RETURNING *`,
      [subscriptionId, PING_EVENT, JSON.stringify({ type: PING_EVENT, data: { subscriptionId, requestedBy } })],
    );
    return toRow(r);
  }
}
