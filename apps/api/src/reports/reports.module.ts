import { Module } from '@nestjs/common';
import { ComplaintReportsController } from './complaint-reports.controller';
import { ComplaintReportsService } from './complaint-reports.service';

@Module({ controllers: [ComplaintReportsController], providers: [ComplaintReportsService] })
export class ReportsModule {}
