import { Module } from '@nestjs/common';
import { ComplaintsController } from './complaints.controller';
import { ComplaintsService } from './complaints.service';
import { slaPoliciesProvider } from './sla-policies.provider';

@Module({ controllers: [ComplaintsController], providers: [ComplaintsService, slaPoliciesProvider] })
export class ComplaintsModule {}
