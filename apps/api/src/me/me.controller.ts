import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UserResponseDto } from './dto/user.dto';

@ApiTags('directory')
@ApiBearerAuth()
@Controller('me')
export class MeController {
  @Get()
  @ApiOkResponse({ type: UserResponseDto })
  me(@CurrentUser() user: DirectoryUser): UserResponseDto {
    return user;
  }
}
