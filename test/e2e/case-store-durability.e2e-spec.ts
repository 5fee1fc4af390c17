import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Client, Pool } from 'pg';
import { freePort, RunningPostgres, startEmbeddedPostgres } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { appendAuditEvents, CaseStore, ensureAppLogin, openDataSource, OutboxRepository, verifyAuditChain } from '@steward/persistence';
import { commitFor } from '../support/case-commit';

/**
 * CaseStore.commit commits asynchronously (the chain head is released before the WAL flush) and then waits
 * for the flush before it returns. These tests crash Postgres on purpose (immediate shutdown: SIGQUIT to the
 * postmaster, so every process exits at once and the WAL still in shared memory is lost, as in a crash), on a
 * cluster of their own, and check that a commit that returned is still there after recovery, and that one
 * cut off between its COMMIT and the flush leaves a consistent database that its retry completes. The
 * notification worker, which may see such a row before it is on disk, must not send it before it is.
 *
 * The WAL writer is slowed down (wal_writer_delay 10 s; it hibernates only after 50 idle rounds, and is woken
 * early only for full WAL pages) so that the end of an asynchronous commit stays in shared memory, unwritten,
 * for seconds: without the flush in commit(), the first test loses its commits.
 */

jest.setTimeout(180_000);

describe('CaseStore.commit is durable when it returns', () => {
  let dataDir: string;
  let port: number;
  let pg: RunningPostgres;
  let appUrl: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'steward-durability-'));
    port = await freePort();
    pg = await startEmbeddedPostgres({ dataDir, port });
    await prepareDatabase(pg.url, defaultDirectoryFile());
    appUrl = await ensureAppLogin(pg.url);
    await query(pg.url, `ALTER SYSTEM SET wal_writer_delay = '10s'`);
    await query(pg.url, 'SELECT pg_reload_conf()');
  });
  afterAll(async () => {
    await pg?.stop();
    // As root the cluster lives outside dataDir (see startEmbeddedPostgres): remove it too.
    if (pg && !pg.clusterDir.startsWith(dataDir) && basename(dirname(dirname(pg.clusterDir))) === 'clusters') {
      rmSync(dirname(pg.clusterDir), { recursive: true, force: true });
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function query<T extends object>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<T>(sql, values)).rows;
    } finally {
      await c.end();
    }
  }

  /** Immediate shutdown: the postmaster tells every process to quit at once; nothing is written on the way out. */
  async function crashAndRestart(): Promise<void> {
    const pid = Number(readFileSync(join(pg.clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGQUIT');
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      if (Date.now() > deadline) throw new Error(`postmaster ${pid} still running 30 s after SIGQUIT`);
      await new Promise((r) => setTimeout(r, 20));
    }
    pg = await startEmbeddedPostgres({ dataDir, port });
  }

  /** What is left of a case after recovery, and the chain as a whole. */
  async function stateOf(caseId: string) {
    const pool = new Pool({ connectionString: appUrl, max: 1 });
    try {
      const [row] = (await pool.query<{ cases: number; events: number; tasks: number; notifications: number }>(
        `SELECT (SELECT count(*)::int FROM cases WHERE id = $1) AS cases, (SELECT count(*)::int FROM audit_events WHERE case_id = $1) AS events,
           (SELECT count(*)::int FROM human_tasks WHERE case_id = $1) AS tasks, (SELECT count(*)::int FROM notifications WHERE case_id = $1) AS notifications`,
        [caseId],
      )).rows;
      const [chain] = (await pool.query<{ n: number; max: number; head: number }>(
        `SELECT count(*)::int AS n, coalesce(max(seq), 0)::int AS max, (SELECT seq::int FROM audit_chain_head) AS head FROM audit_events`,
      )).rows;
      return { ...row, chain, verdict: await verifyAuditChain(pool) };
    } finally {
      await pool.end();
    }
  }

  it('keeps every commit that returned through a crash right after it', async () => {
    for (let round = 1; round <= 3; round += 1) {
      const ds = await openDataSource(appUrl, { migrate: false });
      const caseId = randomUUID();
      expect(await new CaseStore(ds).commit(commitFor(caseId))).toEqual({ appended: 3 });
      await crashAndRestart();
      await ds.destroy().catch(() => undefined);
      const state = await stateOf(caseId);
      expect(state).toMatchObject({ cases: 1, events: 3, tasks: 1, notifications: 1 });
      expect(state.chain).toEqual({ n: 3 * round, max: 3 * round, head: 3 * round });
      expect(state.verdict).toMatchObject({ ok: true, checked: 3 * round, headSeq: 3 * round });
    }
  });

  it('leaves a consistent chain when a crash cuts a commit off between its COMMIT and the flush, and the retry completes it', async () => {
    const before = await stateOf(randomUUID());
    const ds = await openDataSource(appUrl, { migrate: false });
    const c = commitFor(randomUUID());
    // The commit's transaction as CaseStore runs it, stopped after its asynchronous COMMIT: the flush never comes.
    await ds.transaction(async (tx) => {
      await tx.query('SET LOCAL synchronous_commit = off');
      await tx.query(`INSERT INTO cases (id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
        VALUES ($1, $2, $3, $4, $5, $6, '{}', $7, $8, $9, $10)`, [c.caseId, c.caseType, c.status, c.workflowId, c.requesterId, c.participants, c.view, c.version, c.createdAt, c.updatedAt]);
      expect(await appendAuditEvents(tx, c, c.events)).toBe(3);
    });
    await crashAndRestart();
    await ds.destroy().catch(() => undefined);
    // Lost or kept, the transaction is all or nothing, and the chain ends where the head row says.
    const after = await stateOf(c.caseId);
    expect([0, 3]).toContain(after.events);
    expect(after.cases).toBe(after.events === 0 ? 0 : 1);
    expect(after.chain).toEqual({ n: before.chain.n + after.events, max: before.chain.n + after.events, head: before.chain.n + after.events });
    expect(after.verdict).toMatchObject({ ok: true });
    // The activity was never told it succeeded: it retries, and the retry appends exactly what is missing.
    const retry = await openDataSource(appUrl, { migrate: false });
    try {
      expect(await new CaseStore(retry).commit(c)).toEqual({ appended: 3 - after.events });
    } finally {
      await retry.destroy();
    }
    const done = await stateOf(c.caseId);
    expect(done).toMatchObject({ cases: 1, events: 3, tasks: 1, notifications: 1 });
    expect(done.chain).toEqual({ n: before.chain.n + 3, max: before.chain.n + 3, head: before.chain.n + 3 });
    expect(done.verdict).toMatchObject({ ok: true });
  });

  it('lets the notification worker claim an outbox row only once the WAL is flushed past it', async () => {
    const ds = await openDataSource(appUrl, { migrate: false });
    const client = new Client({ connectionString: appUrl });
    await client.connect();
    try {
      // An outbox row committed as CaseStore commits it, without the flush that follows: visible, not yet on disk.
      await client.query('BEGIN');
      await client.query('SET LOCAL synchronous_commit = off');
      await client.query(`INSERT INTO notification_outbox (dedupe_key, channel, event_type, payload) VALUES ($1, 'webhook', 'test', '{}')`, [`test:${randomUUID()}`]);
      await client.query('COMMIT');
      const [{ written }] = (await client.query<{ written: string }>('SELECT pg_current_wal_insert_lsn()::text AS written')).rows;
      const claimed = await new OutboxRepository(ds).claim({ owner: 'test-worker', limit: 10, leaseMs: 60_000, digestWindowMs: 0 });
      expect(claimed.map((r) => r.eventType)).toContain('test');
      // claim() has returned: the WAL is on disk at least up to where it was before the claim began.
      const [{ durable }] = (await client.query<{ durable: boolean }>('SELECT pg_current_wal_flush_lsn() >= $1::pg_lsn AS durable', [written])).rows;
      expect(durable).toBe(true);
    } finally {
      await client.end();
      await ds.destroy();
    }
  });
});
