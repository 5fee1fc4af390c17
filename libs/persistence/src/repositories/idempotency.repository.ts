import { DataSource } from 'typeorm';
import { IdempotencyKeyEntity } from '../entities';

export interface IdempotencyEntry {
  caseType: string;
  caseId: string;
  requestHash: string;
  response: object;
}

/** First responses of case-creating requests, by caller, case type and Idempotency-Key. */
export class IdempotencyRepository {
  constructor(private readonly dataSource: DataSource) {}

  find(callerId: string, caseType: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return this.dataSource.getRepository(IdempotencyKeyEntity).findOneBy({ callerId, caseType, key });
  }

  /** Stores the entry unless one exists; returns the stored one (the earlier, when two requests race). */
  async insertOrGet(callerId: string, key: string, entry: IdempotencyEntry): Promise<IdempotencyKeyEntity> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(IdempotencyKeyEntity)
      .values({ callerId, key, ...entry, createdAt: new Date() })
      .orIgnore()
      .execute();
    return this.dataSource.getRepository(IdempotencyKeyEntity).findOneByOrFail({ callerId, caseType: entry.caseType, key });
  }
}
