import { MigrationInterface, QueryRunner } from 'typeorm';
import { AuditAppendFunction1765094400000 } from './1765094400000-audit-append-function';
import { AuditAppendIndexPlans1765267200000 } from './1765267200000-audit-append-index-plans';

/**
 * `audit_append_cases` replaces `audit_append`: the same append, but each event names its own case (case type,
 * case id, workflow id, run id), so the events of every commit in a transaction go into the chain in one call.
 * CaseStore writes the commits that wait together in one transaction; with one call per commit the chain head
 * was locked by the first call and held through every other, one statement each.
 *
 * What it computes is `audit_append`'s, byte for byte: hash = hex(SHA-256(prevHash + JCS(payload))), the JCS
 * passed by the app split around the seq (`payloadJcsAroundSeq`). Keys already in the chain (a retried commit)
 * are skipped, checked once before taking the head's lock (a retry of commits fully written locks nothing) and
 * again under it (two concurrent attempts of the same commit cannot both append). The events are inserted by
 * one INSERT after the loop that numbers and hashes them, not one INSERT each.
 *
 * Returns, for each event in the order given, the seq it got, or null when its key was already in the chain.
 *
 * `enable_seqscan = off` while it runs, as `audit_append` had (AuditAppendIndexPlans1765267200000): every
 * statement finds rows by a unique key, where an index is right at any table size, and a generic plan made
 * while the table was small must not scan it. SECURITY INVOKER (the default): the caller needs its own INSERT on
 * audit_events and UPDATE on audit_chain_head.
 */
export class AuditAppendCases1765353600000 implements MigrationInterface {
  name = 'AuditAppendCases1765353600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION audit_append_cases(
        p_keys text[], p_ids uuid[], p_ats timestamptz[], p_case_types text[], p_case_ids uuid[], p_actor_ids text[],
        p_actions text[], p_from_statuses text[], p_to_statuses text[], p_data jsonb[], p_workflow_ids text[],
        p_run_ids text[], p_jcs_heads text[], p_jcs_tails text[]
      ) RETURNS bigint[] LANGUAGE plpgsql SET enable_seqscan = off AS $$
      DECLARE
        n integer := coalesce(array_length(p_keys, 1), 0);
        existing text[];
        head_seq bigint;
        prev text;
        seqs bigint[] := array_fill(NULL::bigint, ARRAY[n]);
        kept integer[] := '{}';
        prevs text[] := '{}';
        hashes text[] := '{}';
      BEGIN
        IF n = 0 THEN
          RETURN '{}';
        END IF;
        IF array_length(p_ids, 1) IS DISTINCT FROM n OR array_length(p_ats, 1) IS DISTINCT FROM n
           OR array_length(p_case_types, 1) IS DISTINCT FROM n OR array_length(p_case_ids, 1) IS DISTINCT FROM n
           OR array_length(p_actor_ids, 1) IS DISTINCT FROM n OR array_length(p_actions, 1) IS DISTINCT FROM n
           OR array_length(p_from_statuses, 1) IS DISTINCT FROM n OR array_length(p_to_statuses, 1) IS DISTINCT FROM n
           OR array_length(p_data, 1) IS DISTINCT FROM n OR array_length(p_workflow_ids, 1) IS DISTINCT FROM n
           OR array_length(p_run_ids, 1) IS DISTINCT FROM n OR array_length(p_jcs_heads, 1) IS DISTINCT FROM n
           OR array_length(p_jcs_tails, 1) IS DISTINCT FROM n THEN
          RAISE EXCEPTION 'audit_append_cases: the arrays must all have % elements', n USING ERRCODE = 'invalid_parameter_value';
        END IF;
        -- Retries of commits that were fully written: nothing to append, nothing to lock.
        IF NOT EXISTS (SELECT 1 FROM unnest(p_keys) AS k(key) WHERE NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.event_key = k.key)) THEN
          RETURN seqs;
        END IF;
        SELECT h.seq, h.hash INTO head_seq, prev FROM audit_chain_head h WHERE h.id = 1 FOR UPDATE;
        -- Under the lock (each statement sees what committed before it): keys a concurrent attempt has written.
        SELECT coalesce(array_agg(e.event_key), '{}') INTO existing FROM audit_events e WHERE e.event_key = ANY (p_keys);
        FOR i IN 1 .. n LOOP
          CONTINUE WHEN p_keys[i] = ANY (existing);
          head_seq := head_seq + 1;
          seqs[i] := head_seq;
          kept := kept || i;
          prevs := prevs || prev;
          prev := encode(sha256(convert_to(prev || p_jcs_heads[i] || head_seq::text || p_jcs_tails[i], 'UTF8')), 'hex');
          hashes := hashes || prev;
        END LOOP;
        IF cardinality(kept) > 0 THEN
          INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status,
            data, workflow_id, run_id, prev_hash, hash)
          SELECT seqs[k.ix], p_ids[k.ix], p_keys[k.ix], p_ats[k.ix], p_case_types[k.ix], p_case_ids[k.ix], p_actor_ids[k.ix],
            p_actions[k.ix], p_from_statuses[k.ix], p_to_statuses[k.ix], p_data[k.ix], p_workflow_ids[k.ix], p_run_ids[k.ix],
            prevs[k.ord], hashes[k.ord]
          FROM unnest(kept) WITH ORDINALITY AS k(ix, ord);
          UPDATE audit_chain_head SET seq = head_seq, hash = prev WHERE id = 1;
        END IF;
        RETURN seqs;
      END $$`);
    await q.query(
      `DROP FUNCTION audit_append(text[], uuid[], timestamptz[], text, uuid, text[], text[], text[], text[], jsonb[], text, text, text[], text[])`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await new AuditAppendFunction1765094400000().up(q);
    await new AuditAppendIndexPlans1765267200000().up(q);
    await q.query(
      `DROP FUNCTION audit_append_cases(text[], uuid[], timestamptz[], text[], uuid[], text[], text[], text[], text[], jsonb[], text[], text[], text[], text[])`,
    );
  }
}
