import { DataSource } from 'typeorm';
import { HumanTaskEntity } from '../entities';

/** Human tasks as the workflows opened and closed them. */
export class TaskRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** A user's open tasks, most urgent first: those with a due date by date, then the rest oldest first. */
  openTasksOf(userId: string, limit = 500): Promise<HumanTaskEntity[]> {
    return this.dataSource
      .getRepository(HumanTaskEntity)
      .createQueryBuilder('t')
      .where('t.assignee_id = :userId AND t.completed_at IS NULL', { userId })
      .orderBy('t.due_at', 'ASC', 'NULLS LAST')
      .addOrderBy('t.created_at', 'ASC')
      .limit(limit)
      .getMany();
  }
}
