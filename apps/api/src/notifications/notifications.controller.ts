import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { PageOf } from '../common/dto/page.dto';
import { Page } from '../common/pagination';
import { UuidParam } from '../common/uuid-param.pipe';
import { ListNotificationsDto, NotificationResponseDto } from './dto/notification.dto';
import { NotificationsService } from './notifications.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOkResponse({ type: PageOf(NotificationResponseDto) })
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListNotificationsDto): Promise<Page<NotificationResponseDto>> {
    return this.notifications.list(user.id, q);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: NotificationResponseDto })
  markRead(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string): Promise<NotificationResponseDto> {
    return this.notifications.markRead(user.id, id);
  }
}
