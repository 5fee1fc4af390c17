import { Module } from '@nestjs/common';
import { DelegationsModule } from '../delegations/delegations.module';
import { ChangeRequestsController } from './change-requests.controller';
import { ChangeRequestsService } from './change-requests.service';

@Module({ imports: [DelegationsModule], controllers: [ChangeRequestsController], providers: [ChangeRequestsService] })
export class ChangeRequestsModule {}
