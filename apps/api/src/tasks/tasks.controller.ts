import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { HumanTaskEntity } from '@steward/persistence';
import { CurrentUser } from '../auth/current-user.decorator';

export interface TaskView {
  id: string;
  caseType: string;
  caseId: string;
  kind: string;
  title: string;
  dueAt: string | null;
  createdAt: string;
  /** The delegator, when the task came to the caller as their delegate. */
  onBehalfOf: string | null;
}

@Injectable()
export class TasksService {
  constructor(private readonly dataSource: DataSource) {}

  /** Open tasks, most urgent first: those with a due date by date, then the rest oldest first. */
  async openTasks(userId: string): Promise<TaskView[]> {
    const rows = await this.dataSource
      .getRepository(HumanTaskEntity)
      .createQueryBuilder('t')
      .where('t.assignee_id = :userId AND t.completed_at IS NULL', { userId })
      .orderBy('t.due_at', 'ASC', 'NULLS LAST')
      .addOrderBy('t.created_at', 'ASC')
      .limit(500)
      .getMany();
    return rows.map((t) => ({
      id: t.id,
      caseType: t.caseType,
      caseId: t.caseId,
      kind: t.kind,
      title: t.title,
      dueAt: t.dueAt?.toISOString() ?? null,
      createdAt: t.createdAt.toISOString(),
      onBehalfOf: t.onBehalfOf,
    }));
  }
}

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'Your open human tasks across all case types' })
  list(@CurrentUser() user: DirectoryUser) {
    return this.tasks.openTasks(user.id);
  }
}

@Module({ controllers: [TasksController], providers: [TasksService] })
export class TasksModule {}
