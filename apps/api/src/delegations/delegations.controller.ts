import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { DelegationsService } from './delegations.service';
import { CreateDelegationDto, DelegationPageDto, DelegationResponseDto } from './dto/delegation.dto';

@ApiTags('delegations')
@ApiBearerAuth()
@Controller('me/delegations')
export class DelegationsController {
  constructor(private readonly service: DelegationsService) {}

  @Post()
  @ApiOperation({ summary: 'Delegate your approvals (all case types) to someone for [from, to); delegations do not chain (409)' })
  @ApiCreatedResponse({ type: DelegationResponseDto })
  create(@CurrentUser() user: DirectoryUser, @Body() dto: CreateDelegationDto) {
    return this.service.create(user, dto);
  }

  @Get()
  @ApiOperation({ summary: 'Delegations you made and those made to you (not revoked)' })
  @ApiOkResponse({ type: DelegationPageDto })
  list(@CurrentUser() user: DirectoryUser, @Query() page: PageQueryDto) {
    return this.service.list(user, page.limit, page.cursor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke a delegation you made; levels opening from now on go to you again' })
  @ApiNoContentResponse()
  revoke(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.revoke(user, id);
  }
}
