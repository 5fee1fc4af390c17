import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1764230400000 implements MigrationInterface {
  name = 'InitialSchema1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directory_teams (
        id text CONSTRAINT pk_directory_teams PRIMARY KEY,
        name text NOT NULL,
        lead_id text
      )`);
    await q.query(`
      CREATE TABLE directory_users (
        id text CONSTRAINT pk_directory_users PRIMARY KEY,
        name text NOT NULL,
        email text NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        manager_id text CONSTRAINT fk_directory_users_manager REFERENCES directory_users (id) DEFERRABLE INITIALLY DEFERRED,
        team_id text CONSTRAINT fk_directory_users_team REFERENCES directory_teams (id) DEFERRABLE INITIALLY DEFERRED
      )`);
    await q.query(`CREATE INDEX idx_directory_users_roles ON directory_users USING gin (roles)`);
    await q.query(`CREATE INDEX idx_directory_users_team ON directory_users (team_id)`);

    await q.query(`
      CREATE TABLE cases (
        id uuid CONSTRAINT pk_cases PRIMARY KEY,
        case_type text NOT NULL,
        status text NOT NULL,
        workflow_id text NOT NULL CONSTRAINT uq_cases_workflow_id UNIQUE,
        requester_id text,
        participants text[] NOT NULL DEFAULT '{}',
        view jsonb NOT NULL,
        version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_cases_type_created ON cases (case_type, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_cases_participants ON cases USING gin (participants)`);

    await q.query(`
      CREATE TABLE human_tasks (
        id uuid CONSTRAINT pk_human_tasks PRIMARY KEY DEFAULT gen_random_uuid(),
        task_key text NOT NULL CONSTRAINT uq_human_tasks_key UNIQUE,
        case_type text NOT NULL,
        case_id uuid NOT NULL,
        assignee_id text NOT NULL,
        kind text NOT NULL,
        title text NOT NULL,
        due_at timestamptz,
        created_at timestamptz NOT NULL,
        completed_at timestamptz,
        outcome text
      )`);
    await q.query(`CREATE INDEX idx_human_tasks_open ON human_tasks (assignee_id, created_at) WHERE completed_at IS NULL`);
    await q.query(`CREATE INDEX idx_human_tasks_case ON human_tasks (case_id)`);

    await q.query(`
      CREATE TABLE notifications (
        id uuid CONSTRAINT pk_notifications PRIMARY KEY DEFAULT gen_random_uuid(),
        notification_key text NOT NULL CONSTRAINT uq_notifications_key UNIQUE,
        user_id text NOT NULL,
        case_type text NOT NULL,
        case_id uuid NOT NULL,
        kind text NOT NULL,
        message text NOT NULL,
        created_at timestamptz NOT NULL,
        read_at timestamptz
      )`);
    await q.query(`CREATE INDEX idx_notifications_user ON notifications (user_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE audit_events (
        seq bigint CONSTRAINT pk_audit_events PRIMARY KEY,
        id uuid NOT NULL CONSTRAINT uq_audit_events_id UNIQUE,
        event_key text NOT NULL CONSTRAINT uq_audit_events_key UNIQUE,
        at timestamptz NOT NULL,
        case_type text NOT NULL,
        case_id uuid NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        from_status text,
        to_status text,
        data jsonb NOT NULL,
        workflow_id text NOT NULL,
        run_id text NOT NULL,
        prev_hash char(64) NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_audit_events_case ON audit_events (case_id, seq)`);
    await q.query(`CREATE INDEX idx_audit_events_actor ON audit_events (actor_id, seq)`);
    await q.query(`CREATE INDEX idx_audit_events_at ON audit_events (at)`);
    // The chain head is one row: appenders lock it, so seq stays gap-free and prev_hash is always the last hash.
    await q.query(`
      CREATE TABLE audit_chain_head (
        id smallint CONSTRAINT pk_audit_chain_head PRIMARY KEY CONSTRAINT ck_audit_chain_head_single CHECK (id = 1),
        seq bigint NOT NULL,
        hash char(64) NOT NULL
      )`);
    await q.query(`INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, 0, repeat('0', 64))`);
    await q.query(`
      CREATE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change()`);
    await q.query(`
      CREATE TRIGGER trg_audit_events_no_truncate BEFORE TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change()`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        caller_id text NOT NULL,
        key text NOT NULL,
        case_type text NOT NULL,
        case_id uuid NOT NULL,
        request_hash char(64) NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_idempotency_keys PRIMARY KEY (caller_id, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE idempotency_keys`);
    await q.query(`DROP TABLE audit_chain_head`);
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_refuse_change()`);
    await q.query(`DROP TABLE notifications`);
    await q.query(`DROP TABLE human_tasks`);
    await q.query(`DROP TABLE cases`);
    await q.query(`DROP TABLE directory_users`);
    await q.query(`DROP TABLE directory_teams`);
  }
}
