import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { UserResponseDto } from '../me/dto/user.dto';
import { Public } from '../auth/public.decorator';
import { DevTokenRequestDto, DevTokenResponseDto } from './dto/dev-token.dto';
import { DevTokenService } from './dev-token.service';

/**
 * Development sign-in for the web console: registered only outside production and only while the API runs with
 * the development JWT secret (see `devTokenRoutesEnabled`). It mints the same token as `npm run token -- <user>`.
 */
@ApiTags('development')
@Controller('dev')
export class DevTokenController {
  constructor(private readonly service: DevTokenService) {}

  @Get('users')
  @Public()
  @ApiOperation({ summary: 'Directory users to sign in as (development only)' })
  @ApiOkResponse({ type: [UserResponseDto] })
  users() {
    return this.service.users();
  }

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({ summary: 'A bearer token for a directory user, signed with the development secret (development only)' })
  @ApiOkResponse({ type: DevTokenResponseDto })
  token(@Body() dto: DevTokenRequestDto) {
    return this.service.token(dto.userId);
  }
}
