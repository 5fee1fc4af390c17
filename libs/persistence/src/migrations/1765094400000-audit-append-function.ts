import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_append`: appends one commit's audit events to the hash chain in a single statement, so the chain
 * head is locked for one round trip (and the COMMIT) instead of four (lock, check keys, insert, move head).
 *
 * The hashes are exactly the ones the app computed before (`chainHash`): hash = hex(SHA-256(prevHash +
 * JCS(payload))). JCS stays computed in the app, which passes each payload's canonical JSON split around the
 * seq it cannot know yet (`payloadJcsAroundSeq`): `jcs_heads[i]` ends with `"seq":` and `jcs_tails[i]`
 * starts with the `,` after the number. Here the seq is put in between (bigint::text writes the same digits
 * as JavaScript does for a safe integer), prefixed with the previous hash, encoded as UTF-8 and hashed with
 * the built-in sha256(bytea) (PostgreSQL 11 and later; no extension needed).
 *
 * Keys already in the chain (a retried commit) are skipped: checked once before taking the lock, so a retry
 * of a commit that was fully written locks nothing, and again under the lock, so two concurrent attempts of
 * the same commit cannot both append.
 *
 * SECURITY INVOKER (the default): the caller needs its own INSERT on audit_events and UPDATE on
 * audit_chain_head, which the app role already has; the function grants nothing more. It is owned by the
 * migrating role, so the app role cannot replace it.
 */
export class AuditAppendFunction1765094400000 implements MigrationInterface {
  name = 'AuditAppendFunction1765094400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append(
        p_keys text[], p_ids uuid[], p_ats timestamptz[], p_case_type text, p_case_id uuid, p_actor_ids text[],
        p_actions text[], p_from_statuses text[], p_to_statuses text[], p_data jsonb[], p_workflow_id text,
        p_run_id text, p_jcs_heads text[], p_jcs_tails text[]
      ) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        n_drafts integer := coalesce(array_length(p_keys, 1), 0);
        existing text[];
        head_seq bigint;
        prev text;
        new_hash text;
        appended integer := 0;
      BEGIN
        IF n_drafts = 0 THEN
          RETURN 0;
        END IF;
        IF array_length(p_ids, 1) IS DISTINCT FROM n_drafts OR array_length(p_ats, 1) IS DISTINCT FROM n_drafts
           OR array_length(p_actor_ids, 1) IS DISTINCT FROM n_drafts OR array_length(p_actions, 1) IS DISTINCT FROM n_drafts
           OR array_length(p_from_statuses, 1) IS DISTINCT FROM n_drafts OR array_length(p_to_statuses, 1) IS DISTINCT FROM n_drafts
           OR array_length(p_data, 1) IS DISTINCT FROM n_drafts OR array_length(p_jcs_heads, 1) IS DISTINCT FROM n_drafts
           OR array_length(p_jcs_tails, 1) IS DISTINCT FROM n_drafts THEN
          RAISE EXCEPTION 'audit_append: the arrays must all have % elements', n_drafts USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- A retry of a commit that was fully written: nothing to append, nothing to lock.
        IF NOT EXISTS (SELECT 1 FROM unnest(p_keys) AS k(key) WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.event_key = k.key)) THEN
          RETURN 0;
        END IF;
        SELECT h.seq, h.hash INTO head_seq, prev FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE;
        -- Under the lock (each statement sees what committed before it): keys a concurrent attempt has written.
        SELECT coalesce(array_agg(e.event_key), '{}') INTO existing FROM audit_events e WHERE e.event_key = ANY (p_keys);
        FOR i IN 1 .. n_drafts LOOP
          CONTINUE WHEN p_keys[i] = ANY (existing);
          head_seq := head_seq + 1;
          new_hash := encode(sha256(convert_to(prev || p_jcs_heads[i] || head_seq::text || p_jcs_tails[i], 'UTF8')), 'hex');
          INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status,
            data, workflow_id, run_id, prev_hash, hash)
          VALUES (head_seq, p_ids[i], p_keys[i], p_ats[i], p_case_type, p_case_id, p_actor_ids[i], p_actions[i],
            p_from_statuses[i], p_to_statuses[i], p_data[i], p_workflow_id, p_run_id, prev, new_hash);
          prev := new_hash;
          appended := appended + 1;
        END LOOP;
        IF appended > 0 THEN
          UPDATE audit_chain_head SET seq = head_seq, hash = prev WHERE id = 1;
        END IF;
        RETURN appended;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION audit_append(text[], uuid[], timestamptz[], text, uuid, text[], text[], text[], text[], jsonb[], text, text, text[], text[])`,
    );
  }
}
