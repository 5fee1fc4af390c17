import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEventResponseDto } from '../audit/dto/audit-event.dto';
import { PageOf } from '../common/dto/page.dto';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { PageQueryDto } from '../common/validation';
import { UuidParam } from '../common/uuid-param.pipe';
import { ChangeRequestsService } from './change-requests.service';
import { ChangeRequestResponseDto } from './dto/change-request.dto';
import { DecisionDto, ImplementationDto, ReviewDto, VerificationDto, WithdrawDto } from './dto/change-request-actions.dto';
import { ListChangeRequestsDto } from './dto/list-change-requests.dto';
import { ReviseChangeRequestDto } from './dto/revise-change-request.dto';
import { SubmitChangeRequestDto } from './dto/submit-change-request.dto';

@ApiTags('change-requests')
@ApiBearerAuth()
@Controller('change-requests')
export class ChangeRequestsController {
  constructor(private readonly service: ChangeRequestsService) {}

  @Post()
  @ApiOperation({ summary: 'Submit a change request; risk picks the approval route' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ type: ChangeRequestResponseDto })
  submit(@CurrentUser() user: DirectoryUser, @Body() dto: SubmitChangeRequestDto, @Headers('idempotency-key') key?: string) {
    return this.service.submit(user, dto, key);
  }

  @Get()
  @ApiOperation({ summary: 'Change requests you take part in (all of them for auditors and admins)' })
  @ApiOkResponse({ type: PageOf(ChangeRequestResponseDto) })
  list(@CurrentUser() user: DirectoryUser, @Query() query: ListChangeRequestsDto) {
    return this.service.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  get(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.get(user, id);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The case's audit events, oldest first" })
  @ApiOkResponse({ type: PageOf(AuditEventResponseDto) })
  audit(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.audit(user, id, page.limit ?? 200, page.cursor);
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve, reject or request changes (approvers of the pending level)' })
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  decide(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: DecisionDto) {
    return this.service.decide(user, id, dto);
  }

  @Post(':id/revisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revise while changes are requested (requester); approval restarts at level 1' })
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  revise(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ReviseChangeRequestDto) {
    return this.service.revise(user, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  withdraw(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: WithdrawDto) {
    return this.service.withdraw(user, id, dto);
  }

  @Post(':id/implementation')
  @HttpCode(200)
  @ApiOperation({ summary: 'Report implementation started/completed/failed (implementer); started only from plannedStart' })
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  implementation(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ImplementationDto) {
    return this.service.implementation(user, id, dto);
  }

  @Post(':id/verification')
  @HttpCode(200)
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  verification(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: VerificationDto) {
    return this.service.verification(user, id, dto);
  }

  @Post(':id/review')
  @HttpCode(200)
  @ApiOperation({ summary: "Post-implementation review of an emergency change (requester's manager)" })
  @ApiOkResponse({ type: ChangeRequestResponseDto })
  review(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ReviewDto) {
    return this.service.review(user, id, dto);
  }
}
