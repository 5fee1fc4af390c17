import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An Idempotency-Key is scoped to the caller and the case type: the same key sent for a change request and a
 * complaint names two requests, not one. (Keyed by caller and key only, the second answered with the first's
 * row or collided on its case id.)
 */
export class IdempotencyPerCaseType1765008000000 implements MigrationInterface {
  name = 'IdempotencyPerCaseType1765008000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT pk_idempotency_keys`);
    await q.query(`ALTER TABLE idempotency_keys ADD CONSTRAINT pk_idempotency_keys PRIMARY KEY (caller_id, case_type, key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE idempotency_keys DROP CONSTRAINT pk_idempotency_keys`);
    await q.query(`ALTER TABLE idempotency_keys ADD CONSTRAINT pk_idempotency_keys PRIMARY KEY (caller_id, key)`);
  }
}
