import { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE = `audit_append(text[], uuid[], timestamptz[], text, uuid, text[], text[], text[], text[], jsonb[], text, text, text[], text[])`;

/**
 * audit_append plans its statements every time it runs (`plan_cache_mode = force_custom_plan` while it runs),
 * with the table as it is then. PL/pgSQL keeps a plan per connection; after five calls Postgres may switch to
 * a generic plan, and one made while audit_events was still small (a new deployment, a test database) scans
 * the whole table for the keys: the connection then read every event twice per commit, once of them with the
 * chain head locked, for as long as it lived. Only the setting changes, not what the function computes.
 */
export class AuditAppendCustomPlans1765267200000 implements MigrationInterface {
  name = 'AuditAppendCustomPlans1765267200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} SET plan_cache_mode = force_custom_plan`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} RESET plan_cache_mode`);
  }
}
