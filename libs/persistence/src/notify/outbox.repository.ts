import { DataSource } from 'typeorm';
import type { CaseCommit } from '@steward/domain';
import type { Statement } from '../pg-batch';
import { ALL_NOTIFICATIONS, CRISIS_STATEMENT_EVENT, defaultChannels, digestKeyFor, PING_EVENT } from './notify-rules';

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
 * One INSERT for all the commits, run in their transaction after their notifications and tasks are written (CaseStore
 * sends it in the same round trip): Postgres reads what the rows depend on (each notification's id, the
 * recipient's address, preferences and newest open task on the case, the live subscriptions) and writes them, so the
 * transaction never waits for the client between its writes and its outbox. The rules it applies are those of
 * notify-rules.ts, which say them in TypeScript: the email channel by resolveChannels (the user's choice for the
 * kind, else defaultChannels, passed in per notification), subscriptions by wantsNotification and wantsStatement,
 * digests by digestKeyFor (passed in). test/e2e/outbox-rules.e2e-spec.ts holds the two to the same answers. A
 * commit's rows come from its own keys, user ids and case, so commits written together get what each would alone,
 * provided no two of them are of the same case (CaseStore's rule). Its two parameters are JSON arrays of the
 * commits' outboxRows (see rowsJson and jsonArray).
 */
export function outboxInsert(notified: string, published: string): Statement {
  return { text: OUTBOX_INSERT_SQL, values: [notified, published, ALL_NOTIFICATIONS, CRISIS_STATEMENT_EVENT], prepare: true };
}

/** One commit's part of outboxInsert's parameters: its notifications and its published statements, as rows. */
export function outboxRows(c: CaseCommit): { notified: object[]; published: object[] } {
  const notified = c.notifications.map((n) => ({
    key: n.key,
    user_id: n.userId,
    kind: n.kind,
    message: n.message,
    created_at: n.createdAt,
    case_type: c.caseType,
    case_id: c.caseId,
    email_by_default: defaultChannels(n.kind).includes('email'),
    digest_key: digestKeyFor('email', n.userId, n.kind),
  }));
  const published =
    c.caseType !== 'crisis'
      ? []
      : publishedStatements(c).map((st) => ({
          id: st.id,
          audience: st.audience,
          created_at: st.publishedAt ?? c.updatedAt,
          payload: {
            type: CRISIS_STATEMENT_EVENT,
            data: { crisisId: c.caseId, statementId: st.id, number: st.number, kind: st.kind, audience: st.audience, text: st.text, publishedAt: st.publishedAt },
          },
        }));
  return { notified, published };
}

/**
 * $1: the notifications (outboxRows), $2: the published statements with their webhook payload, $3: the event kind
 * that subscribes to every notification kind, $4: the event kind of a published statement. A notification whose row
 * is not in `notifications` gets nothing (it cannot be missing: the statement before wrote it, or found it there
 * from an earlier attempt of the commit); a recipient gets an email when they have an address and email is among
 * their channels for the kind;
 * the task named in the email is their newest open task on the case (the commit's own included, written just
 * before), its due time in the format of JavaScript's toISOString. The tasks are found by case alone (OFFSET 0 keeps
 * the planner from merging the other conditions in): given the assignee and open tasks, it may pick the partial
 * index of everyone's open tasks and read all of a busy approver's, on every commit. Every other look-up is a
 * scalar subquery by a unique key, which can only be an index probe. `emailed` is MATERIALIZED so that its
 * recipient look-up runs once per row: inlined, Postgres ran it once for the filter and again for the payload.
 */
const OUTBOX_INSERT_SQL = `
  WITH subscription AS (
    SELECT id, event_kinds, audience_groups FROM webhook_subscriptions WHERE deleted_at IS NULL),
  notified AS (
    SELECT r.*, (SELECT x.id FROM notifications x WHERE x.notification_key = r.key) AS notification_id
    FROM jsonb_to_recordset($1::jsonb) AS r(key text, user_id text, kind text, message text, created_at text, case_type text,
      case_id text, email_by_default boolean, digest_key text)),
  emailed AS MATERIALIZED (
    SELECT n.*,
      (SELECT jsonb_build_object('id', u.id, 'name', u.name, 'email', u.email) FROM directory_users u
       WHERE u.id = n.user_id AND u.email <> '') AS recipient,
      (SELECT jsonb_build_object('kind', t.kind, 'title', t.title, 'dueAt', to_char(t.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
       FROM (SELECT * FROM human_tasks WHERE case_id = n.case_id::uuid OFFSET 0) t
       WHERE t.assignee_id = n.user_id AND t.completed_at IS NULL ORDER BY t.created_at DESC, t.task_key DESC LIMIT 1) AS task
    FROM notified n
    WHERE n.notification_id IS NOT NULL AND COALESCE(
      (SELECT 'email' = ANY (p.channels) FROM notification_preferences p WHERE p.user_id = n.user_id AND p.kind = n.kind),
      n.email_by_default)),
  published AS (
    SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(id text, audience text[], created_at text, payload jsonb))
  INSERT INTO notification_outbox (dedupe_key, channel, event_type, notification_id, subscription_id, user_id, digest_key, payload, created_at)
  SELECT 'email:' || e.key, 'email', e.kind, e.notification_id, NULL::uuid, e.user_id, e.digest_key,
    jsonb_build_object('to', e.recipient, 'caseType', e.case_type, 'caseId', e.case_id, 'kind', e.kind, 'message', e.message,
      'createdAt', e.created_at, 'task', e.task),
    e.created_at::timestamptz
  FROM emailed e WHERE e.recipient IS NOT NULL
  UNION ALL
  SELECT 'webhook:' || s.id || ':' || n.key, 'webhook', n.kind, n.notification_id, s.id, NULL::text, NULL::text,
    jsonb_build_object('type', 'notification', 'data', jsonb_build_object('notificationId', n.notification_id,
      'caseType', n.case_type, 'caseId', n.case_id, 'kind', n.kind, 'userId', n.user_id, 'message', n.message, 'createdAt', n.created_at)),
    n.created_at::timestamptz
  FROM notified n JOIN subscription s ON n.kind = ANY (s.event_kinds) OR $3::text = ANY (s.event_kinds)
  WHERE n.notification_id IS NOT NULL
  UNION ALL
  SELECT 'webhook:' || s.id || ':statement:' || p.id, 'webhook', $4::text, NULL::uuid, s.id, NULL::text, NULL::text, p.payload,
    p.created_at::timestamptz
  FROM published p
  JOIN subscription s ON $4::text = ANY (s.event_kinds) AND (cardinality(s.audience_groups) = 0 OR s.audience_groups && p.audience)
  ON CONFLICT (dedupe_key) DO NOTHING`;

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
