import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRepository, WebhookSubscriptionRepository } from '@steward/persistence';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  controllers: [WebhooksController],
  providers: [
    ...[OutboxRepository, WebhookSubscriptionRepository].map((Repository) => ({
      provide: Repository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new Repository(ds),
    })),
    WebhooksService,
  ],
})
export class WebhooksModule {}
