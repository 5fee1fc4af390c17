import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { CreatePipDto, RevisePipDto } from './dto/create-pip.dto';
import { ListPipsDto } from './dto/list-pips.dto';
import { PipAcknowledgementDto, PipCheckInDto, PipDecisionDto, PipNoteDto, PipOutcomeDto, PipWithdrawDto } from './dto/pip-actions.dto';
import { PipAuditPageResponseDto, PipPageResponseDto, PipResponseDto } from './dto/pip-response.dto';
import { PipsService } from './pips.service';

@ApiTags('pips')
@ApiBearerAuth()
@Controller('pips')
export class PipsController {
  constructor(private readonly service: PipsService) {}

  @Post()
  @ApiOperation({ summary: "Draft a performance improvement plan (the employee's manager); HR approves it" })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ type: PipResponseDto })
  create(@CurrentUser() user: DirectoryUser, @Body() dto: CreatePipDto, @Headers('idempotency-key') key?: string) {
    return this.service.create(user, dto, key);
  }

  @Get()
  @ApiOperation({ summary: 'Plans you may see: yours, those you run or oversee; all of them for HR, auditors and admins' })
  @ApiOkResponse({ type: PipPageResponseDto })
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListPipsDto) {
    return this.service.list(user, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: PipResponseDto })
  get(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.get(user, id);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The plan's audit events, oldest first" })
  @ApiOkResponse({ type: PipAuditPageResponseDto })
  audit(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.audit(user, id, page.limit ?? 200, page.cursor);
  }

  @Post(':id/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Decide the approval the plan waits for: the plan (HR), an extension (HR) or a separation (HR, then the manager\'s manager)' })
  @ApiOkResponse({ type: PipResponseDto })
  decide(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipDecisionDto) {
    return this.service.decide(user, id, dto);
  }

  @Post(':id/revisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Revise the plan while HR asks for changes (manager); it goes back to HR' })
  @ApiOkResponse({ type: PipResponseDto })
  revise(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: RevisePipDto) {
    return this.service.revise(user, id, dto);
  }

  @Post(':id/acknowledgement')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge the plan, or refuse with a comment (employee); the plan starts either way' })
  @ApiOkResponse({ type: PipResponseDto })
  acknowledge(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipAcknowledgementDto) {
    return this.service.acknowledge(user, id, dto);
  }

  @Post(':id/check-ins')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a check-in rating each goal (manager, while active)' })
  @ApiOkResponse({ type: PipResponseDto })
  checkIn(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipCheckInDto) {
    return this.service.checkIn(user, id, dto);
  }

  @Post(':id/midpoint-review')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the mid-point review (manager or HR), from half-way through the plan' })
  @ApiOkResponse({ type: PipResponseDto })
  midpointReview(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipNoteDto) {
    return this.service.midpointReview(user, id, dto);
  }

  @Post(':id/comments')
  @HttpCode(200)
  @ApiOperation({ summary: "The employee's own view, at any time while the plan is open" })
  @ApiOkResponse({ type: PipResponseDto })
  comment(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipNoteDto) {
    return this.service.comment(user, id, dto);
  }

  @Post(':id/outcome')
  @HttpCode(200)
  @ApiOperation({ summary: 'The final review (manager): passed, extended (once, HR approves) or failed (separation: HR, then the manager\'s manager)' })
  @ApiOkResponse({ type: PipResponseDto })
  outcome(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipOutcomeDto) {
    return this.service.outcome(user, id, dto);
  }

  @Post(':id/withdraw')
  @HttpCode(200)
  @ApiOperation({ summary: 'Withdraw the plan before an outcome (manager or HR)' })
  @ApiOkResponse({ type: PipResponseDto })
  withdraw(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PipWithdrawDto) {
    return this.service.withdraw(user, id, dto);
  }
}
