import { MigrationInterface, QueryRunner } from 'typeorm';

/** Columns that complaint lists filter and reports group on: the owner, the priority, and whether any SLA was breached. */
export class CaseListColumns1764403200000 implements MigrationInterface {
  name = 'CaseListColumns1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN owner_id text, ADD COLUMN priority text, ADD COLUMN breached boolean`);
    await q.query(`CREATE INDEX idx_cases_type_owner ON cases (case_type, owner_id) WHERE owner_id IS NOT NULL`);
    await q.query(`CREATE INDEX idx_cases_type_status ON cases (case_type, status)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_cases_type_status`);
    await q.query(`DROP INDEX idx_cases_type_owner`);
    await q.query(`ALTER TABLE cases DROP COLUMN breached, DROP COLUMN priority, DROP COLUMN owner_id`);
  }
}
