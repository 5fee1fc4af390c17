import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { ApprovalRequestsService } from './approval-requests.service';
import { ApprovalAuditPageDto } from './dto/approval-audit.dto';
import { ApprovalRequestDecisionDto, FulfilmentDto, ListApprovalRequestsDto, WithdrawApprovalRequestDto } from './dto/approval-request-actions.dto';
import { ApprovalRequestPageDto, ApprovalRequestResponseDto, ReviseApprovalRequestDto, SubmitApprovalRequestDto } from './dto/approval-request.dto';

@ApiTags('approval-requests')
@ApiBearerAuth()
@Controller('approval-requests')
export class ApprovalRequestsController {
  constructor(private readonly service: ApprovalRequestsService) {}

  @Post()
  @ApiOperation({ summary: 'Submit a request of a type from GET /approval-types; its route is planned from the fields' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ type: ApprovalRequestResponseDto })
  submit(@CurrentUser() user: DirectoryUser, @Body() dto: SubmitApprovalRequestDto, @Headers('idempotency-key') key?: string) {
    return this.service.submit(user, dto, key);
  }

  @Get()
  @ApiOperation({ summary: 'Approval requests you may read (all of them for auditors and admins)' })
  @ApiOkResponse({ type: ApprovalRequestPageDto })
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListApprovalRequestsDto) {
    return this.service.list(user, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ApprovalRequestResponseDto })
  get(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.get(user, id);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The request's audit events, oldest first" })
  @ApiOkResponse({ type: ApprovalAuditPageDto })
  audit(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.audit(user, id, page.limit ?? 200, page.cursor);
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve, reject or request changes (approvers of the pending level, or their delegates)' })
  @ApiOkResponse({ type: ApprovalRequestResponseDto })
  decide(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ApprovalRequestDecisionDto) {
    return this.service.decide(user, id, dto);
  }

  @Post(':id/revisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revise while changes are requested (requester); the route is planned again' })
  @ApiOkResponse({ type: ApprovalRequestResponseDto })
  revise(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ReviseApprovalRequestDto) {
    return this.service.revise(user, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw (requester) before the request is rejected or fulfilled' })
  @ApiOkResponse({ type: ApprovalRequestResponseDto })
  withdraw(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: WithdrawApprovalRequestDto) {
    return this.service.withdraw(user, id, dto);
  }

  @Post(':id/fulfilment')
  @HttpCode(200)
  @ApiOperation({ summary: "Report the approved request carried out (holders of the type's fulfil role)" })
  @ApiOkResponse({ type: ApprovalRequestResponseDto })
  fulfil(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: FulfilmentDto) {
    return this.service.fulfil(user, id, dto);
  }
}
