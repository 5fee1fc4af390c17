import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Delegations of approvals for a window of time (all case types), and the delegator a task is done for. A
 * revoked delegation keeps its row: who could approve for whom, and when, stays answerable.
 */
export class Delegations1764921600000 implements MigrationInterface {
  name = 'Delegations1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE delegations (
        id uuid CONSTRAINT pk_delegations PRIMARY KEY,
        delegator_id text NOT NULL,
        delegate_id text NOT NULL,
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        reason text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT ck_delegations_window CHECK (ends_at > starts_at),
        CONSTRAINT ck_delegations_not_self CHECK (delegator_id <> delegate_id)
      )`);
    await q.query(`CREATE INDEX idx_delegations_delegator ON delegations (delegator_id, starts_at) WHERE revoked_at IS NULL`);
    await q.query(`CREATE INDEX idx_delegations_delegate ON delegations (delegate_id, starts_at) WHERE revoked_at IS NULL`);
    await q.query(`ALTER TABLE human_tasks ADD COLUMN on_behalf_of text`);
    // The API and worker connect as steward_app (see 1764316800000): no DELETE, a delegation is revoked instead.
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'steward_app') THEN
          GRANT SELECT, INSERT, UPDATE ON delegations TO steward_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE human_tasks DROP COLUMN on_behalf_of`);
    await q.query(`DROP TABLE delegations`);
  }
}
