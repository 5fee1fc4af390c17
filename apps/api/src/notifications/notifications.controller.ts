import { Controller, Get, HttpCode, Injectable, Module, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { NotificationEntity } from '@steward/persistence';
import { CurrentUser } from '../auth/current-user.decorator';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';

export class ListNotificationsDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: unread only; false: read only' })
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsOptional()
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;
}

export interface NotificationView {
  id: string;
  caseType: string;
  caseId: string;
  kind: string;
  message: string;
  createdAt: string;
  readAt: string | null;
}

const toView = (n: NotificationEntity): NotificationView => ({
  id: n.id,
  caseType: n.caseType,
  caseId: n.caseId,
  kind: n.kind,
  message: n.message,
  createdAt: n.createdAt.toISOString(),
  readAt: n.readAt?.toISOString() ?? null,
});

@Injectable()
export class NotificationsService {
  constructor(private readonly dataSource: DataSource) {}

  async list(userId: string, q: ListNotificationsDto): Promise<Page<NotificationView>> {
    const limit = q.limit ?? 50;
    const after = decodeCursor(q.cursor, ['timestamp', 'uuid']);
    const qb = this.dataSource
      .getRepository(NotificationEntity)
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(limit + 1);
    if (q.unread === true) qb.andWhere('n.read_at IS NULL');
    if (q.unread === false) qb.andWhere('n.read_at IS NOT NULL');
    if (after) qb.andWhere('(n.created_at, n.id) < (:at, :id)', { at: after[0], id: after[1] });
    const page = toPage(await qb.getMany(), limit, (n) => [n.createdAt.toISOString(), n.id]);
    return { items: page.items.map(toView), nextCursor: page.nextCursor };
  }

  /** Marks one of the caller's notifications read; someone else's is a 404, as if it did not exist. */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    const repo = this.dataSource.getRepository(NotificationEntity);
    await repo.createQueryBuilder().update().set({ readAt: () => 'now()' }).where('id = :id AND user_id = :userId AND read_at IS NULL', { id, userId }).execute();
    const n = await repo.findOneBy({ id, userId });
    if (!n) throw StewardException.notFound(`notification ${id}`);
    return toView(n);
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListNotificationsDto) {
    return this.notifications.list(user.id, q);
  }

  @Post(':id/read')
  @HttpCode(200)
  markRead(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.notifications.markRead(user.id, id);
  }
}

@Module({ controllers: [NotificationsController], providers: [NotificationsService] })
export class NotificationsModule {}
