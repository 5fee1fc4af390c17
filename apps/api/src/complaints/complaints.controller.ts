import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditEventResponseDto } from '../audit/dto/audit-event.dto';
import { PageOf } from '../common/dto/page.dto';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { ComplaintsService } from './complaints.service';
import { ComplaintResponseDto } from './dto/complaint.dto';
import {
  CompensationDecisionDto,
  FeedbackDto,
  PauseDto,
  PriorityDto,
  ResolutionDto,
  RespondDto,
  ResumeDto,
  TransferDto,
} from './dto/complaint-actions.dto';
import { ListComplaintsDto } from './dto/list-complaints.dto';
import { OpenComplaintDto } from './dto/open-complaint.dto';

@ApiTags('complaints')
@ApiBearerAuth()
@Controller('complaints')
export class ComplaintsController {
  constructor(private readonly service: ComplaintsService) {}

  @Post()
  @ApiOperation({ summary: 'Log a customer complaint (service staff); priority from severity x tier, owner the least loaded agent' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retry with the same key returns the first response' })
  @ApiCreatedResponse({ type: ComplaintResponseDto })
  open(@CurrentUser() user: DirectoryUser, @Body() dto: OpenComplaintDto, @Headers('idempotency-key') key?: string) {
    return this.service.open(user, dto, key);
  }

  @Get()
  @ApiOkResponse({ type: PageOf(ComplaintResponseDto) })
  list(@CurrentUser() user: DirectoryUser, @Query() q: ListComplaintsDto) {
    return this.service.list(user, q);
  }

  @Get(':id')
  @ApiOkResponse({ type: ComplaintResponseDto })
  get(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string) {
    return this.service.get(user, id);
  }

  @Get(':id/audit')
  @ApiOkResponse({ type: PageOf(AuditEventResponseDto) })
  audit(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Query() page: PageQueryDto) {
    return this.service.audit(user, id, page.limit ?? 200, page.cursor);
  }

  @Post(':id/responses')
  @HttpCode(200)
  @ApiOperation({ summary: 'Respond to the customer (owner); the first response meets the first-response SLA, later ones restart the update clock' })
  @ApiOkResponse({ type: ComplaintResponseDto })
  respond(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: RespondDto) {
    return this.service.respond(user, id, dto);
  }

  @Post(':id/transfers')
  @HttpCode(200)
  @ApiOkResponse({ type: ComplaintResponseDto })
  transfer(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: TransferDto) {
    return this.service.transfer(user, id, dto);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause every SLA clock while awaiting the customer' })
  @ApiOkResponse({ type: ComplaintResponseDto })
  pause(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PauseDto) {
    return this.service.pause(user, id, dto);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({ type: ComplaintResponseDto })
  resume(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() _dto: ResumeDto) {
    return this.service.resume(user, id);
  }

  @Post(':id/priority')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the severity; targets follow the new priority, keeping the time already spent' })
  @ApiOkResponse({ type: ComplaintResponseDto })
  priority(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: PriorityDto) {
    return this.service.priority(user, id, dto);
  }

  @Post(':id/resolution')
  @HttpCode(200)
  @ApiOkResponse({ type: ComplaintResponseDto })
  resolve(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: ResolutionDto) {
    return this.service.resolve(user, id, dto);
  }

  @Post(':id/compensation/decisions')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve or reject compensation above the threshold (a supervisor other than the owner and the resolver)' })
  @ApiOkResponse({ type: ComplaintResponseDto })
  decideCompensation(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: CompensationDecisionDto) {
    return this.service.decideCompensation(user, id, dto);
  }

  @Post(':id/feedback')
  @HttpCode(200)
  @ApiOperation({ summary: "The customer's satisfaction: closes the complaint, or reopens it with its clocks running again" })
  @ApiOkResponse({ type: ComplaintResponseDto })
  feedback(@CurrentUser() user: DirectoryUser, @Param('id', UuidParam) id: string, @Body() dto: FeedbackDto) {
    return this.service.feedback(user, id, dto);
  }
}
