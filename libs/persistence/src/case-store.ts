import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { poolOf } from './audit/audit-stream';
import { payloadJcsAroundSeq } from './audit/canonical-json';
import { outboxPlan } from './notify/outbox.repository';
import { runBatch, Statement } from './pg-batch';

/**
 * Makes every transaction committed before it durable: a transaction of its own that writes one WAL record (a
 * transactional logical message, which needs an xid and WAL, so its COMMIT is synchronous), committed with the
 * session's synchronous_commit. That COMMIT waits for the WAL to be flushed up to its own commit record
 * (XLogFlush in RecordTransactionCommit), which lies after every commit record already written, and, when the
 * server is set up for synchronous replication, for the standbys as well: exactly the wait an ordinary COMMIT
 * does. Concurrent callers share the same fdatasync (group commit). A transaction that only takes an xid
 * (`SELECT pg_current_xact_id()`) would not do: with no WAL of its own Postgres commits it asynchronously.
 * Consumes one xid per call. Works on PostgreSQL 9.6 and later.
 */
export const DURABLE_FLUSH_SQL = `SELECT pg_logical_emit_message(true, 'steward', '')`;

/**
 * The commit transaction's settings, in one statement: an asynchronous COMMIT (see CaseStore), and generic plans.
 * Every statement of a commit with parameters is prepared (parsed once per connection) and finds its rows by a
 * key or a case id; left to choose, Postgres plans the ones that take an array (`= ANY($1)`, unnest, the key
 * checks of audit_append_cases) afresh at every call, since a plan for the array's actual length always looks
 * cheaper than the generic one: measured with perf, planning was about a sixth of Postgres's CPU per commit.
 * audit_append_cases's own statements inherit the setting and keep `enable_seqscan = off` (migration
 * AuditAppendCases1765353600000). A generic plan is made again when a table's statistics change (ANALYZE
 * invalidates it), so one made while a table was small does not stay.
 */
const TRANSACTION_SETTINGS: Statement = {
  text: `SELECT set_config('synchronous_commit', 'off', true), set_config('plan_cache_mode', 'force_generic_plan', true)`,
  prepare: true,
};

/**
 * Writes workflows' commits to the read model: each commit is the case, its tasks, notifications, outbox rows
 * and audit events, all or nothing. Idempotent by version and keys, so activity retries are harmless.
 *
 * Group commit: commits that arrive while others are being written wait, and go together in the next
 * transaction (at most `maxBatch` of them, and at most one per case: a later commit of a case already in it
 * waits for the one after); at most `lanes` transactions are in flight at once, each on its own pooled
 * connection. One commit alone is written at once, with no added wait. A transaction writes each table once for
 * all its commits: one statement per table (cases, tasks opened, tasks closed, notifications, outbox rows, audit
 * events), its rows in the order of their case ids (so two transactions that share a case lock its rows in the
 * same order). Since no two of its commits share a case, and every row a commit writes or its outbox reads is
 * its case's or keyed by the commit, each commit reads and writes exactly what it would alone. When a shared
 * transaction fails, each of its commits is written again in a transaction of its own, so one commit's failure
 * is never another's (a commit is idempotent, so this holds even when the failure came after COMMIT).
 *
 * Two round trips per transaction on one pooled connection (runBatch: several statements, one Sync): the writes
 * and the reads the outbox needs, then the outbox rows, the audit events and COMMIT; one when no commit of the
 * transaction has anything for the outbox (nothing to read). The chain head is locked by the audit append and
 * released by the COMMIT that follows in the same batch, so it is never held while the client is busy or waiting.
 * Every statement is prepared on the connection (Statement.prepare): its text is the same whatever the number of
 * rows, one array per column.
 *
 * Durability: the transaction commits asynchronously (synchronous_commit is off for it alone, see
 * TRANSACTION_SETTINGS): its COMMIT puts the commit record in the WAL and releases the audit chain head at once,
 * without waiting for the fsync. Then, before commit() returns, DURABLE_FLUSH_SQL waits for the WAL to be flushed
 * past that commit record. One flush runs at a time, for every commit that finished before it started (group
 * commit), on a connection of its own, while the lane that wrote the transaction already writes the next one.
 * So the head is held for the statements of the commits only, not for a disk flush, and neither is a lane.
 *
 * Nothing acknowledged is lost: commit() returns (and the activity reports success to Temporal) only after the
 * flush. If Postgres crashes between the COMMIT and the flush, the WAL that was not yet flushed is lost as a
 * whole, from some point on: this commit and every later one, including every commit that appended to the
 * chain after it (their commit records come later in the WAL). What remains is an earlier state of the
 * database: the chain is still gap-free and ends at the head row of that state. None of the lost commits was
 * acknowledged; their activities fail and retry, and the retries append the events again (new seqs, ids and
 * hashes, same keys). Until the flush, other sessions can see the commit's rows: see docs/AUDIT.md ("Durable
 * before acknowledged") for who reads them and why that is safe.
 */
export class CaseStore {
  private readonly lanes: number;
  private readonly maxBatch: number;
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private readonly flushWaiters: { resolve(): void; reject(err: unknown): void }[] = [];
  private flushing = false;
  /** Transactions committed so far, and the commits they carried (for benchmarks and logs). */
  readonly written = { transactions: 0, commits: 0 };

  constructor(
    private readonly dataSource: DataSource,
    options: CaseStoreOptions = {},
  ) {
    this.lanes = options.lanes ?? 2;
    this.maxBatch = options.maxBatch ?? 32;
    if (!(this.lanes >= 1) || !(this.maxBatch >= 1)) throw new Error('CaseStore: lanes and maxBatch must be at least 1');
  }

  commit(c: CaseCommit): Promise<{ appended: number }> {
    // Built before it waits: the audit events' canonical JSON.
    const planned: Planned = { c, audit: auditRows(c, c.events) };
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...planned, resolve, reject });
      this.startTransactions();
    });
  }

  private startTransactions(): void {
    while (this.inFlight < this.lanes && this.waiting.length > 0) {
      const batch = this.takeBatch();
      this.inFlight += 1;
      let freed = false;
      const freeLane = () => {
        if (freed) return;
        freed = true;
        this.inFlight -= 1;
        this.startTransactions();
      };
      void this.writeAndSettle(batch, freeLane).finally(freeLane);
    }
  }

  /** The next transaction's commits: the first waiting, in order of arrival, at most maxBatch and one per case. */
  private takeBatch(): Waiting[] {
    const batch: Waiting[] = [];
    const cases = new Set<string>();
    const later: Waiting[] = [];
    for (const w of this.waiting) {
      if (batch.length < this.maxBatch && !cases.has(w.c.caseId)) {
        cases.add(w.c.caseId);
        batch.push(w);
      } else later.push(w);
    }
    this.waiting = later;
    return batch;
  }

  private async writeAndSettle(batch: Waiting[], freeLane: () => void): Promise<void> {
    batch.sort((a, b) => (a.c.caseId < b.c.caseId ? -1 : a.c.caseId > b.c.caseId ? 1 : 0));
    try {
      const appended = await this.write(batch);
      // The lane takes the next commits while this transaction's WAL is flushed.
      freeLane();
      await this.durable();
      batch.forEach((w, i) => w.resolve({ appended: appended[i] }));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      // Each commit again, alone, so it fails for its own reasons only (idempotent: whatever was kept is skipped).
      for (const w of batch) {
        try {
          const [appended] = await this.write([w]);
          await this.durable();
          w.resolve({ appended });
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }

  /**
   * Resolves once the WAL is on disk past every transaction committed before the call: DURABLE_FLUSH_SQL, run by
   * one caller at a time for all who wait. Whoever arrives while a flush is under way waits for the next one,
   * since that flush may have started before their COMMIT.
   */
  private durable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.flushWaiters.push({ resolve, reject });
      if (!this.flushing) void this.flushWhileWaited();
    });
  }

  private async flushWhileWaited(): Promise<void> {
    this.flushing = true;
    try {
      while (this.flushWaiters.length > 0) {
        const waiters = this.flushWaiters.splice(0);
        await poolOf(this.dataSource)
          .query(DURABLE_FLUSH_SQL)
          .then(
            () => waiters.forEach((w) => w.resolve()),
            (err: unknown) => waiters.forEach((w) => w.reject(err)),
          );
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Writes the commits (in order of case id, one per case) in one transaction; how many audit events each appended. */
  private async write(batch: Planned[]): Promise<number[]> {
    const commits = batch.map((p) => p.c);
    const outbox = outboxPlan(commits);
    const client = await poolOf(this.dataSource).connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      // Round trip 1: the writes, then the reads the outbox rows depend on (which see the writes).
      const writes: Statement[] = [{ text: 'BEGIN' }, TRANSACTION_SETTINGS, ...commitWrites(commits)];
      const tail: Statement[] = [];
      if (outbox) {
        const readsAt = writes.length;
        const written = await runBatch(client, [...writes, ...outbox.reads]);
        const insert = outbox.insert(written.slice(readsAt).map((r) => r.rows));
        if (insert) tail.push(insert);
      } else {
        // Nothing to read: the writes go in the same round trip as the rest.
        tail.push(...writes);
      }
      // Round trip 2 (or the end of the only one): the outbox rows, then the audit events (the chain head is locked
      // by their append), and COMMIT, which releases it without waiting for the WAL flush (durable() waits for
      // that). Nothing waits for the client, and nothing but the append runs, while the head is locked.
      const events = auditAppendCases(batch.map((p) => p.audit));
      if (events) tail.push(events);
      tail.push({ text: 'COMMIT' });
      const done = await runBatch(client, tail);
      // A COMMIT after an error answers ROLLBACK; the error itself would have failed the batch already.
      const committed = done[tail.length - 1].command;
      if (committed !== 'COMMIT') throw new Error(`${describe(batch)}: COMMIT answered ${committed}`);
      this.written.transactions += 1;
      this.written.commits += batch.length;
      return appendedPerCommit(
        batch.map((p) => p.audit[0]),
        events ? (done[tail.length - 2].rows[0].seqs as (string | null)[]) : [],
      );
    } catch (err) {
      // Outside a transaction (the batch failed after COMMIT) this only warns; a failed ROLLBACK means the
      // connection is gone or unusable, and the pool drops it.
      if (!broken) await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

export interface CaseStoreOptions {
  /** How many transactions may be in flight at once, each on its own pooled connection (2). */
  lanes?: number;
  /** How many waiting commits one transaction takes at most (32). */
  maxBatch?: number;
}

interface Planned {
  c: CaseCommit;
  /** The commit's audit events, one array per column of audit_append_cases. */
  audit: AuditRows;
}

interface Waiting extends Planned {
  resolve(result: { appended: number }): void;
  reject(err: unknown): void;
}

function describe(batch: Planned[]): string {
  const [{ c }] = batch;
  return batch.length === 1 ? `case ${c.caseId} version ${c.version}` : `${batch.length} commits (case ${c.caseId} version ${c.version}, ...)`;
}

/**
 * The commits' writes, one statement per table, each row's values in one array per column: the cases, the tasks
 * they open, the tasks they close, their notifications (in this order, as one commit's). A case's own rows are
 * found by its id or their keys, so commits of different cases never touch each other's rows.
 */
function commitWrites(commits: CaseCommit[]): Statement[] {
  const statements: Statement[] = [caseUpsert(commits)];
  const opened = commits.flatMap((c) => c.openTasks.map((t) => ({ c, t })));
  if (opened.length > 0) statements.push(taskInsert(opened));
  // A task closed twice by one commit keeps the first closing, as one UPDATE after the other would.
  const closed = [...new Map(commits.flatMap((c) => c.closeTasks).reverse().map((t) => [t.key, t])).values()];
  if (closed.length > 0) statements.push(taskClose(closed));
  const notified = commits.flatMap((c) => c.notifications.map((n) => ({ c, n })));
  if (notified.length > 0) statements.push(notificationInsert(notified));
  return statements;
}

/** Never makes a case older: a commit whose version is not above the stored one changes nothing. */
function caseUpsert(commits: CaseCommit[]): Statement {
  const column = <T>(f: (c: CaseCommit) => T) => commits.map(f);
  return {
    text: `INSERT INTO cases (id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
         SELECT id, case_type, status, workflow_id, requester_id, participants::text[], reader_roles::text[], view, version, created_at, updated_at
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[], $9::int[], $10::timestamptz[],
           $11::timestamptz[]) AS c(id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, requester_id = EXCLUDED.requester_id,
           participants = EXCLUDED.participants, reader_roles = EXCLUDED.reader_roles, view = EXCLUDED.view,
           version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
         WHERE cases.version < EXCLUDED.version`,
    prepare: true,
    values: [
      column((c) => c.caseId),
      column((c) => c.caseType),
      column((c) => c.status),
      column((c) => c.workflowId),
      column((c) => c.requesterId),
      // Arrays of arrays as one array of array literals: unnest would flatten a two-dimensional array.
      column((c) => arrayLiteral(c.participants)),
      column((c) => arrayLiteral(c.readerRoles ?? [])),
      column((c) => JSON.stringify(c.view)),
      column((c) => c.version),
      column((c) => c.createdAt),
      column((c) => c.updatedAt),
    ],
  };
}

function taskInsert(rows: { c: CaseCommit; t: CaseCommit['openTasks'][number] }[]): Statement {
  return {
    text: `INSERT INTO human_tasks (task_key, case_type, case_id, assignee_id, kind, title, due_at, created_at, on_behalf_of)
           SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::text[])
           ON CONFLICT (task_key) DO NOTHING`,
    prepare: true,
    values: [
      rows.map(({ t }) => t.key),
      rows.map(({ c }) => c.caseType),
      rows.map(({ c }) => c.caseId),
      rows.map(({ t }) => t.assigneeId),
      rows.map(({ t }) => t.kind),
      rows.map(({ t }) => t.title),
      rows.map(({ t }) => t.dueAt),
      rows.map(({ t }) => t.createdAt),
      rows.map(({ t }) => t.onBehalfOf ?? null),
    ],
  };
}

function taskClose(closings: CaseCommit['closeTasks']): Statement {
  return {
    text: `UPDATE human_tasks t SET completed_at = u.at, outcome = u.outcome
           FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS u(key, at, outcome)
           WHERE t.task_key = u.key AND t.completed_at IS NULL`,
    prepare: true,
    values: [closings.map((t) => t.key), closings.map((t) => t.at), closings.map((t) => t.outcome)],
  };
}

function notificationInsert(rows: { c: CaseCommit; n: CaseCommit['notifications'][number] }[]): Statement {
  return {
    text: `INSERT INTO notifications (notification_key, user_id, case_type, case_id, kind, message, created_at)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[], $7::timestamptz[])
           ON CONFLICT (notification_key) DO NOTHING`,
    prepare: true,
    values: [
      rows.map(({ n }) => n.key),
      rows.map(({ n }) => n.userId),
      rows.map(({ c }) => c.caseType),
      rows.map(({ c }) => c.caseId),
      rows.map(({ n }) => n.kind),
      rows.map(({ n }) => n.message),
      rows.map(({ n }) => n.createdAt),
    ],
  };
}

/** A Postgres array literal of strings: each element quoted, with its backslashes and double quotes escaped. */
function arrayLiteral(values: string[]): string {
  return `{${values.map((v) => `"${v.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`).join(',')}}`;
}

/** Audit events as the columns of audit_append_cases: one array per parameter, an element per event. */
type AuditRows = (string | null)[][];
const AUDIT_COLUMNS = 14;

/**
 * Appends events to the deployment-wide hash chain inside the caller's transaction, in one statement: the
 * SQL function audit_append_cases (migration AuditAppendCases1765353600000) skips keys already in the chain
 * (a retried commit), locks the head row, numbers the new events, chains their hashes and moves the head.
 * Keys are checked again after taking the lock, so two concurrent attempts of the same commit cannot both
 * append. The canonical JSON (JCS) of each payload is computed here, before the lock, split around the seq
 * that only the function knows; Postgres hashes prevHash + head + seq + tail, which is byte for byte the
 * input chainHash would hash. The chain head stays locked for this one round trip and the COMMIT (which, in
 * CaseStore.commit, does not wait for the WAL flush).
 */
export async function appendAuditEvents(
  tx: EntityManager,
  ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>,
  drafts: AuditEventDraft[],
): Promise<number> {
  const rows = auditRows(ctx, drafts);
  const statement = auditAppendCases([rows]);
  if (!statement) return 0;
  const [row] = await tx.query(statement.text, statement.values);
  const [appended] = appendedPerCommit([rows[0]], row.seqs);
  return appended;
}

/** The `SELECT audit_append_cases(...) AS seqs` of appendAuditEvents, or null when there are no events. */
export function auditAppendStatement(ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>, drafts: AuditEventDraft[]): Statement | null {
  return auditAppendCases([auditRows(ctx, drafts)]);
}

/** One commit's events as audit_append_cases's columns, their canonical JSON computed (the costly part). */
function auditRows(ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>, drafts: AuditEventDraft[]): AuditRows {
  const n = drafts.length;
  const columns: AuditRows = Array.from({ length: AUDIT_COLUMNS }, () => new Array<string | null>(n));
  const [keys, ids, ats, caseTypes, caseIds, actorIds, actions, fromStatuses, toStatuses, data, workflowIds, runIds, heads, tails] = columns;
  drafts.forEach((d, i) => {
    const id = randomUUID();
    const at = new Date(d.at).toISOString();
    const jcs = payloadJcsAroundSeq({
      id, at, caseType: ctx.caseType, caseId: ctx.caseId, actorId: d.actorId, action: d.action, fromStatus: d.fromStatus,
      toStatus: d.toStatus, data: d.data, workflowId: ctx.workflowId, runId: ctx.runId,
    });
    [keys[i], ids[i], ats[i], caseTypes[i], caseIds[i], actorIds[i], actions[i], fromStatuses[i], toStatuses[i], data[i], workflowIds[i], runIds[i], heads[i], tails[i]] = [
      d.key, id, at, ctx.caseType, ctx.caseId, d.actorId, d.action, d.fromStatus, d.toStatus, JSON.stringify(d.data), ctx.workflowId, ctx.runId, jcs.head, jcs.tail,
    ];
  });
  return columns;
}

/** The append of several commits' events, in the order given, or null when there are none. */
function auditAppendCases(commits: AuditRows[]): Statement | null {
  if (commits.every((rows) => rows[0].length === 0)) return null;
  return {
    prepare: true,
    text: `SELECT audit_append_cases($1::text[], $2::uuid[], $3::timestamptz[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
       $9::text[], $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::text[]) AS seqs`,
    values: Array.from({ length: AUDIT_COLUMNS }, (_, col) => (commits.length === 1 ? commits[0][col] : commits.flatMap((rows) => rows[col]))),
  };
}

/**
 * How many of its events each commit appended, from audit_append_cases's seqs (null: already in the chain), given
 * each commit's event keys in the order they were passed.
 */
function appendedPerCommit(keysPerCommit: readonly (string | null)[][], seqs: (string | null)[]): number[] {
  let at = 0;
  return keysPerCommit.map((keys) => seqs.slice(at, (at += keys.length)).filter((seq) => seq !== null).length);
}
