import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { ConfigError, createLogger, StewardConfig } from '@steward/config';
import {
  afterFailure,
  backoffMs,
  groupIntoMessages,
  NotificationPreferenceRepository,
  openWebhookSecrets,
  OutboxRepository,
  OutboxRow,
  SecretBox,
  WebhookSubscriptionRepository,
} from '@steward/persistence';
import { renderEmail } from './email-message';
import { EmailSender } from './email-sender';
import { sendWebhook, WebhookRefused } from './webhook-sender';

const BATCH = 20;
/** Email rows marked skipped per statement when email is off. */
const SKIP_BATCH = 500;

/**
 * Drains the notification outbox: claims due messages with a lease, sends each (email or webhook), then acks it,
 * or schedules a retry with backoff, or gives up after NOTIFY_MAX_ATTEMPTS (dead). Runs beside the Temporal worker,
 * never inside a workflow. Several processes may run it; SKIP LOCKED and the lease keep them apart, and a process
 * that dies between claim and ack leaves its rows to be claimed again once the lease ends (at-least-once; the
 * receiver dedupes by the idempotency id).
 */
@Injectable()
export class DeliveryService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly owner = `delivery-${randomUUID()}`;
  private readonly log: Logger;
  private readonly stop = new AbortController();
  private loop: Promise<void> | null = null;
  private email: EmailSender | null = null;
  private secrets: SecretBox | null = null;

  constructor(
    private readonly config: StewardConfig,
    private readonly outbox: OutboxRepository,
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly preferences: NotificationPreferenceRepository,
  ) {
    this.log = createLogger(config, 'delivery');
  }

  async onApplicationBootstrap(): Promise<void> {
    const c = this.config;
    if (c.ms('NOTIFY_SEND_TIMEOUT') >= c.ms('NOTIFY_LEASE')) {
      throw new ConfigError([`NOTIFY_LEASE: must be longer than NOTIFY_SEND_TIMEOUT (${c.NOTIFY_SEND_TIMEOUT}), or a slow send would be claimed twice`]);
    }
    this.secrets = await openWebhookSecrets(c.WEBHOOK_SECRET_KEY, this.subscriptions);
    if (!c.NOTIFY_DELIVERY) {
      this.log.info('notification delivery is off in this process (NOTIFY_DELIVERY=false)');
      return;
    }
    if (c.SMTP_URL) {
      this.email = new EmailSender(c.SMTP_URL, c.SMTP_FROM, c.ms('NOTIFY_SEND_TIMEOUT'));
      const url = new URL(c.SMTP_URL);
      this.log.info({ smtp: `${url.protocol}//${url.hostname}:${url.port || 'default'}` }, 'email on: notifications go out by email as users choose');
    } else {
      this.log.info('email off: SMTP_URL is not set, notifications are in-app only');
    }
    this.log.info({ webhooks: this.secrets ? 'on' : 'off (WEBHOOK_SECRET_KEY unset)', owner: this.owner }, 'notification delivery running');
    this.loop = this.run();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.loop;
    this.email?.close();
  }

  private async run(): Promise<void> {
    const idle = this.config.ms('NOTIFY_POLL_INTERVAL');
    while (!this.stop.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await this.tick();
      } catch (err) {
        if (!this.stop.signal.aborted) this.log.error({ err }, 'delivery round failed');
      }
      if (claimed === 0) await sleep(idle, undefined, { signal: this.stop.signal }).catch(() => undefined);
    }
  }

  /**
   * One round: claim, send, ack. With email off, pending email rows are first marked skipped, many at a time by
   * one statement, and only the other channels are claimed. Returns how many rows it claimed or skipped.
   */
  async tick(): Promise<number> {
    const skipped = this.email ? 0 : await this.outbox.skipPending('email', 'email is off: SMTP_URL is not set', SKIP_BATCH);
    const rows = await this.outbox.claim({
      owner: this.owner,
      limit: BATCH,
      leaseMs: this.config.ms('NOTIFY_LEASE'),
      digestWindowMs: this.config.ms('NOTIFY_DIGEST_WINDOW'),
      channels: this.email ? undefined : ['webhook'],
    });
    await Promise.all(groupIntoMessages(rows).map((group) => this.deliver(group)));
    return skipped + rows.length;
  }

  private async deliver(group: OutboxRow[]): Promise<void> {
    const lead = group[0];
    const ids = group.map((r) => r.id);
    let statusCode: number | null = null;
    try {
      if (lead.channel === 'email') {
        // Never claimed while email is off: tick marks them skipped instead.
        if (!this.email) throw new Error('email is off: SMTP_URL is not set');
        const zone = (lead.userId && (await this.preferences.timeZoneOf(lead.userId))) || this.config.NOTIFY_TIME_ZONE;
        await this.email.send(renderEmail(group, this.config.publicUrl, zone));
      } else {
        const sub = lead.subscriptionId ? await this.subscriptions.find(lead.subscriptionId) : null;
        if (!sub || sub.deletedAt) {
          await this.outbox.markFailed(ids, this.owner, 'subscription deleted', null, null);
          return;
        }
        if (!this.secrets) throw new Error('webhooks are off: WEBHOOK_SECRET_KEY is not set');
        const signal = AbortSignal.any([this.stop.signal, AbortSignal.timeout(this.config.ms('NOTIFY_SEND_TIMEOUT'))]);
        statusCode = await sendWebhook(sub.url, this.secrets.open(sub.secretCiphertext), lead, signal);
      }
      const acked = await this.outbox.markDelivered(ids, this.owner, statusCode);
      this.log.info({ idempotencyId: lead.id, channel: lead.channel, eventType: lead.eventType, rows: ids.length, acked }, 'delivered');
    } catch (err) {
      // Stopped mid-send: like a crash, the rows stay leased to us and go to the next worker when the lease ends.
      if (this.stop.signal.aborted) return;
      if (err instanceof WebhookRefused) statusCode = err.statusCode;
      const attempts = Math.max(...group.map((r) => r.attempts));
      const dead = afterFailure(attempts, this.config.NOTIFY_MAX_ATTEMPTS) === 'dead';
      const retryAt = dead ? null : new Date(Date.now() + backoffMs(attempts, this.config.ms('NOTIFY_RETRY_BASE'), this.config.ms('NOTIFY_RETRY_MAX')));
      const error = describe(err);
      await this.outbox.markFailed(ids, this.owner, error, statusCode, retryAt);
      this.log.warn({ idempotencyId: lead.id, channel: lead.channel, attempts, error, dead, retryAt }, dead ? 'delivery failed for good (dead letter)' : 'delivery failed, will retry');
    }
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
