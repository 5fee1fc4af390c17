import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { ConfigModule, loggerParams, StewardConfig } from '@steward/config';
import { DirectoryModule } from '@steward/directory';
import { PersistenceModule } from '@steward/persistence';
import { TemporalClientModule } from '@steward/temporal';
import { ApprovalRequestsModule } from './approval-requests/approval-requests.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CasesModule } from './cases/cases.module';
import { ChangeRequestsModule } from './change-requests/change-requests.module';
import { ComplaintsModule } from './complaints/complaints.module';
import { CrisesModule } from './crises/crises.module';
import { DelegationsModule } from './delegations/delegations.module';
import { HealthModule } from './health/health.module';
import { MeModule } from './me/me.module';
import { NotificationsModule } from './notifications/notifications.module';
import { PipsModule } from './pips/pips.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';
import { ReportsModule } from './reports/reports.module';
import { TasksModule } from './tasks/tasks.module';
import { WebModule } from './web/web.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Module({})
export class AppModule {
  static forRoot(config: StewardConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, 'api')),
        PersistenceModule.forRoot({ migrate: true }),
        DirectoryModule,
        TemporalClientModule,
        // Before AuthModule: its guard runs first, so callers without a valid token are limited too.
        RateLimitModule,
        AuthModule,
        CasesModule,
        AuditModule,
        HealthModule,
        MeModule,
        TasksModule,
        NotificationsModule,
        ChangeRequestsModule,
        ComplaintsModule,
        CrisesModule,
        ReportsModule,
        PipsModule,
        ApprovalRequestsModule,
        DelegationsModule,
        WebhooksModule,
        WebModule.forRoot(config),
      ],
    };
  }
}
