import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import type { AuditEventRow } from './audit/audit-event.mapper';
import { poolOf } from './audit/audit-stream';
import { payloadJcsAroundSeq } from './audit/canonical-json';
import { outboxInsert, outboxRows } from './notify/outbox.repository';
import { jsonArray, rowsJson, runBatch, Statement, StatementResult } from './pg-batch';

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
 * DURABLE_FLUSH_SQL as the last statement of a commit's batch, after its COMMIT: outside the transaction block, it
 * runs in an implicit transaction of its own (extended protocol), committed at the Sync that ends the batch, so
 * the batch's answer comes once the WAL is flushed past the transaction's commit record.
 */
const DURABLE_FLUSH: Statement = { text: DURABLE_FLUSH_SQL, prepare: true };

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
 * waits for the one after). One transaction is written at a time, on a pooled connection; a second (up to `lanes`)
 * starts beside it only when it has been writing for `stallMs` (see startTransactions). One commit alone is written
 * at once, with no added wait. A transaction writes each table once for
 * all its commits: one statement per table (cases, tasks opened, tasks closed, notifications, outbox rows, audit
 * events), its rows in the order of their case ids (so two transactions that share a case lock its rows in the
 * same order). Since no two of its commits share a case, and every row a commit writes or its outbox reads is
 * its case's or keyed by the commit, each commit reads and writes exactly what it would alone. When a shared
 * transaction fails, each of its commits is written again in a transaction of its own, so one commit's failure
 * is never another's (a commit is idempotent, so this holds even when the failure came after COMMIT).
 *
 * One round trip per transaction on one pooled connection (runBatch: several statements, one Sync): BEGIN, the
 * writes, the outbox rows (one INSERT that reads what they depend on in Postgres, see outboxInsert), the audit
 * events, COMMIT and DURABLE_FLUSH. The chain head is locked by the audit append and released by the COMMIT that
 * follows in the same batch, so it is never held while the client is busy or waiting.
 * Every statement is prepared on the connection (Statement.prepare): its text is the same whatever the number of
 * rows, which go as one JSON parameter (rowsJson, jsonArray).
 *
 * Durability: the transaction commits asynchronously (synchronous_commit is off for it alone, see
 * TRANSACTION_SETTINGS): its COMMIT puts the commit record in the WAL and releases the audit chain head at once,
 * without waiting for the fsync. Then DURABLE_FLUSH, the batch's last statement, waits for the WAL to be flushed
 * past that commit record, and commit() returns after it. The lane is free from the COMMIT's answer on: the next
 * transaction is written on another connection while this one's flush runs, and flushes running at once share
 * one fdatasync (Postgres's group commit). So the head is held for the statements of the commits only, not for a
 * disk flush, and neither is a lane. (Until 2026-12-03 one flush ran at a time on a connection of its own, for
 * every commit that had finished before it started, so a commit that finished during a flush waited for that one
 * and the next: 3-11% fewer commits/s with 16 writers x 3 events, docs/PERFORMANCE.md.)
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
  private readonly stallMs: number;
  /** When each transaction in flight (still writing) started, by performance.now(). */
  private readonly openedAt = new Set<{ at: number }>();
  private wakeup: NodeJS.Timeout | undefined;
  /** Transactions committed so far, and the commits they carried (for benchmarks and logs). */
  readonly written = { transactions: 0, commits: 0 };

  constructor(
    private readonly dataSource: DataSource,
    options: CaseStoreOptions = {},
  ) {
    this.lanes = options.lanes ?? 2;
    this.maxBatch = options.maxBatch ?? 32;
    this.stallMs = options.stallMs ?? 20;
    if (!(this.lanes >= 1) || !(this.maxBatch >= 1)) throw new Error('CaseStore: lanes and maxBatch must be at least 1');
    if (!(this.stallMs >= 0)) throw new Error('CaseStore: stallMs must be 0 or more');
  }

  commit(c: CaseCommit): Promise<{ appended: number }> {
    // Built before it waits: the audit events' canonical JSON, and the JSON of every row it writes.
    const audit = auditRows(c, c.events);
    const planned: Planned = { c, events: audit.length, rows: commitRows(c, audit) };
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...planned, resolve, reject });
      this.startTransactions();
    });
  }

  /**
   * Starts the next transaction when a lane is free. While transactions take the time they should, one is written
   * at a time: the commits that arrive meanwhile wait and go together in the next, which costs less per commit than
   * two smaller transactions side by side (measured: see docs/PERFORMANCE.md). Another lane opens only when every
   * transaction in flight has been writing for stallMs (a lock wait, a slow disk), so that one slow transaction
   * does not hold up every other commit.
   */
  private startTransactions(): void {
    while (this.openedAt.size < this.lanes && this.waiting.length > 0) {
      if (this.openedAt.size > 0) {
        const youngest = Math.max(...[...this.openedAt].map((o) => o.at));
        const wait = youngest + this.stallMs - performance.now();
        if (wait > 0) {
          this.wakeup ??= setTimeout(() => {
            this.wakeup = undefined;
            this.startTransactions();
          }, Math.ceil(wait)).unref();
          return;
        }
      }
      const batch = this.takeBatch();
      const opened = { at: performance.now() };
      this.openedAt.add(opened);
      const freeLane = () => {
        if (!this.openedAt.delete(opened)) return;
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
      // The lane takes the next commits as soon as this transaction has committed, while its WAL is flushed.
      const appended = await this.write(batch, freeLane);
      batch.forEach((w, i) => w.resolve({ appended: appended[i] }));
    } catch (err) {
      if (batch.length === 1) return batch[0].reject(err);
      // Each commit again, alone, so it fails for its own reasons only (idempotent: whatever was kept is skipped).
      for (const w of batch) {
        try {
          const [appended] = await this.write([w]);
          w.resolve({ appended });
        } catch (e) {
          w.reject(e);
        }
      }
    }
  }

  /**
   * Writes the commits (in order of case id, one per case) in one transaction, and returns once it is durable: how
   * many audit events each appended. `committed` is called when the COMMIT has answered, before the flush has.
   */
  private async write(batch: Planned[], committed?: () => void): Promise<number[]> {
    const client = await poolOf(this.dataSource).connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      // One round trip: the writes, the outbox rows (which Postgres derives from them), then the audit events (the
      // chain head is locked by their append), COMMIT, which releases it without waiting for the WAL flush, and
      // DURABLE_FLUSH, which waits for it. Nothing waits for the client, and nothing but the append runs, while the
      // head is locked.
      const { writes, events } = transactionWrites(batch);
      const onCommit = (r: StatementResult) => r.command === 'COMMIT' && committed && queueMicrotask(committed);
      const statements: Statement[] = [{ text: 'BEGIN' }, TRANSACTION_SETTINGS, ...writes, { text: 'COMMIT', onComplete: onCommit }, DURABLE_FLUSH];
      const done = await runBatch(client, statements);
      // A COMMIT after an error answers ROLLBACK; the error itself would have failed the batch already.
      const answer = done[statements.length - 2].command;
      if (answer !== 'COMMIT') throw new Error(`${describe(batch)}: COMMIT answered ${answer}`);
      this.written.transactions += 1;
      this.written.commits += batch.length;
      return appendedPerCommit(
        batch.map((p) => p.events),
        events ? (done[statements.length - 3].rows[0].seqs as (string | null)[]) : [],
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
  /** After how long a transaction in flight counts as stalled, so that the next may start beside it (20 ms). */
  stallMs?: number;
  /** How many waiting commits one transaction takes at most (32). */
  maxBatch?: number;
}

interface Planned {
  c: CaseCommit;
  /** How many audit events the commit brings. */
  events: number;
  rows: CommitRows;
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
 * One commit's rows for each statement of a transaction, as JSON (rowsJson: the elements of a JSON array, '' for
 * none), made when the commit arrives, so that a transaction only joins them (jsonArray).
 */
interface CommitRows {
  cases: string;
  opened: string;
  closed: string;
  notifications: string;
  /** outboxRows: its notifications and published statements. */
  notified: string;
  published: string;
  /** Its audit events (AuditRow). */
  audit: string;
}

function commitRows(c: CaseCommit, audit: AuditRow[]): CommitRows {
  // A task closed twice by one commit keeps the first closing, as one UPDATE after the other would.
  const closed = [...new Map([...c.closeTasks].reverse().map((t) => [t.key, t])).values()];
  const outbox = outboxRows(c);
  return {
    cases: rowsJson([
      {
        id: c.caseId,
        case_type: c.caseType,
        status: c.status,
        workflow_id: c.workflowId,
        requester_id: c.requesterId,
        participants: c.participants,
        reader_roles: c.readerRoles ?? [],
        view: c.view,
        version: c.version,
        created_at: c.createdAt,
        updated_at: c.updatedAt,
      },
    ]),
    opened: rowsJson(
      c.openTasks.map((t) => ({
        task_key: t.key,
        case_type: c.caseType,
        case_id: c.caseId,
        assignee_id: t.assigneeId,
        kind: t.kind,
        title: t.title,
        due_at: t.dueAt,
        created_at: t.createdAt,
        on_behalf_of: t.onBehalfOf ?? null,
      })),
    ),
    closed: rowsJson(closed.map((t) => ({ key: t.key, at: t.at, outcome: t.outcome }))),
    notifications: rowsJson(
      c.notifications.map((n) => ({
        notification_key: n.key,
        user_id: n.userId,
        case_type: c.caseType,
        case_id: c.caseId,
        kind: n.kind,
        message: n.message,
        created_at: n.createdAt,
      })),
    ),
    notified: rowsJson(outbox.notified),
    published: rowsJson(outbox.published),
    audit: rowsJson(audit),
  };
}

/**
 * The writes of a transaction's commits, one statement per table, each with the rows of all of them in one JSON
 * parameter: the cases, the tasks they open, the tasks they close, their notifications, the outbox rows (in this
 * order, as one commit's), and last the append of their audit events (`events`: whether there is one). A case's
 * own rows are found by its id or their keys, so commits of different cases never touch each other's rows.
 */
function transactionWrites(batch: Planned[]): { writes: Statement[]; events: boolean } {
  const rows = (part: keyof CommitRows): string | null => {
    const parts = batch.map((p) => p.rows[part]);
    return parts.some((x) => x !== '') ? jsonArray(parts) : null;
  };
  const writes: Statement[] = [];
  const add = (text: string, values: string | null) => values !== null && writes.push({ text, values: [values], prepare: true });
  add(CASE_UPSERT_SQL, rows('cases'));
  add(TASK_INSERT_SQL, rows('opened'));
  add(TASK_CLOSE_SQL, rows('closed'));
  add(NOTIFICATION_INSERT_SQL, rows('notifications'));
  const [notified, published] = [rows('notified'), rows('published')];
  if (notified !== null || published !== null) writes.push(outboxInsert(notified ?? '[]', published ?? '[]'));
  const audit = rows('audit');
  if (audit !== null) writes.push(auditAppendCases(audit));
  return { writes, events: audit !== null };
}

/** Never makes a case older: a commit whose version is not above the stored one changes nothing. */
const CASE_UPSERT_SQL = `
  INSERT INTO cases (id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, case_type text, status text, workflow_id text, requester_id text,
    participants text[], reader_roles text[], view jsonb, version int, created_at timestamptz, updated_at timestamptz)
  ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, requester_id = EXCLUDED.requester_id,
    participants = EXCLUDED.participants, reader_roles = EXCLUDED.reader_roles, view = EXCLUDED.view,
    version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
  WHERE cases.version < EXCLUDED.version`;

const TASK_INSERT_SQL = `
  INSERT INTO human_tasks (task_key, case_type, case_id, assignee_id, kind, title, due_at, created_at, on_behalf_of)
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS t(task_key text, case_type text, case_id uuid, assignee_id text, kind text, title text,
    due_at timestamptz, created_at timestamptz, on_behalf_of text)
  ON CONFLICT (task_key) DO NOTHING`;

const TASK_CLOSE_SQL = `
  UPDATE human_tasks t SET completed_at = u.at, outcome = u.outcome
  FROM jsonb_to_recordset($1::jsonb) AS u(key text, at timestamptz, outcome text)
  WHERE t.task_key = u.key AND t.completed_at IS NULL`;

const NOTIFICATION_INSERT_SQL = `
  INSERT INTO notifications (notification_key, user_id, case_type, case_id, kind, message, created_at)
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS n(notification_key text, user_id text, case_type text, case_id uuid, kind text,
    message text, created_at timestamptz)
  ON CONFLICT (notification_key) DO NOTHING`;

/**
 * One audit event as audit_append_cases takes it (one of its parameters' elements each): the stored columns it
 * gives, under their names, with the event's key and the canonical JSON around the seq that the function hashes.
 */
type AuditRow = Omit<AuditEventRow, 'seq' | 'at' | 'data' | 'prev_hash' | 'hash'> & {
  key: string;
  at: string;
  data: unknown;
  jcs_head: string;
  jcs_tail: string;
};

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
  const statement = auditAppendStatement(ctx, drafts);
  if (!statement) return 0;
  const [row] = await tx.query(statement.text, statement.values);
  const [appended] = appendedPerCommit([drafts.length], row.seqs);
  return appended;
}

/** The `SELECT audit_append_cases(...) AS seqs` of appendAuditEvents, or null when there are no events. */
export function auditAppendStatement(ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>, drafts: AuditEventDraft[]): Statement | null {
  return drafts.length === 0 ? null : auditAppendCases(jsonArray([rowsJson(auditRows(ctx, drafts))]));
}

/** One commit's events as audit_append_cases takes them, their canonical JSON computed (the costly part). */
function auditRows(ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>, drafts: AuditEventDraft[]): AuditRow[] {
  return drafts.map((d) => {
    const id = randomUUID();
    const at = new Date(d.at).toISOString();
    const jcs = payloadJcsAroundSeq({
      id, at, caseType: ctx.caseType, caseId: ctx.caseId, actorId: d.actorId, action: d.action, fromStatus: d.fromStatus,
      toStatus: d.toStatus, data: d.data, workflowId: ctx.workflowId, runId: ctx.runId,
    });
    return {
      key: d.key, id, at, case_type: ctx.caseType, case_id: ctx.caseId, actor_id: d.actorId, action: d.action, from_status: d.fromStatus,
      to_status: d.toStatus, data: d.data, workflow_id: ctx.workflowId, run_id: ctx.runId, jcs_head: jcs.head, jcs_tail: jcs.tail,
    };
  });
}

/**
 * The append of events (a JSON array of AuditRow, in the order they are to be chained): audit_append_cases gets
 * its arrays, one per column in the events' order, made from the JSON inside Postgres.
 */
function auditAppendCases(events: string): Statement {
  return {
    prepare: true,
    text: `SELECT audit_append_cases(array_agg(key ORDER BY ord), array_agg(id ORDER BY ord), array_agg(at ORDER BY ord),
         array_agg(case_type ORDER BY ord), array_agg(case_id ORDER BY ord), array_agg(actor_id ORDER BY ord), array_agg(action ORDER BY ord),
         array_agg(from_status ORDER BY ord), array_agg(to_status ORDER BY ord), array_agg(data ORDER BY ord),
         array_agg(workflow_id ORDER BY ord), array_agg(run_id ORDER BY ord), array_agg(jcs_head ORDER BY ord),
         array_agg(jcs_tail ORDER BY ord)) AS seqs
       FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (key text, id uuid, at timestamptz, case_type text, case_id uuid, actor_id text,
         action text, from_status text, to_status text, data jsonb, workflow_id text, run_id text, jcs_head text, jcs_tail text))
         WITH ORDINALITY AS e(key, id, at, case_type, case_id, actor_id, action, from_status, to_status, data, workflow_id, run_id, jcs_head,
           jcs_tail, ord)`,
    values: [events],
  };
}

/**
 * How many of its events each commit appended, from audit_append_cases's seqs (null: already in the chain), given
 * how many events each commit passed, in order.
 */
function appendedPerCommit(eventsPerCommit: readonly number[], seqs: (string | null)[]): number[] {
  let at = 0;
  return eventsPerCommit.map((events) => seqs.slice(at, (at += events)).filter((seq) => seq !== null).length);
}
