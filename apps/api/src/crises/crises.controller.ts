import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { StewardException } from '../common/steward.exception';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { CrisesService } from './crises.service';
import {
  AddActionDto,
  CompleteActionDto,
  DeclareCrisisDto,
  DraftStatementDto,
  ListCrisesDto,
  PostMortemDecisionDto,
  PostMortemDto,
  RecoveryDto,
  StatementDecisionDto,
} from './dto/crisis-requests.dto';
import { CrisisActionResultDto, CrisisAuditPageDto, CrisisPageDto, CrisisResponseDto, CrisisStatementDto, StatementPageDto } from './dto/crisis-response.dto';

/** A UUID path parameter other than `:id`; anything else is a 400 naming it. */
const uuidParam = (name: string) => new ParseUUIDPipe({ exceptionFactory: () => StewardException.invalid(name, `${name} must be a UUID`) });
const StatementIdParam = uuidParam('statementId');
const ActionIdParam = uuidParam('actionId');

@ApiTags('crises')
@ApiBearerAuth()
@Controller('crises')
export class CrisesController {
  constructor(private readonly service: CrisesService) {}

  @Post()
  @ApiOperation({ summary: 'Declare a crisis (supervisor, manager or executive): the holding deadline and a notice per stakeholder group start now' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ type: CrisisResponseDto })
  declare(@CurrentUser() user: DirectoryUser, @Body() dto: DeclareCrisisDto, @Headers('idempotency-key') key?: string) {
    return this.service.declare(user, dto, key);
  }

  @Get()
  @ApiOperation({ summary: 'Crises you take part in (every crisis for executives, auditors and admins)' })
  @ApiOkResponse({ type: CrisisPageDto })
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListCrisesDto) {
    return this.service.list(user, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: CrisisResponseDto })
  get(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.get(user, id);
  }

  @Get(':id/audit')
  @ApiOperation({ summary: "The crisis's audit events, oldest first" })
  @ApiOkResponse({ type: CrisisAuditPageDto })
  audit(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.audit(user, id, page.limit ?? 200, page.cursor);
  }

  @Get(':id/statements')
  @ApiOperation({ summary: 'Every statement of the crisis, in drafting order' })
  @ApiOkResponse({ type: StatementPageDto })
  statements(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.statements(user, id, page.limit ?? 50, page.cursor);
  }

  @Post(':id/statements')
  @ApiOperation({ summary: 'Draft a statement (comms lead or commander); it waits for the approval of both the comms lead and legal' })
  @ApiCreatedResponse({ type: CrisisStatementDto })
  draftStatement(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: DraftStatementDto) {
    return this.service.draftStatement(user, id, dto);
  }

  @Post(':id/statements/:statementId/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve or reject a statement (comms lead and legal only); approved by both, it is published' })
  @ApiOkResponse({ type: CrisisStatementDto })
  decideStatement(
    @CurrentUser() user: DirectoryUser,
    @Param('id', UuidParam) id: string,
    @Param('statementId', StatementIdParam) statementId: string,
    @Body() dto: StatementDecisionDto,
  ) {
    return this.service.decideStatement(user, id, statementId, dto);
  }

  @Post(':id/recovery')
  @HttpCode(200)
  @ApiOperation({ summary: 'Start recovery (commander): the update cadence ends' })
  @ApiOkResponse({ type: CrisisResponseDto })
  recover(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: RecoveryDto) {
    return this.service.recover(user, id, dto);
  }

  @Post(':id/actions')
  @ApiOperation({ summary: 'Add an aftercare or follow-up action (commander); the owner gets a task' })
  @ApiCreatedResponse({ type: CrisisActionResultDto })
  addAction(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: AddActionDto) {
    return this.service.addAction(user, id, dto);
  }

  @Post(':id/actions/:actionId/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Complete an action (its owner); the crisis may close with it' })
  @ApiOkResponse({ type: CrisisActionResultDto })
  completeAction(
    @CurrentUser() user: DirectoryUser,
    @Param('id', UuidParam) id: string,
    @Param('actionId', ActionIdParam) actionId: string,
    @Body() dto: CompleteActionDto,
  ) {
    return this.service.completeAction(user, id, actionId, dto);
  }

  @Post(':id/post-mortem')
  @HttpCode(200)
  @ApiOperation({ summary: 'Submit the post-mortem (commander, while recovering): one executive reviews it' })
  @ApiOkResponse({ type: CrisisResponseDto })
  submitPostMortem(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PostMortemDto) {
    return this.service.submitPostMortem(user, id, dto);
  }

  @Post(':id/post-mortem/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve the post-mortem or request changes (an executive other than the commander)' })
  @ApiOkResponse({ type: CrisisResponseDto })
  decidePostMortem(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PostMortemDecisionDto) {
    return this.service.decidePostMortem(user, id, dto);
  }
}
