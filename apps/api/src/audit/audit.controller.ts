import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { PageOf } from '../common/dto/page.dto';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { UuidParam } from '../common/uuid-param.pipe';
import { PageQueryDto } from '../common/validation';
import { AuditService } from './audit.service';
import { AuditAccessEntryDto, AuditEventResponseDto, AuditVerifyResponseDto, CaseHistoryResponseDto } from './dto/audit-event.dto';
import { AuditExportDto, AuditFiltersDto } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('audit/events')
  @ApiOperation({ summary: 'Audit events across all cases, oldest first (auditors and admins)' })
  @ApiOkResponse({ type: PageOf(AuditEventResponseDto) })
  events(@CurrentUser() user: DirectoryUser, @Query() q: AuditFiltersDto) {
    return this.audit.events(user, q);
  }

  @Get('audit/export')
  @ApiProduces('application/x-ndjson', 'text/csv')
  @ApiOperation({ summary: 'Stream every matching event as JSON lines or CSV (auditors and admins)' })
  @ApiOkResponse({
    description: 'JSON lines (one AuditEventResponseDto per line) or CSV with the same columns',
    content: { 'application/x-ndjson': { schema: { type: 'string' } }, 'text/csv': { schema: { type: 'string' } } },
  })
  export(@CurrentUser() user: DirectoryUser, @Query() q: AuditExportDto) {
    return this.audit.export(user, q);
  }

  @Get('audit/verify')
  @ApiOperation({ summary: 'Verify the whole hash chain; names the first bad event' })
  @ApiOkResponse({ type: AuditVerifyResponseDto })
  verify(@CurrentUser() user: DirectoryUser) {
    return this.audit.verify(user);
  }

  @Get('audit/access-log')
  @ApiOperation({ summary: 'Who read or exported the audit trail, newest first' })
  @ApiOkResponse({ type: PageOf(AuditAccessEntryDto) })
  accessLog(@CurrentUser() user: DirectoryUser, @Query() q: PageQueryDto) {
    return this.audit.accessLogPage(user, q.limit ?? 50, q.cursor);
  }

  @Get('cases/:caseType/:caseId/history')
  @ApiOperation({ summary: "The case's Temporal workflow history, every run (auditors and admins)" })
  @ApiOkResponse({ type: CaseHistoryResponseDto })
  history(@CurrentUser() user: DirectoryUser, @Param('caseType') caseType: string, @Param('caseId', UuidParam) caseId: string) {
    return this.audit.history(user, caseType, caseId);
  }
}
