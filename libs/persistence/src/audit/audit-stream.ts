import { Pool, PoolClient } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { AuditEvent, ChainVerdict, ChainVerifier } from './audit-chain';
import { auditEventFromRow, AuditEventRow } from './audit-event.mapper';

export interface AuditFilters {
  caseType?: string;
  caseId?: string;
  actorId?: string;
  action?: string;
  /** Inclusive lower bound on `at` (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO 8601). */
  to?: string;
  /** Only events after this seq (cursor pagination). */
  afterSeq?: number;
  /**
   * A seq range (inclusive). Unlike `from`/`to`, which filter on when the workflow acted, a seq range is one
   * unbroken stretch of the chain, so its export verifies with --trust-first-link.
   */
  fromSeq?: number;
  toSeq?: number;
}

/** WHERE clause and parameters for the filters; the one place that knows how filters map to columns. */
export function auditWhere(f: AuditFilters): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (f.caseType) add('case_type = ?', f.caseType);
  if (f.caseId) add('case_id = ?', f.caseId);
  if (f.actorId) add('actor_id = ?', f.actorId);
  if (f.action) add('action = ?', f.action);
  if (f.from) add('at >= ?', f.from);
  if (f.to) add('at < ?', f.to);
  if (f.afterSeq !== undefined) add('seq > ?', f.afterSeq);
  if (f.fromSeq !== undefined) add('seq >= ?', f.fromSeq);
  if (f.toSeq !== undefined) add('seq <= ?', f.toSeq);
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export async function queryAuditEvents(ds: DataSource, f: AuditFilters, limit: number): Promise<AuditEvent[]> {
  const { where, params } = auditWhere(f);
  const rows: AuditEventRow[] = await ds.query(`SELECT * FROM audit_events ${where} ORDER BY seq LIMIT ${Math.floor(limit)}`, params);
  return rows.map(auditEventFromRow);
}

/** The pg pool under a TypeORM data source, for server-side cursors. */
export function poolOf(ds: DataSource): Pool {
  return (ds.driver as unknown as { master: Pool }).master;
}

/**
 * Every matching event in seq order, read through a server-side cursor in batches: memory stays constant
 * whatever the size of the trail. The connection is released when iteration ends or is abandoned.
 */
export async function* streamAuditEvents(pool: Pool, f: AuditFilters, batchSize = 1000): AsyncGenerator<AuditEvent> {
  const client: PoolClient = await pool.connect();
  try {
    yield* streamAuditEventsOn(client, f, batchSize);
  } finally {
    client.release();
  }
}

/** The same stream on a connection the caller holds (e.g. inside its own transaction). */
async function* streamAuditEventsOn(client: PoolClient, f: AuditFilters, batchSize: number): AsyncGenerator<AuditEvent> {
  const { where, params } = auditWhere(f);
  const stream = client.query(new QueryStream(`SELECT * FROM audit_events ${where} ORDER BY seq`, params, { batchSize }));
  try {
    for await (const row of stream) yield auditEventFromRow(row as AuditEventRow);
  } finally {
    stream.destroy();
  }
}

/**
 * Verifies events as they stream by; stops reading at the first broken link. With `trustFirstLink`, a
 * stream that starts mid-chain (an export filtered by `from`) is checked from its first event's prevHash on.
 */
export async function verifyAuditEvents(events: AsyncIterable<AuditEvent>, { trustFirstLink = false } = {}): Promise<ChainVerdict> {
  let verifier: ChainVerifier | null = trustFirstLink ? null : new ChainVerifier();
  for await (const event of events) {
    verifier ??= new ChainVerifier({ seq: event.seq - 1, hash: event.prevHash });
    if (!verifier.push(event)) break;
  }
  return (verifier ?? new ChainVerifier()).verdict();
}

/**
 * Verifies the whole chain in the database, and that it ends where the chain head says: deleting the
 * newest events would otherwise leave a shorter chain that still links up. Events and head are read in one
 * REPEATABLE READ snapshot, so appends committing while the chain streams by cannot look like a mismatch.
 */
export async function verifyAuditChain(pool: Pool): Promise<ChainVerdict> {
  const client: PoolClient = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows } = await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    const verdict = await verifyAuditEvents(streamAuditEventsOn(client, {}, 1000));
    await client.query('COMMIT');
    const head = rows[0];
    if (!verdict.ok || !head) return verdict;
    const headSeq = Number(head.seq);
    if (headSeq !== verdict.headSeq || head.hash !== verdict.headHash) {
      // Missing newest events fail at the first missing seq; events beyond the head (forged appends) at the
      // first one past it; a newest event that differs from the head at the head's own seq.
      const firstBadSeq = verdict.headSeq < headSeq ? verdict.headSeq + 1 : verdict.headSeq > headSeq ? headSeq + 1 : headSeq;
      return {
        ok: false,
        firstBadSeq,
        reason: `the chain ends at seq ${verdict.headSeq} (${verdict.headHash}) but its head records seq ${head.seq} (${head.hash})`,
        checked: verdict.checked,
      };
    }
    return verdict;
  } catch (err) {
    failed = err as Error;
    throw err;
  } finally {
    // A connection that failed mid-transaction is discarded rather than returned to the pool.
    client.release(failed);
  }
}
