import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { NotificationPreferencesResponseDto, PutNotificationPreferencesDto } from './dto/notification-preferences.dto';
import { NotificationPreferencesService } from './notification-preferences.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('me/notification-preferences')
export class NotificationPreferencesController {
  constructor(private readonly service: NotificationPreferencesService) {}

  @Get()
  @ApiOperation({ summary: 'Your channels per notification kind, and the time zone of due times in emails' })
  @ApiOkResponse({ type: NotificationPreferencesResponseDto })
  get(@CurrentUser() user: DirectoryUser) {
    return this.service.get(user.id);
  }

  @Put()
  @ApiOperation({ summary: 'Replace your channel choices (kinds left out follow the defaults) and time zone' })
  @ApiOkResponse({ type: NotificationPreferencesResponseDto })
  put(@CurrentUser() user: DirectoryUser, @Body() dto: PutNotificationPreferencesDto) {
    return this.service.put(user.id, dto);
  }
}
