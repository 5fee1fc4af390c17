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
  const { where, params } = auditWhere(f);
  const client: PoolClient = await pool.connect();
  const stream = client.query(new QueryStream(`SELECT * FROM audit_events ${where} ORDER BY seq`, params, { batchSize }));
  try {
    for await (const row of stream) yield auditEventFromRow(row as AuditEventRow);
  } finally {
    stream.destroy();
    client.release();
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
 * newest events would otherwise leave a shorter chain that still links up.
 */
export async function verifyAuditChain(pool: Pool): Promise<ChainVerdict> {
  const verdict = await verifyAuditEvents(streamAuditEvents(pool, {}));
  if (!verdict.ok) return verdict;
  const { rows } = await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  const head = rows[0];
  if (head && (Number(head.seq) !== verdict.headSeq || head.hash !== verdict.headHash)) {
    return {
      ok: false,
      firstBadSeq: verdict.headSeq + 1,
      reason: `the chain ends at seq ${verdict.headSeq} (${verdict.headHash}) but its head records seq ${head.seq} (${head.hash})`,
      checked: verdict.checked,
    };
  }
  return verdict;
}
