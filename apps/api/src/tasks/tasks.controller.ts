import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { TaskResponseDto } from './dto/task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({ summary: 'Your open human tasks across all case types, most urgent first' })
  @ApiOkResponse({ type: [TaskResponseDto] })
  list(@CurrentUser() user: DirectoryUser): Promise<TaskResponseDto[]> {
    return this.tasks.openTasks(user.id);
  }
}
