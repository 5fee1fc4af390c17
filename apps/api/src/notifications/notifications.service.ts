import { Injectable } from '@nestjs/common';
import { NotificationRepository, OutboxRepository } from '@steward/persistence';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { ListNotificationsDto, mapNotification, NotificationResponseDto } from './dto/notification.dto';

@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly outbox: OutboxRepository,
  ) {}

  async list(userId: string, q: ListNotificationsDto): Promise<Page<NotificationResponseDto>> {
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']) ?? undefined;
    const rows = await this.notifications.listFor(userId, { unread: q.unread, limit, after: after as [string, string] | undefined });
    const page = toPage(rows, limit, (n) => [n.createdAt.toISOString(), n.id]);
    const deliveries = await this.outbox.statusFor(page.items.map((n) => n.id));
    return { items: page.items.map((n) => mapNotification(n, deliveries)), nextCursor: page.nextCursor };
  }

  /** Marks one of the caller's notifications read; someone else's is a 404, as if it did not exist. */
  async markRead(userId: string, id: string): Promise<NotificationResponseDto> {
    const n = await this.notifications.markRead(userId, id);
    if (!n) throw StewardException.notFound(`notification ${id}`);
    return mapNotification(n, await this.outbox.statusFor([n.id]));
  }
}
