import { Module } from '@nestjs/common';
import { ApprovalReportsController } from './approval-reports.controller';
import { ApprovalReportsService } from './approval-reports.service';
import { ApprovalRequestsController } from './approval-requests.controller';
import { ApprovalRequestsService } from './approval-requests.service';
import { ApprovalTypesController } from './approval-types.controller';
import { approvalTypesProvider } from './approval-types.provider';

@Module({
  controllers: [ApprovalTypesController, ApprovalRequestsController, ApprovalReportsController],
  providers: [ApprovalRequestsService, ApprovalReportsService, approvalTypesProvider],
})
export class ApprovalRequestsModule {}
