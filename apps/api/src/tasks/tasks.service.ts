import { Injectable } from '@nestjs/common';
import { TaskRepository } from '@steward/persistence';
import { mapTask, TaskResponseDto } from './dto/task.dto';

@Injectable()
export class TasksService {
  constructor(private readonly tasks: TaskRepository) {}

  async openTasks(userId: string): Promise<TaskResponseDto[]> {
    return (await this.tasks.openTasksOf(userId)).map(mapTask);
  }
}
