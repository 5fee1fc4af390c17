import { Global, Module } from '@nestjs/common';
import { AuditAccessService } from './audit-access.service';
import { AuditController } from './audit.controller';
import { AuditService } from './audit.service';

@Global()
@Module({ controllers: [AuditController], providers: [AuditService, AuditAccessService], exports: [AuditAccessService] })
export class AuditModule {}
