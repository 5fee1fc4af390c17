import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { CaseStore, openDataSource, poolOf, verifyAuditChain } from '@steward/persistence';
import { createScratchDatabase, ScratchDatabase } from '../support/audit';
import { commitFor } from '../support/case-commit';

/**
 * CaseStore.commit writes commits that arrive together in one transaction (group commit). These tests run it
 * on a scratch database as the app role and check what that must not change: every commit is written whole
 * and exactly once, each commit's outbox reads see its own writes, a commit that fails fails alone, and the
 * chain stays gap-free. Which transaction wrote a row is its xmin.
 */

jest.setTimeout(120_000);

describe('CaseStore group commit', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let owner: Pool;

  beforeAll(async () => {
    db = await createScratchDatabase('steward_group_commit');
    ds = await openDataSource(db.appUrl, { migrate: false });
    owner = new Pool({ connectionString: db.ownerUrl, max: 2 });
  });
  afterAll(async () => {
    await Promise.all([ds?.destroy(), owner?.end()]);
  });

  /** The transactions (xmin) that wrote each case's row, its task, notification, outbox row and audit events. */
  async function transactionsOf(caseIds: string[]): Promise<Map<string, Set<string>>> {
    const { rows } = await owner.query<{ case_id: string; xmin: string }>(
      `SELECT id::text AS case_id, xmin::text FROM cases WHERE id = ANY($1::uuid[])
       UNION ALL SELECT case_id::text, xmin::text FROM human_tasks WHERE case_id = ANY($1::uuid[])
       UNION ALL SELECT case_id::text, xmin::text FROM notifications WHERE case_id = ANY($1::uuid[])
       UNION ALL SELECT n.case_id::text, o.xmin::text FROM notification_outbox o JOIN notifications n ON n.id = o.notification_id WHERE n.case_id = ANY($1::uuid[])
       UNION ALL SELECT case_id::text, xmin::text FROM audit_events WHERE case_id = ANY($1::uuid[])`,
      [caseIds],
    );
    const byCase = new Map<string, Set<string>>();
    for (const r of rows) byCase.set(r.case_id, (byCase.get(r.case_id) ?? new Set()).add(r.xmin));
    return byCase;
  }

  it('writes commits that arrive together in shared transactions, each whole and once, and the chain holds', async () => {
    const store = new CaseStore(ds, { lanes: 2, maxBatch: 8 });
    const commits = Array.from({ length: 48 }, () => commitFor(randomUUID()));
    const results = await Promise.all(commits.map((c) => store.commit(c)));
    expect(results).toEqual(commits.map(() => ({ appended: 3 })));

    const ids = commits.map((c) => c.caseId);
    const byCase = await transactionsOf(ids);
    // Each commit in exactly one transaction, with all its rows (the outbox row included).
    for (const id of ids) expect(byCase.get(id)?.size).toBe(1);
    const sizes = new Map<string, number>();
    for (const xids of byCase.values()) for (const x of xids) sizes.set(x, (sizes.get(x) ?? 0) + 1);
    // The first commit went alone and at once; the rest waited and shared, at most 8 to a transaction.
    expect(sizes.size).toBeLessThan(commits.length / 2);
    expect(Math.max(...sizes.values())).toBeLessThanOrEqual(8);
    expect(Math.min(...sizes.values())).toBe(1);

    const { rows: counts } = await owner.query(
      `SELECT (SELECT count(*) FROM cases WHERE id = ANY($1::uuid[]))::int AS cases,
              (SELECT count(*) FROM human_tasks WHERE case_id = ANY($1::uuid[]))::int AS tasks,
              (SELECT count(*) FROM notifications WHERE case_id = ANY($1::uuid[]))::int AS notifications,
              (SELECT count(*) FROM audit_events WHERE case_id = ANY($1::uuid[]))::int AS events`,
      [ids],
    );
    expect(counts[0]).toEqual({ cases: 48, tasks: 48, notifications: 48, events: 144 });
    await expect(verifyAuditChain(owner)).resolves.toMatchObject({ ok: true });
  });

  it('writes one transaction at a time while none stalls: the commits that arrive meanwhile go together in the next', async () => {
    // Two lanes, but none counts as stalled within the test: the first commit goes alone, the other 15 wait for it.
    const store = new CaseStore(ds, { lanes: 2, stallMs: 60_000 });
    const commits = Array.from({ length: 16 }, () => commitFor(randomUUID()));
    await Promise.all(commits.map((c) => store.commit(c)));
    const byCase = await transactionsOf(commits.map((c) => c.caseId));
    const xids = [...byCase.values()].flatMap((s) => [...s]);
    expect(new Set(xids).size).toBe(2);
    expect(store.written).toEqual({ transactions: 2, commits: 16 });
  });

  it('opens a second lane beside a stalled transaction, so that it holds up no other case', async () => {
    const store = new CaseStore(ds, { lanes: 2, stallMs: 20 });
    const stuck = randomUUID();
    await store.commit(commitFor(stuck));
    // Another session holds the case's row: the next version's transaction waits for it.
    const holder = await owner.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM cases WHERE id = $1 FOR UPDATE', [stuck]);
      let stuckDone = false;
      const stuckCommit = store.commit(commitFor(stuck, { version: 2 })).finally(() => (stuckDone = true));
      await new Promise((r) => setTimeout(r, 50));
      const others = Array.from({ length: 3 }, () => commitFor(randomUUID()));
      const written = Promise.all(others.map((c) => store.commit(c)));
      const late = new Promise<string>((r) => setTimeout(() => r('still waiting after 10 s'), 10_000).unref());
      await expect(Promise.race([written, late])).resolves.toEqual(others.map(() => ({ appended: 3 })));
      expect(stuckDone).toBe(false);
      await holder.query('ROLLBACK');
      await expect(stuckCommit).resolves.toEqual({ appended: 3 });
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      holder.release();
    }
    await expect(verifyAuditChain(owner)).resolves.toMatchObject({ ok: true });
  });

  it("gives each commit's outbox the reads of its own writes, as if it had its own transaction", async () => {
    const store = new CaseStore(ds, { lanes: 1, maxBatch: 16 });
    const commits = Array.from({ length: 12 }, () => commitFor(randomUUID()));
    await Promise.all(commits.map((c) => store.commit(c)));
    const byCase = await transactionsOf(commits.map((c) => c.caseId));
    expect(new Set([...byCase.values()].flatMap((s) => [...s])).size).toBe(2);

    const { rows } = await owner.query<{ case_id: string; payload: { caseId: string; task: { title: string } | null } }>(
      `SELECT n.case_id::text, o.payload FROM notification_outbox o JOIN notifications n ON n.id = o.notification_id
       WHERE o.channel = 'email' AND n.case_id = ANY($1::uuid[])`,
      [commits.map((c) => c.caseId)],
    );
    expect(rows).toHaveLength(12);
    // The email names the task the same commit opened: its reads ran after its writes, in the shared transaction.
    for (const r of rows) expect(r.payload).toMatchObject({ caseId: r.case_id, task: { title: `Approve ${r.case_id}` } });
  });

  it('fails only the commit that fails: the others of its transaction are written again, each alone', async () => {
    const store = new CaseStore(ds, { lanes: 1, maxBatch: 16 });
    const headBefore = Number((await owner.query('SELECT seq FROM audit_chain_head')).rows[0].seq);
    // The first goes alone at once; the next eight wait and share one transaction, which the bad one fails.
    const good = Array.from({ length: 8 }, () => commitFor(randomUUID()));
    const bad = commitFor(randomUUID(), { dueAt: 'not a date' });
    const all = [good[0], ...good.slice(1, 4), bad, ...good.slice(4)];
    const settled = await Promise.allSettled(all.map((c) => store.commit(c)));

    expect(settled.map((s) => s.status)).toEqual(all.map((c) => (c === bad ? 'rejected' : 'fulfilled')));
    const failure = settled[all.indexOf(bad)] as PromiseRejectedResult;
    expect(String(failure.reason)).toMatch(/invalid input syntax for type timestamp/);

    const byCase = await transactionsOf(all.map((c) => c.caseId));
    expect(byCase.has(bad.caseId)).toBe(false);
    for (const c of good) expect(byCase.get(c.caseId)?.size).toBe(1);
    // After the failure each was written in a transaction of its own.
    expect(new Set([...byCase.values()].flatMap((s) => [...s])).size).toBe(8);
    const headAfter = Number((await owner.query('SELECT seq FROM audit_chain_head')).rows[0].seq);
    expect(headAfter - headBefore).toBe(24);
    await expect(verifyAuditChain(owner)).resolves.toMatchObject({ ok: true });
  });

  it('never puts two commits of one case in a transaction: a retry and later versions wait for the next, in order', async () => {
    const store = new CaseStore(ds, { lanes: 1, maxBatch: 16 });
    const caseId = randomUUID();
    const [first, other] = [commitFor(randomUUID()), commitFor(randomUUID())];
    const v1 = commitFor(caseId);
    const v2 = commitFor(caseId, { version: 2 });
    // `first` goes at once, alone; then v1 with `other`, then v1's retry, then v2: one case per transaction.
    const results = await Promise.all([first, v1, v1, other, v2].map((c) => store.commit(c)));
    expect(results.map((r) => r.appended)).toEqual([3, 3, 0, 3, 3]);
    expect(store.written).toEqual({ transactions: 4, commits: 5 });

    const { rows: cases } = await owner.query(`SELECT version FROM cases WHERE id = $1`, [caseId]);
    expect(cases).toEqual([{ version: 2 }]);
    const { rows: events } = await owner.query(`SELECT event_key, xmin::text FROM audit_events WHERE case_id = ANY($1::uuid[]) ORDER BY seq`, [
      [caseId, other.caseId],
    ]);
    expect(events.filter((e) => e.event_key.startsWith(caseId)).map((e) => e.event_key)).toEqual([...v1.events, ...v2.events].map((e) => e.key));
    const xminOf = (key: string) => events.find((e) => e.event_key === key).xmin;
    expect(xminOf(v1.events[0].key)).toBe(xminOf(other.events[0].key));
    expect(xminOf(v2.events[0].key)).not.toBe(xminOf(v1.events[0].key));
    const { rows: tasks } = await owner.query(`SELECT count(*)::int AS n FROM human_tasks WHERE case_id = $1`, [caseId]);
    expect(tasks).toEqual([{ n: 2 }]);
    await expect(verifyAuditChain(owner)).resolves.toMatchObject({ ok: true });
  });

  it('writes each commit of a shared transaction as its own: arrays, closed tasks and events stay with their case', async () => {
    const store = new CaseStore(ds, { lanes: 1, maxBatch: 16 });
    const opened = Array.from({ length: 6 }, () => commitFor(randomUUID()));
    await Promise.all(opened.map((c) => store.commit(c)));
    // Version 2 of each: odd characters in the arrays, and the approval task closed, with its own outcome.
    const odd = ['quote"d', 'back\\slash', 'comma,brace{}', 'NULL', '', 'ünï'];
    const next = opened.map((c, i) => ({
      ...commitFor(c.caseId, { version: 2 }),
      participants: ['alice', odd[i]],
      readerRoles: i % 2 ? [odd[5 - i]] : [],
      openTasks: [],
      notifications: [],
      closeTasks: [{ key: c.openTasks[0].key, outcome: `outcome ${i}`, at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString() }],
    }));
    const written = store.written.transactions;
    await Promise.all([commitFor(randomUUID()), ...next].map((c) => store.commit(c)));
    expect(store.written.transactions - written).toBe(2);

    const ids = opened.map((c) => c.caseId);
    const { rows: cases } = await owner.query(`SELECT id::text, participants, reader_roles, version FROM cases WHERE id = ANY($1::uuid[])`, [ids]);
    const { rows: tasks } = await owner.query(`SELECT case_id::text, outcome, completed_at FROM human_tasks WHERE case_id = ANY($1::uuid[])`, [ids]);
    const { rows: events } = await owner.query(`SELECT case_id::text, event_key, workflow_id FROM audit_events WHERE case_id = ANY($1::uuid[])`, [ids]);
    next.forEach((c, i) => {
      expect(cases.find((r) => r.id === c.caseId)).toEqual({ id: c.caseId, participants: c.participants, reader_roles: c.readerRoles, version: 2 });
      expect(tasks.filter((t) => t.case_id === c.caseId)).toEqual([
        { case_id: c.caseId, outcome: `outcome ${i}`, completed_at: new Date(c.closeTasks[0].at) },
      ]);
      const mine = events.filter((e) => e.case_id === c.caseId);
      expect(mine).toHaveLength(6);
      for (const e of mine) {
        expect(e.event_key.startsWith(c.caseId)).toBe(true);
        expect(e.workflow_id).toBe(c.workflowId);
      }
    });
    await expect(verifyAuditChain(owner)).resolves.toMatchObject({ ok: true });
  });

  it('keeps its statements prepared on the connection, with generic plans (planned once, not at every commit)', async () => {
    const one = await openDataSource(db.appUrl, { migrate: false });
    try {
      // The commits' only connection: what is prepared there is what the store used.
      const pool = poolOf(one);
      pool.options.max = 1;
      const store = new CaseStore(one, { lanes: 1 });
      for (let i = 0; i < 8; i += 1) await store.commit(commitFor(randomUUID()));
      const { rows } = await pool.query<{ statement: string; generic_plans: string; custom_plans: string }>(
        `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'steward\\_b%'`,
      );
      const find = (fragment: string) => rows.find((r) => r.statement.includes(fragment));
      for (const fragment of ['INSERT INTO cases', 'INSERT INTO human_tasks', 'INSERT INTO notifications', 'INSERT INTO notification_outbox', 'audit_append_cases(']) {
        expect(find(fragment)).toMatchObject({ generic_plans: '8', custom_plans: '0' });
      }
      expect(rows.every((r) => r.custom_plans === '0')).toBe(true);
    } finally {
      await one.destroy();
    }
  });
});
