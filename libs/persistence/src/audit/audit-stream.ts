import { Pool, PoolClient, types } from 'pg';
import QueryStream from 'pg-query-stream';
import { DataSource } from 'typeorm';
import { AuditEvent, ChainVerdict, ChainVerifier } from './audit-chain';
import { auditEventFromRow, AuditEventRow } from './audit-event.mapper';
import { AUDIT_COPY_COLUMNS } from './chain-chunks';
import { DEFAULT_CHUNK_BYTES, ParallelVerifyOptions, verifyChunkStream } from './chunk-pool';
import { CopyOut } from './copy-out';

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

/** Rows fetched per round trip when streaming: big enough that round trips do not count, small enough for memory. */
export const AUDIT_STREAM_BATCH = 2000;

/**
 * Every matching event in seq order, read through a server-side cursor in batches: memory stays constant
 * whatever the size of the trail. The connection is released when iteration ends or is abandoned.
 */
export async function* streamAuditEvents(pool: Pool, f: AuditFilters, batchSize = AUDIT_STREAM_BATCH): AsyncGenerator<AuditEvent> {
  for await (const batch of streamAuditEventBatches(pool, f, batchSize)) yield* batch;
}

/** The same events, a batch (one cursor fetch) at a time: for consumers that write a batch in one go. */
export async function* streamAuditEventBatches(pool: Pool, f: AuditFilters, batchSize = AUDIT_STREAM_BATCH): AsyncGenerator<AuditEvent[]> {
  const client: PoolClient = await pool.connect();
  try {
    yield* streamAuditBatchesOn(client, f, batchSize);
  } finally {
    client.release();
  }
}

const COLUMNS = 'seq, id, at, case_type, case_id, actor_id, action, from_status, to_status, data, workflow_id, run_id, prev_hash, hash';
type AuditEventTuple = [string, string, string, string, string, string, string, string | null, string | null, Record<string, unknown>, string, string, string, string];

const TIMESTAMPTZ_OID = 1184;
const parseTimestamptz = types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => Date;
/** timestamptz arrives as Postgres's text, turned into ISO 8601 by `isoFromPostgres` (no Date per row). */
const RAW_TIMESTAMPTZ = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === TIMESTAMPTZ_OID ? (text: string) => text : types.getTypeParser(oid, format)),
};
/** Postgres's ISO output of a UTC timestamptz: `2026-11-27 10:56:59.855+00` (fraction without trailing zeros). */
const PG_UTC_TIMESTAMP = /^([1-9]\d{3}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,3})\d{0,3})?\+00$/;

/**
 * `at` as `new Date(...).toISOString()` writes it after pg's own parsing, which is what the API shows and
 * what was hashed: milliseconds, the rest of the fraction cut off. The common case (a UTC session, a
 * four-digit year) is rewritten as text; anything else goes through pg's parser and a Date, as before.
 */
export function isoFromPostgres(text: string): string {
  const m = PG_UTC_TIMESTAMP.exec(text);
  if (!m) return parseTimestamptz(text).toISOString();
  const ms = m[3] === undefined ? '000' : m[3].padEnd(3, '0');
  return `${m[1]}T${m[2]}.${ms}Z`;
}

function eventFromTuple(r: AuditEventTuple): AuditEvent {
  return {
    seq: Number(r[0]),
    id: r[1],
    at: isoFromPostgres(r[2]),
    caseType: r[3],
    caseId: r[4],
    actorId: r[5],
    action: r[6],
    fromStatus: r[7],
    toStatus: r[8],
    data: r[9],
    workflowId: r[10],
    runId: r[11],
    prevHash: r[12],
    hash: r[13],
  };
}

/**
 * The stream on a connection the caller holds (e.g. inside its own transaction), in batches. Rows come as
 * arrays, not objects, and timestamps as text: two allocations less per event.
 */
async function* streamAuditBatchesOn(client: PoolClient, f: AuditFilters, batchSize: number): AsyncGenerator<AuditEvent[]> {
  const { where, params } = auditWhere(f);
  const stream = client.query(
    new QueryStream(`SELECT ${COLUMNS} FROM audit_events ${where} ORDER BY seq`, params, { batchSize, rowMode: 'array', types: RAW_TIMESTAMPTZ }),
  );
  try {
    let batch: AuditEvent[] = [];
    for await (const row of stream) {
      batch.push(eventFromTuple(row as AuditEventTuple));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
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

/** The same over batches of events (one await per batch, not per event). */
export async function verifyAuditEventBatches(batches: AsyncIterable<AuditEvent[]>, { trustFirstLink = false } = {}): Promise<ChainVerdict> {
  let verifier: ChainVerifier | null = trustFirstLink ? null : new ChainVerifier();
  for await (const batch of batches) {
    for (const event of batch) {
      verifier ??= new ChainVerifier({ seq: event.seq - 1, hash: event.prevHash });
      if (!verifier.push(event)) return verifier.verdict();
    }
  }
  return (verifier ?? new ChainVerifier()).verdict();
}

/** The chain's head row (its last seq and hash), as `db` sees it: in its transaction's snapshot when it is in one. */
export async function readChainHead(db: Pool | PoolClient): Promise<{ seq: number; hash: string } | null> {
  const { rows } = await db.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
  return rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : null;
}

/**
 * Verifies the whole chain in the database, and that it ends where the chain head says: deleting the
 * newest events would otherwise leave a shorter chain that still links up. Events and head are read in one
 * REPEATABLE READ snapshot, so appends committing while the chain streams by cannot look like a mismatch.
 *
 * The events are read with one `COPY ... TO STDOUT (FORMAT binary)` (the cheapest form for Postgres to write
 * and for us to read) and checked in chunks on worker threads (chunk-pool.ts); the verdict is the one the
 * events would get pushed one by one through a ChainVerifier. At the first broken link the COPY is abandoned
 * and its connection discarded.
 */
export async function verifyAuditChain(pool: Pool, options: ParallelVerifyOptions = {}): Promise<ChainVerdict> {
  const client: PoolClient = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const head = await readChainHead(client);
    const copy = CopyOut.run(client, `COPY (SELECT ${AUDIT_COPY_COLUMNS} FROM audit_events ORDER BY seq) TO STDOUT (FORMAT binary)`, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
    let verdict: ChainVerdict | 'unreadable';
    try {
      verdict = await verifyChunkStream(copy.chunks(), 'pg-binary', options);
    } finally {
      if (!copy.finished) {
        copy.abandon();
        failed = new Error('audit verification stopped before the end of its COPY');
      }
    }
    if (verdict === 'unreadable') throw new Error('unreadable COPY stream'); // only CSV chunks are ever unreadable
    if (failed) return verdict;
    await client.query('COMMIT');
    if (!verdict.ok || !head) return verdict;
    const headSeq = head.seq;
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
