import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shared `cases` table keeps only what every case type has. Who may read a case by role (HR for plans,
 * executives for crises, service staff for complaints) is `reader_roles`; what one case type filters on lives
 * in its view, served by partial expression indexes that its own migration creates.
 */
export class CaseKit1764576000000 implements MigrationInterface {
  name = 'CaseKit1764576000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN reader_roles text[] NOT NULL DEFAULT '{}'`);
    await q.query(`UPDATE cases SET reader_roles = '{agent,team_lead,supervisor}' WHERE case_type = 'complaint'`);
    await q.query(`CREATE INDEX idx_cases_reader_roles ON cases USING gin (reader_roles)`);
    await q.query(`CREATE INDEX idx_complaints_owner ON cases ((view ->> 'ownerId')) WHERE case_type = 'complaint'`);
    await q.query(`CREATE INDEX idx_complaints_priority ON cases ((view ->> 'priority')) WHERE case_type = 'complaint'`);
    await q.query(`DROP INDEX idx_cases_type_owner`);
    await q.query(`ALTER TABLE cases DROP COLUMN breached, DROP COLUMN priority, DROP COLUMN owner_id`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases ADD COLUMN owner_id text, ADD COLUMN priority text, ADD COLUMN breached boolean`);
    await q.query(
      `UPDATE cases SET owner_id = view ->> 'ownerId', priority = view ->> 'priority', breached = (view ->> 'breached')::boolean WHERE case_type = 'complaint'`,
    );
    await q.query(`CREATE INDEX idx_cases_type_owner ON cases (case_type, owner_id) WHERE owner_id IS NOT NULL`);
    await q.query(`DROP INDEX idx_complaints_priority`);
    await q.query(`DROP INDEX idx_complaints_owner`);
    await q.query(`DROP INDEX idx_cases_reader_roles`);
    await q.query(`ALTER TABLE cases DROP COLUMN reader_roles`);
  }
}
