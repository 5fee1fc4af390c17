import { DataSource } from 'typeorm';

export interface WebhookSubscription {
  id: string;
  url: string;
  description: string;
  eventKinds: string[];
  audienceGroups: string[];
  /** The signing secret sealed with WEBHOOK_SECRET_KEY (see SecretBox). */
  secretCiphertext: string;
  createdBy: string;
  createdAt: Date;
  deletedAt: Date | null;
}

interface Record {
  id: string;
  url: string;
  description: string;
  event_kinds: string[];
  audience_groups: string[];
  secret_ciphertext: string;
  created_by: string;
  created_at: Date;
  deleted_at: Date | null;
}

const toSubscription = (r: Record): WebhookSubscription => ({
  id: r.id,
  url: r.url,
  description: r.description,
  eventKinds: r.event_kinds,
  audienceGroups: r.audience_groups,
  secretCiphertext: r.secret_ciphertext,
  createdBy: r.created_by,
  createdAt: r.created_at,
  deletedAt: r.deleted_at,
});

/** Webhook subscriptions. A deleted one keeps its row, so its delivery log stays readable. */
export class WebhookSubscriptionRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(s: Omit<WebhookSubscription, 'createdAt' | 'deletedAt'>): Promise<WebhookSubscription> {
    const [r]: Record[] = await this.dataSource.query(
      `INSERT INTO webhook_subscriptions (id, url, description, event_kinds, audience_groups, secret_ciphertext, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [s.id, s.url, s.description, s.eventKinds, s.audienceGroups, s.secretCiphertext, s.createdBy],
    );
    return toSubscription(r);
  }

  /** Live subscriptions, newest first; one page plus one row. */
  async list(limit: number, after?: [string, string]): Promise<WebhookSubscription[]> {
    const rows: Record[] = await this.dataSource.query(
      `SELECT * FROM webhook_subscriptions WHERE deleted_at IS NULL
         AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
       ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit + 1, after?.[0] ?? null, after?.[1] ?? null],
    );
    return rows.map(toSubscription);
  }

  /** A subscription, deleted ones included (their log is still readable). */
  async find(id: string): Promise<WebhookSubscription | null> {
    const [r]: Record[] = await this.dataSource.query(`SELECT * FROM webhook_subscriptions WHERE id = $1`, [id]);
    return r ? toSubscription(r) : null;
  }

  async countLive(): Promise<number> {
    const [r]: { n: string }[] = await this.dataSource.query(`SELECT count(*) AS n FROM webhook_subscriptions WHERE deleted_at IS NULL`);
    return Number(r.n);
  }

  /** Deletes a live subscription; what it still had to send ends as dead, never sent. False when there was none. */
  async delete(id: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const done: unknown[] = await tx.query(
        `WITH gone AS (UPDATE webhook_subscriptions SET deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING id) SELECT id FROM gone`,
        [id],
      );
      if (done.length === 0) return false;
      await tx.query(
        `UPDATE notification_outbox SET status = 'dead', last_error = 'subscription deleted', lease_owner = NULL, lease_until = NULL
         WHERE subscription_id = $1 AND status = 'pending'`,
        [id],
      );
      return true;
    });
  }
}
