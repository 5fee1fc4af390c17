import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { NotificationPreferenceRepository, OutboxRepository } from '@steward/persistence';
import { NotificationPreferencesController } from './notification-preferences.controller';
import { NotificationPreferencesService } from './notification-preferences.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';

@Module({
  controllers: [NotificationsController, NotificationPreferencesController],
  providers: [
    ...[OutboxRepository, NotificationPreferenceRepository].map((Repository) => ({
      provide: Repository,
      inject: [DataSource],
      useFactory: (ds: DataSource) => new Repository(ds),
    })),
    NotificationsService,
    NotificationPreferencesService,
  ],
})
export class NotificationsModule {}
