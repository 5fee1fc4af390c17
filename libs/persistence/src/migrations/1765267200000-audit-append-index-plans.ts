import { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE = `audit_append(text[], uuid[], timestamptz[], text, uuid, text[], text[], text[], text[], jsonb[], text, text, text[], text[])`;

/**
 * audit_append never plans a sequential scan (`enable_seqscan = off` while it runs). PL/pgSQL keeps a plan per
 * statement and connection, and after five calls Postgres may keep a generic one: made while audit_events was
 * still small (a new deployment, a test database), it scanned the whole table for the keys, twice per commit
 * and once of them with the chain head locked, for as long as the connection lived. Every statement of the
 * function finds rows by a unique key (event_key, the head's id), where an index is right at any size, so
 * the plans stay cached and correct. (`plan_cache_mode = force_custom_plan` fixes the same, but plans every
 * statement at every call: measured, more CPU per commit.) Only the setting changes, not what the function
 * computes.
 */
export class AuditAppendIndexPlans1765267200000 implements MigrationInterface {
  name = 'AuditAppendIndexPlans1765267200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} SET enable_seqscan = off`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER FUNCTION ${SIGNATURE} RESET enable_seqscan`);
  }
}
