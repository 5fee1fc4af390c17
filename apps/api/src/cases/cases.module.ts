import { Global, Module } from '@nestjs/common';
import { CaseActions } from './case-actions.service';
import { CaseReader } from './case-reader.service';
import { CaseKit } from './case-type.service';
import { IdempotencyService } from './idempotency.service';

/** What every case type's API module shares: reading the read model and idempotent creation. */
@Global()
@Module({ providers: [CaseReader, IdempotencyService, CaseActions, CaseKit], exports: [CaseReader, IdempotencyService, CaseActions, CaseKit] })
export class CasesModule {}
