import { Global, Module } from '@nestjs/common';
import { CaseReader } from './case-reader.service';
import { IdempotencyService } from './idempotency.service';

/** What every case type's API module shares: reading the read model and idempotent creation. */
@Global()
@Module({ providers: [CaseReader, IdempotencyService], exports: [CaseReader, IdempotencyService] })
export class CasesModule {}
