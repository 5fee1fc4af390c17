import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DelegationRepository } from '@steward/persistence';
import { DelegationsController } from './delegations.controller';
import { DelegationsService } from './delegations.service';

@Module({
  controllers: [DelegationsController],
  providers: [DelegationsService, { provide: DelegationRepository, inject: [DataSource], useFactory: (ds: DataSource) => new DelegationRepository(ds) }],
  // Case types that read delegations as they accept a case (change requests: level 1's delegates).
  exports: [DelegationRepository],
})
export class DelegationsModule {}
