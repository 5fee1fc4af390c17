import { DataSource } from 'typeorm';
import { NotificationPreferenceRepository, OutboxRepository, WebhookSubscriptionRepository } from '@steward/persistence';
import { DeliveryService } from './delivery.service';

/** The delivery loop and the repositories it reads; the worker module provides them. */
export const DELIVERY_PROVIDERS = [
  ...[OutboxRepository, WebhookSubscriptionRepository, NotificationPreferenceRepository].map((Repository) => ({
    provide: Repository,
    inject: [DataSource],
    useFactory: (ds: DataSource) => new Repository(ds),
  })),
  DeliveryService,
];

export { DeliveryService };
