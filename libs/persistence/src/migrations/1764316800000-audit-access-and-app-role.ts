import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Who read the audit trail (append-only, like the trail itself), and `steward_app`: the role the API and
 * worker run as. It may append audit events but owns no table, so it can neither disable nor drop the
 * triggers that keep the trail append-only; only the owner (who runs migrations) could.
 */
export class AuditAccessAndAppRole1764316800000 implements MigrationInterface {
  name = 'AuditAccessAndAppRole1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TABLE audit_access_log (
        id bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT pk_audit_access_log PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_id text NOT NULL,
        action text NOT NULL,
        target jsonb NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_audit_access_log_at ON audit_access_log (at)`);
    await q.query(`
      CREATE TRIGGER trg_audit_access_log_append_only BEFORE UPDATE OR DELETE ON audit_access_log
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER trg_audit_access_log_no_truncate BEFORE TRUNCATE ON audit_access_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);

    // Roles belong to the cluster: create it once, and carry on where the migrating user may not create roles.
    await q.query(`
      DO $$ BEGIN
        CREATE ROLE steward_app NOLOGIN;
      EXCEPTION
        WHEN duplicate_object THEN NULL;
        WHEN insufficient_privilege THEN RAISE NOTICE 'cannot create role steward_app: grant it yourself (see docs/AUDIT.md)';
      END $$`);
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'steward_app') THEN
          GRANT USAGE ON SCHEMA public TO steward_app;
          GRANT SELECT, INSERT, UPDATE, DELETE ON directory_teams, directory_users, cases, human_tasks, notifications, idempotency_keys TO steward_app;
          GRANT SELECT, INSERT ON audit_events, audit_access_log TO steward_app;
          GRANT SELECT, UPDATE ON audit_chain_head TO steward_app;
          GRANT SELECT ON typeorm_migrations TO steward_app;
          GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO steward_app;
        END IF;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'steward_app') THEN
          REVOKE ALL ON ALL TABLES IN SCHEMA public FROM steward_app;
          REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM steward_app;
          REVOKE USAGE ON SCHEMA public FROM steward_app;
        END IF;
      END $$`);
    await q.query(`DROP TABLE audit_access_log`);
  }
}
