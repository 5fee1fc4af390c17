import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications that leave Steward: a transactional outbox written with the case commit, webhook subscriptions
 * (signing secrets encrypted by the app, never stored in clear), and each user's channel choices.
 * One outbox row is one message to one receiver: (notification, email) or (event, subscription).
 */
export class NotificationOutbox1765180800000 implements MigrationInterface {
  name = 'NotificationOutbox1765180800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid CONSTRAINT pk_webhook_subscriptions PRIMARY KEY,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        event_kinds text[] NOT NULL,
        audience_groups text[] NOT NULL DEFAULT '{}',
        secret_ciphertext text NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE notification_outbox (
        id uuid CONSTRAINT pk_notification_outbox PRIMARY KEY DEFAULT gen_random_uuid(),
        dedupe_key text NOT NULL CONSTRAINT uq_notification_outbox_dedupe UNIQUE,
        channel text NOT NULL CONSTRAINT ck_notification_outbox_channel CHECK (channel IN ('email', 'webhook')),
        event_type text NOT NULL,
        notification_id uuid CONSTRAINT fk_notification_outbox_notification REFERENCES notifications (id),
        subscription_id uuid CONSTRAINT fk_notification_outbox_subscription REFERENCES webhook_subscriptions (id),
        user_id text,
        digest_key text,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending'
          CONSTRAINT ck_notification_outbox_status CHECK (status IN ('pending', 'delivered', 'dead', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        last_error text,
        last_status_code integer,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The delivery workers' claim: only pending rows, oldest due first.
    await q.query(`CREATE INDEX idx_notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX idx_notification_outbox_digest ON notification_outbox (digest_key) WHERE status = 'pending' AND digest_key IS NOT NULL`);
    await q.query(`CREATE INDEX idx_notification_outbox_notification ON notification_outbox (notification_id) WHERE notification_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_notification_outbox_subscription ON notification_outbox (subscription_id, created_at DESC, id DESC) WHERE subscription_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id text NOT NULL,
        kind text NOT NULL,
        channels text[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_notification_preferences PRIMARY KEY (user_id, kind)
      )`);
    await q.query(`
      CREATE TABLE notification_settings (
        user_id text CONSTRAINT pk_notification_settings PRIMARY KEY,
        time_zone text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'steward_app') THEN
          GRANT SELECT, INSERT, UPDATE ON webhook_subscriptions, notification_outbox TO steward_app;
          GRANT SELECT, INSERT, UPDATE, DELETE ON notification_preferences, notification_settings TO steward_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_settings`);
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notification_outbox`);
    await q.query(`DROP TABLE webhook_subscriptions`);
  }
}
