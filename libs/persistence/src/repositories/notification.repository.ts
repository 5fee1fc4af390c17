import { DataSource } from 'typeorm';
import { NotificationEntity } from '../entities';

export interface NotificationQuery {
  /** true: unread only; false: read only; undefined: both. */
  unread?: boolean;
  limit: number;
  /** Exclusive position of the previous page's last row: [createdAt, id]. */
  after?: [string, string];
}

/** In-app notifications, newest first. */
export class NotificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private get repo() {
    return this.dataSource.getRepository(NotificationEntity);
  }

  /** One page plus one row, so the caller knows whether another page follows. */
  listFor(userId: string, q: NotificationQuery): Promise<NotificationEntity[]> {
    const qb = this.repo
      .createQueryBuilder('n')
      .where('n.user_id = :userId', { userId })
      .orderBy('n.created_at', 'DESC')
      .addOrderBy('n.id', 'DESC')
      .limit(q.limit + 1);
    if (q.unread === true) qb.andWhere('n.read_at IS NULL');
    if (q.unread === false) qb.andWhere('n.read_at IS NOT NULL');
    if (q.after) qb.andWhere('(n.created_at, n.id) < (:at, :id)', { at: q.after[0], id: q.after[1] });
    return qb.getMany();
  }

  /** Marks one of the user's notifications read (once) and returns it; null when the user has no such notification. */
  async markRead(userId: string, id: string): Promise<NotificationEntity | null> {
    await this.repo.createQueryBuilder().update().set({ readAt: () => 'now()' }).where('id = :id AND user_id = :userId AND read_at IS NULL', { id, userId }).execute();
    return this.repo.findOneBy({ id, userId });
  }
}
