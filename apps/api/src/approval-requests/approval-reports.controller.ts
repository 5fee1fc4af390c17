import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApprovalReportsService } from './approval-reports.service';
import { ApprovalReportDto, ApprovalReportQuery, LevelWaitDto, TypeReportDto } from './dto/approval-report.dto';

@ApiTags('reports')
@ApiBearerAuth()
@ApiExtraModels(TypeReportDto, LevelWaitDto)
@Controller('reports')
export class ApprovalReportsController {
  constructor(private readonly reports: ApprovalReportsService) {}

  @Get('approvals')
  @ApiOperation({ summary: 'Per request type: count, approved %, cycle time p50/p90 (submission to decision), waiting time per level; requests submitted in [from, to)' })
  @ApiOkResponse({ type: ApprovalReportDto })
  approvals(@CurrentUser() user: DirectoryUser, @Query() q: ApprovalReportQuery) {
    return this.reports.report(user, q);
  }
}
