import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A second unique constraint on cases (besides the primary key) made concurrent first commits of the same
 * case fail: ON CONFLICT (id) only absorbs conflicts on the key. The workflow id derives from the case id,
 * so the key already keeps it unique; a plain index serves lookups by workflow id.
 */
export class CaseWorkflowIdIndex1764489600000 implements MigrationInterface {
  name = 'CaseWorkflowIdIndex1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE cases DROP CONSTRAINT uq_cases_workflow_id`);
    await q.query(`CREATE INDEX idx_cases_workflow_id ON cases (workflow_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_cases_workflow_id`);
    await q.query(`ALTER TABLE cases ADD CONSTRAINT uq_cases_workflow_id UNIQUE (workflow_id)`);
  }
}
