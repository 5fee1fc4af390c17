import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { poolOf } from './audit/audit-stream';
import { payloadJcsAroundSeq } from './audit/canonical-json';
import { CommitOutboxPlan, commitOutboxPlan } from './notify/outbox.repository';
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
 * key or a case id; left to choose, Postgres plans the ones that take an array (`= ANY($1)`, audit_append's key
 * checks) afresh at every call, since a plan for the array's actual length always looks cheaper than the generic
 * one: measured with perf, planning was about a sixth of Postgres's CPU per commit. audit_append's own statements
 * inherit the setting and keep `enable_seqscan = off` (migration AuditAppendIndexPlans1765267200000). A generic
 * plan is made again when a table's statistics change (ANALYZE invalidates it), so one made while a table was
 * small does not stay.
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
 * transaction (at most `maxBatch` of them); at most `lanes` transactions are in flight at once, each on its
 * own pooled connection. One commit alone is written at once, with no added wait. Inside a transaction the
 * commits are written one after the other, in the order of their case ids (so two transactions that share a
 * case lock its rows in the same order), each commit's outbox reads right after its own writes, so they see
 * what they would have seen alone. When a shared transaction fails, each of its commits is written again in a
 * transaction of its own, so one commit's failure is never another's (a commit is idempotent, so this holds
 * even when the failure came after COMMIT).
 *
 * Two round trips per transaction on one pooled connection (runBatch: several statements, one Sync): the writes
 * and the reads the outbox needs, then the outbox rows, the audit events and COMMIT. The chain head is locked by
 * the first audit append and released by the COMMIT that follows in the same batch, so it is never held while the
 * client is busy or waiting. Every statement with parameters stays prepared on the connection (Statement.prepare).
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
  private readonly waiting: Waiting[] = [];
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
    // Built before it waits: the audit events' canonical JSON, and what the outbox reads.
    const planned: Planned = { c, audit: auditAppendStatement(c, c.events), outbox: commitOutboxPlan(c) };
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...planned, resolve, reject });
      this.startTransactions();
    });
  }

  private startTransactions(): void {
    while (this.inFlight < this.lanes && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.maxBatch);
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

  private async writeAndSettle(batch: Waiting[], freeLane: () => void): Promise<void> {
    // Stable: commits of the same case keep their order.
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

  /** Writes the commits in one transaction; how many audit events each appended. */
  private async write(batch: Planned[]): Promise<number[]> {
    const client = await poolOf(this.dataSource).connect();
    let broken: Error | undefined;
    const onError = (err: Error) => (broken = err);
    client.on('error', onError);
    try {
      // Round trip 1: each commit's writes, then the reads its outbox rows depend on (which see the writes).
      const writes: Statement[] = [{ text: 'BEGIN' }, TRANSACTION_SETTINGS];
      const readsAt = batch.map(({ c, outbox }) => {
        writes.push(caseUpsert(c), ...c.openTasks.map((t) => taskInsert(c, t)), ...c.closeTasks.map(taskClose));
        writes.push(...c.notifications.map((n) => notificationInsert(c, n)));
        const at = writes.length;
        writes.push(...(outbox?.reads ?? []));
        return at;
      });
      const written = await runBatch(client, writes);
      // Round trip 2: the outbox rows of every commit, then their audit events (the chain head is locked from
      // the first append), and COMMIT, which releases it without waiting for the WAL flush (durable() waits for
      // that). Nothing waits for the client, and nothing but appends runs, while the head is locked.
      const tail: Statement[] = batch.flatMap(({ outbox }, i) => {
        const insert = outbox?.insert(written.slice(readsAt[i], readsAt[i] + outbox.reads.length).map((r) => r.rows));
        return insert ? [insert] : [];
      });
      const auditAt = batch.map(({ audit }) => (audit ? tail.push(audit) - 1 : -1));
      tail.push({ text: 'COMMIT' });
      const done = await runBatch(client, tail);
      // A COMMIT after an error answers ROLLBACK; the error itself would have failed the batch already.
      const committed = done[tail.length - 1].command;
      if (committed !== 'COMMIT') throw new Error(`${describe(batch)}: COMMIT answered ${committed}`);
      this.written.transactions += 1;
      this.written.commits += batch.length;
      return auditAt.map((at) => (at < 0 ? 0 : Number(done[at].rows[0].appended)));
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
  audit: Statement | null;
  outbox: CommitOutboxPlan | null;
}

interface Waiting extends Planned {
  resolve(result: { appended: number }): void;
  reject(err: unknown): void;
}

function describe(batch: Planned[]): string {
  const [{ c }] = batch;
  return batch.length === 1 ? `case ${c.caseId} version ${c.version}` : `${batch.length} commits (case ${c.caseId} version ${c.version}, ...)`;
}

function caseUpsert(c: CaseCommit): Statement {
  return {
    text: `INSERT INTO cases (id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, requester_id = EXCLUDED.requester_id,
           participants = EXCLUDED.participants, reader_roles = EXCLUDED.reader_roles, view = EXCLUDED.view,
           version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
         WHERE cases.version < EXCLUDED.version`,
    prepare: true,
    values: [
      c.caseId, c.caseType, c.status, c.workflowId, c.requesterId, c.participants, c.readerRoles ?? [], c.view, c.version,
      c.createdAt, c.updatedAt,
    ],
  };
}

function taskInsert(c: CaseCommit, t: CaseCommit['openTasks'][number]): Statement {
  return {
    text: `INSERT INTO human_tasks (task_key, case_type, case_id, assignee_id, kind, title, due_at, created_at, on_behalf_of)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (task_key) DO NOTHING`,
    prepare: true,
    values: [t.key, c.caseType, c.caseId, t.assigneeId, t.kind, t.title, t.dueAt, t.createdAt, t.onBehalfOf ?? null],
  };
}

function taskClose(t: CaseCommit['closeTasks'][number]): Statement {
  return {
    text: `UPDATE human_tasks SET completed_at = $2, outcome = $3 WHERE task_key = $1 AND completed_at IS NULL`,
    prepare: true,
    values: [t.key, t.at, t.outcome],
  };
}

function notificationInsert(c: CaseCommit, n: CaseCommit['notifications'][number]): Statement {
  return {
    text: `INSERT INTO notifications (notification_key, user_id, case_type, case_id, kind, message, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (notification_key) DO NOTHING`,
    prepare: true,
    values: [n.key, n.userId, c.caseType, c.caseId, n.kind, n.message, n.createdAt],
  };
}

/**
 * Appends events to the deployment-wide hash chain inside the caller's transaction, in one statement: the
 * SQL function audit_append (migration AuditAppendFunction1765094400000) skips keys already in the chain
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
  return Number(row.appended);
}

/** The `SELECT audit_append(...) AS appended` of appendAuditEvents, or null when there are no events. */
export function auditAppendStatement(ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>, drafts: AuditEventDraft[]): Statement | null {
  if (drafts.length === 0) return null;
  const n = drafts.length;
  const [keys, ids, ats, actorIds, actions, fromStatuses, toStatuses, data, heads, tails] = Array.from({ length: 10 }, () => new Array<string | null>(n));
  drafts.forEach((d, i) => {
    const id = randomUUID();
    const at = new Date(d.at).toISOString();
    const jcs = payloadJcsAroundSeq({
      id, at, caseType: ctx.caseType, caseId: ctx.caseId, actorId: d.actorId, action: d.action, fromStatus: d.fromStatus,
      toStatus: d.toStatus, data: d.data, workflowId: ctx.workflowId, runId: ctx.runId,
    });
    [keys[i], ids[i], ats[i], actorIds[i], actions[i], fromStatuses[i], toStatuses[i], data[i], heads[i], tails[i]] = [
      d.key, id, at, d.actorId, d.action, d.fromStatus, d.toStatus, JSON.stringify(d.data), jcs.head, jcs.tail,
    ];
  });
  return {
    prepare: true,
    text: `SELECT audit_append($1::text[], $2::uuid[], $3::timestamptz[], $4, $5, $6::text[], $7::text[], $8::text[], $9::text[],
       $10::jsonb[], $11, $12, $13::text[], $14::text[]) AS appended`,
    values: [keys, ids, ats, ctx.caseType, ctx.caseId, actorIds, actions, fromStatuses, toStatuses, data, ctx.workflowId, ctx.runId, heads, tails],
  };
}
