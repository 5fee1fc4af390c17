import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { DirectoryUser } from '@steward/directory';
import { CurrentUser } from '../auth/current-user.decorator';
import { ComplaintReportsService } from './complaint-reports.service';
import { ComplaintReportQueryDto, ComplaintReportResponseDto, PriorityFiguresDto } from './dto/complaint-report.dto';

@ApiTags('reports')
@ApiBearerAuth()
@ApiExtraModels(PriorityFiguresDto)
@Controller('reports')
export class ComplaintReportsController {
  constructor(private readonly reports: ComplaintReportsService) {}

  @Get('complaints')
  @ApiOperation({ summary: 'SLA compliance per priority, reopen rate, mean resolution time and breaches, for complaints opened in [from, to)' })
  @ApiOkResponse({ type: ComplaintReportResponseDto })
  complaints(@CurrentUser() user: DirectoryUser, @Query() q: ComplaintReportQueryDto): Promise<ComplaintReportResponseDto> {
    return this.reports.report(user, q);
  }
}
