import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import type { DirectoryUser } from '@steward/directory';
import { CRISIS_STATEMENT_EVENT, openWebhookSecrets, OutboxRepository, SecretBox, WebhookSubscriptionRepository } from '@steward/persistence';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import {
  CreatedWebhookResponseDto,
  CreateWebhookDto,
  ListWebhookDeliveriesDto,
  mapDelivery,
  mapWebhook,
  WebhookDeliveryResponseDto,
  WebhookResponseDto,
} from './dto/webhook.dto';

/** Webhook subscriptions are the admins': who receives what leaves Steward. */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap {
  private secrets: SecretBox | null = null;

  constructor(
    private readonly config: StewardConfig,
    private readonly subscriptions: WebhookSubscriptionRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  /** Refuses to boot when subscriptions exist without the key that opens their secrets. */
  async onApplicationBootstrap(): Promise<void> {
    this.secrets = await openWebhookSecrets(this.config.WEBHOOK_SECRET_KEY, this.subscriptions);
  }

  private requireAdmin(user: DirectoryUser): void {
    if (!user.roles.includes('admin')) throw StewardException.forbidden('only admins manage webhooks');
  }

  async create(user: DirectoryUser, dto: CreateWebhookDto): Promise<CreatedWebhookResponseDto> {
    this.requireAdmin(user);
    const audienceGroups = dto.audienceGroups ?? [];
    if (audienceGroups.length > 0 && !dto.eventKinds.includes(CRISIS_STATEMENT_EVENT)) {
      throw StewardException.invalid('audienceGroups', `audienceGroups filters ${CRISIS_STATEMENT_EVENT} only: add it to eventKinds or leave audienceGroups out`);
    }
    if (!this.secrets) throw StewardException.conflict('webhooks are off: the deployment has no WEBHOOK_SECRET_KEY to keep signing secrets with');
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const s = await this.subscriptions.create({
      id: randomUUID(),
      url: dto.url,
      description: dto.description ?? '',
      eventKinds: dto.eventKinds,
      audienceGroups,
      secretCiphertext: this.secrets.seal(secret),
      createdBy: user.id,
    });
    return { ...mapWebhook(s), secret };
  }

  async list(user: DirectoryUser, limit = 50, cursor?: string): Promise<Page<WebhookResponseDto>> {
    this.requireAdmin(user);
    const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | null;
    const page = toPage(await this.subscriptions.list(limit, after ?? undefined), limit, (s) => [s.createdAt.toISOString(), s.id]);
    return { items: page.items.map(mapWebhook), nextCursor: page.nextCursor };
  }

  async delete(user: DirectoryUser, id: string): Promise<void> {
    this.requireAdmin(user);
    if (!(await this.subscriptions.delete(id))) throw StewardException.notFound(`webhook ${id}`);
  }

  async ping(user: DirectoryUser, id: string): Promise<WebhookDeliveryResponseDto> {
    this.requireAdmin(user);
    const s = await this.subscriptions.find(id);
    if (!s || s.deletedAt) throw StewardException.notFound(`webhook ${id}`);
    return mapDelivery(await this.outbox.enqueuePing(id, user.id));
  }

  async deliveries(user: DirectoryUser, id: string, q: ListWebhookDeliveriesDto): Promise<Page<WebhookDeliveryResponseDto>> {
    this.requireAdmin(user);
    if (!(await this.subscriptions.find(id))) throw StewardException.notFound(`webhook ${id}`);
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']) as [string, string] | null;
    const page = toPage(await this.outbox.listForSubscription(id, limit, after ?? undefined), limit, (r) => [r.createdAt.toISOString(), r.id]);
    return { items: page.items.map(mapDelivery), nextCursor: page.nextCursor };
  }
}
