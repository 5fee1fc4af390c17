import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { appendAuditEvents, auditAppendStatement, AuditPayload, CaseStore, chainHash, openDataSource, streamAuditEvents, verifyAuditChain } from '@steward/persistence';
import { createScratchDatabase, refusal, runAuditVerifyCli, ScratchDatabase } from '../support/audit';

/**
 * The chain is appended by the SQL function audit_append_cases (one statement under the head lock), with the JCS
 * still computed in the app. These tests show that its hashes are byte for byte what the app computed before
 * (the previous appender is kept below, verbatim, as the reference), that old and new events form one chain
 * every verifier accepts, and that the function keeps the append guarantees (idempotent keys, one head).
 */

jest.setTimeout(120_000);

type Ctx = Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>;

/** The appender as it was before audit_append_cases (hashes in JavaScript, four statements under the lock), verbatim. */
async function legacyAppend(tx: EntityManager, ctx: Ctx, drafts: AuditEventDraft[]): Promise<number> {
  if (drafts.length === 0) return 0;
  const [head] = await tx.query(`SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`);
  const existing = new Set<string>(
    (await tx.query(`SELECT event_key FROM audit_events WHERE event_key = ANY($1)`, [drafts.map((d) => d.key)])).map((r: { event_key: string }) => r.event_key),
  );
  let seq = Number(head.seq);
  let prevHash: string = head.hash;
  const rows: unknown[][] = [];
  for (const d of drafts) {
    if (existing.has(d.key)) continue;
    seq += 1;
    const payload: AuditPayload = {
      seq,
      id: randomUUID(),
      at: new Date(d.at).toISOString(),
      caseType: ctx.caseType,
      caseId: ctx.caseId,
      actorId: d.actorId,
      action: d.action,
      fromStatus: d.fromStatus,
      toStatus: d.toStatus,
      data: d.data,
      workflowId: ctx.workflowId,
      runId: ctx.runId,
    };
    const hash = chainHash(prevHash, payload);
    rows.push([
      payload.seq, payload.id, d.key, payload.at, payload.caseType, payload.caseId, payload.actorId, payload.action,
      payload.fromStatus, payload.toStatus, payload.data, payload.workflowId, payload.runId, prevHash, hash,
    ]);
    prevHash = hash;
  }
  if (rows.length === 0) return 0;
  const cols = 15;
  const values = rows.map((_, i) => `(${Array.from({ length: cols }, (_, j) => `$${i * cols + j + 1}`).join(', ')})`);
  await tx.query(
    `INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status,
       data, workflow_id, run_id, prev_hash, hash) VALUES ${values.join(', ')}`,
    rows.flat(),
  );
  await tx.query(`UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1`, [seq, prevHash]);
  return rows.length;
}

/** Data as varied as workflows write: unicode, escapes, numbers JCS writes in special ways, nesting, odd keys. */
const VARIED_DATA: Record<string, unknown>[] = [
  {},
  { title: 'Upgrade billing DB', affectedSystems: ['billing-db'], plannedStart: '2026-01-01T00:00:00.000Z', riskLevel: 'low' },
  { comment: 'Zu riskant f\u00fcr Q3 \u2014 bitte \u00fcberarbeiten', note: null },
  { note: '\u00dcn\u00efc\u00f8d\u00e9 \u2713 "quoted", back\\slash; new\nline \u2028 tab\t \ud83d\ude80 \u4e2d\u6587 \u0001' },
  { n: [0, -0, 1, -1, 1.5, 0.1 + 0.2, 1e21, 1e-7, 123456789.12345679, 2 ** 53 - 1, 5e-324, 1e300, 100, 4.35] },
  { nested: { z: [3, 'two', null, false, { b: 1, a: [] }], a: { '': 'empty key', '\u00e9': 1, Z: 2, '\ud83d\ude00': 'emoji', '\ufb33': 'dalet', '10': 'ten', '9': 'nine' } } },
  { deep: { a: { b: { c: { d: { e: [[[{ f: 'bottom' }]]] } } } } }, empty: { list: [], object: {} }, flag: true },
  { level: 'manager', rule: 'n_of_m', required: 2, approvers: ['carol', 'dave', 'erin'], round: 3, delegations: [{ from: 'bob', to: 'sue' }] },
];

function draftsFor(caseId: string, version: number): AuditEventDraft[] {
  return VARIED_DATA.map((data, i) => ({
    key: `${caseId}:event:v${version}:${i}`,
    at: new Date(Date.UTC(2026, 10, 27, 10, 56, 59, 855 + i * 101)).toISOString(),
    actorId: i % 3 === 0 ? 'system' : i % 3 === 1 ? 'alice' : 'l\u00e9na',
    action: `step_${i}`,
    fromStatus: i === 0 ? null : `status_${i - 1}`,
    toStatus: i === 7 ? null : `status_${i}`,
    data,
  }));
}

const ctxFor = (caseId: string, caseType = 'change_request'): Ctx => ({ caseType, caseId, workflowId: `wf-${caseId}`, runId: `run-${caseId}` });

interface Row {
  seq: string;
  id: string;
  event_key: string;
  at: Date;
  prev_hash: string;
  hash: string;
}

describe('audit_append_cases, the SQL appender', () => {
  let db: ScratchDatabase;
  let ds: DataSource;
  let owner: Client;
  let app: Client;
  let pool: Pool;
  let dir: string;
  /** Every draft appended through audit_append_cases, by key: what the app handed over, before Postgres saw it. */
  const appendedBySql = new Map<string, { draft: AuditEventDraft; ctx: Ctx }>();
  const appendedByJs = new Map<string, { draft: AuditEventDraft; ctx: Ctx }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-audit-append-'));
    db = await createScratchDatabase('steward_append');
    ds = await openDataSource(db.appUrl, { migrate: false });
    owner = new Client({ connectionString: db.ownerUrl });
    app = new Client({ connectionString: db.appUrl });
    await Promise.all([owner.connect(), app.connect()]);
    pool = new Pool({ connectionString: db.appUrl, max: 3 });
  });
  afterAll(async () => {
    await Promise.all([ds?.destroy(), owner?.end(), app?.end(), pool?.end()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const rows = async (): Promise<Row[]> => (await owner.query<Row>('SELECT seq, id, event_key, at, prev_hash, hash FROM audit_events ORDER BY seq')).rows;

  it('makes the hashes the JavaScript appender made, and old and new events form one chain', async () => {
    // Old events first (as a chain written before this change holds them), then new ones, then both interleaved.
    const plan: ('js' | 'sql')[] = ['js', 'js', 'sql', 'sql', 'js', 'sql', 'js', 'sql'];
    for (const [i, how] of plan.entries()) {
      const caseId = randomUUID();
      const ctx = ctxFor(caseId, i % 2 ? 'complaint' : 'change_request');
      const drafts = draftsFor(caseId, 1);
      const appended = await ds.transaction((tx) => (how === 'js' ? legacyAppend(tx, ctx, drafts) : appendAuditEvents(tx, ctx, drafts)));
      expect(appended).toBe(drafts.length);
      for (const draft of drafts) (how === 'js' ? appendedByJs : appendedBySql).set(draft.key, { draft, ctx });
    }
    const all = await rows();
    expect(all.map((r) => Number(r.seq))).toEqual(Array.from({ length: plan.length * VARIED_DATA.length }, (_, i) => i + 1));
    expect(appendedBySql.size).toBe(4 * VARIED_DATA.length);

    // Both ways over the same events: the hash Postgres stored, and chainHash over the payload the app handed
    // over (its draft: data never read back from jsonb), chained from genesis. They must be the same strings.
    let prev = '0'.repeat(64);
    for (const r of all) {
      const source = appendedBySql.get(r.event_key) ?? appendedByJs.get(r.event_key);
      expect(source).toBeDefined();
      const { draft, ctx } = source!;
      const payload: AuditPayload = {
        seq: Number(r.seq), id: r.id, at: new Date(draft.at).toISOString(), caseType: ctx.caseType, caseId: ctx.caseId, actorId: draft.actorId,
        action: draft.action, fromStatus: draft.fromStatus, toStatus: draft.toStatus, data: draft.data, workflowId: ctx.workflowId, runId: ctx.runId,
      };
      expect({ seq: Number(r.seq), prevHash: r.prev_hash }).toEqual({ seq: Number(r.seq), prevHash: prev });
      expect({ seq: Number(r.seq), hash: r.hash }).toEqual({ seq: Number(r.seq), hash: chainHash(prev, payload) });
      prev = r.hash;
    }
    const head = (await owner.query('SELECT seq, hash FROM audit_chain_head')).rows[0];
    expect(head).toEqual({ seq: String(all.length), hash: prev });

    // Every verifier accepts the mixed chain: the API's, the CLI on the database, the CLI on both export formats.
    expect(await verifyAuditChain(pool)).toEqual({ ok: true, checked: all.length, headSeq: all.length, headHash: prev });
    const byCli = await runAuditVerifyCli(['--database', db.appUrl]);
    expect(byCli.code).toBe(0);
    expect(byCli.verdict).toMatchObject({ ok: true, checked: all.length, headSeq: all.length, headHash: prev });
    const lines: string[] = [];
    for await (const e of streamAuditEvents(pool, {}, 7)) lines.push(JSON.stringify(e));
    expect(lines).toHaveLength(all.length);
    const file = join(dir, 'mixed.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const byFile = await runAuditVerifyCli(['--file', file]);
    expect(byFile.code).toBe(0);
    expect(byFile.verdict).toMatchObject({ ok: true, checked: all.length, headHash: prev });
  });

  it('still detects an edited event appended by the function, at its seq', async () => {
    const [sqlKey] = [...appendedBySql.keys()];
    const { seq, data } = (await owner.query('SELECT seq, data FROM audit_events WHERE event_key = $1', [sqlKey])).rows[0];
    /** Sets the event's data as the table owner, with the append-only triggers off, as a tamperer could. */
    const setData = async (value: unknown) => {
      await owner.query('BEGIN');
      await owner.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
      await owner.query('UPDATE audit_events SET data = $2 WHERE seq = $1', [seq, JSON.stringify(value)]);
      await owner.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
      await owner.query('COMMIT');
    };
    await setData({ ...data, x: 1 });
    try {
      expect(await verifyAuditChain(pool)).toEqual({ ok: false, firstBadSeq: Number(seq), reason: 'hash does not match the event content', checked: Number(seq) - 1 });
    } finally {
      await setData(data);
    }
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });

  it('appends only the keys not yet in the chain when a commit is retried, contiguously', async () => {
    const caseId = randomUUID();
    const ctx = ctxFor(caseId);
    const drafts = draftsFor(caseId, 2);
    const before = await rows();
    expect(await ds.transaction((tx) => appendAuditEvents(tx, ctx, drafts.slice(0, 3)))).toBe(3);
    expect(await ds.transaction((tx) => appendAuditEvents(tx, ctx, drafts))).toBe(drafts.length - 3);
    expect(await ds.transaction((tx) => appendAuditEvents(tx, ctx, drafts))).toBe(0);
    const after = await rows();
    expect(after.slice(before.length).map((r) => r.event_key)).toEqual(drafts.map((d) => d.key));
    expect(after.map((r) => Number(r.seq))).toEqual(after.map((_, i) => i + 1));
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true, checked: after.length });
  });

  it('answers a retry of a fully written commit without waiting for the chain head; a new commit waits', async () => {
    const caseId = randomUUID();
    const ctx = ctxFor(caseId);
    const drafts = draftsFor(caseId, 3);
    expect(await ds.transaction((tx) => appendAuditEvents(tx, ctx, drafts))).toBe(drafts.length);
    const holder = new Client({ connectionString: db.appUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT seq FROM audit_chain_head WHERE id = 1 FOR UPDATE');
      // lock_timeout makes a wait for the head lock fail fast instead of hanging the test.
      const attempt = (d: AuditEventDraft[]) =>
        ds.transaction(async (tx) => {
          await tx.query(`SET LOCAL lock_timeout = '2s'`);
          return appendAuditEvents(tx, ctx, d);
        });
      expect(await attempt(drafts)).toBe(0);
      await expect(attempt([{ ...drafts[0], key: `${caseId}:event:new` }])).rejects.toMatchObject({ driverError: { code: '55P03' } });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });

  it('appends a commit sent by two connections at once only once, after the first one commits', async () => {
    const caseId = randomUUID();
    const ctx = ctxFor(caseId);
    const drafts = draftsFor(caseId, 4);
    const other = await openDataSource(db.appUrl, { migrate: false });
    try {
      const results = await Promise.all([ds, other, ds, other].map((d) => d.transaction((tx) => appendAuditEvents(tx, ctx, drafts))));
      expect([...results].sort((a, b) => a - b)).toEqual([0, 0, 0, drafts.length]);
    } finally {
      await other.destroy();
    }
    const { rows: counted } = await owner.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [caseId]);
    expect(counted[0].n).toBe(drafts.length);
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });

  it('rolls back with the transaction: no seq is used up', async () => {
    const head = (await owner.query('SELECT seq, hash FROM audit_chain_head')).rows[0];
    const caseId = randomUUID();
    await expect(
      ds.transaction(async (tx) => {
        await appendAuditEvents(tx, ctxFor(caseId), draftsFor(caseId, 5));
        throw new Error('the rest of the commit failed');
      }),
    ).rejects.toThrow('the rest of the commit failed');
    expect((await owner.query('SELECT seq, hash FROM audit_chain_head')).rows[0]).toEqual(head);
    const next = await ds.transaction((tx) => appendAuditEvents(tx, ctxFor(caseId), draftsFor(caseId, 5)));
    expect(next).toBe(VARIED_DATA.length);
    const { rows: r } = await owner.query('SELECT min(seq) AS first FROM audit_events WHERE case_id = $1', [caseId]);
    expect(Number(r[0].first)).toBe(Number(head.seq) + 1);
    expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
  });

  it('refuses arrays of different lengths', async () => {
    const err = await refusal(
      app,
      `SELECT audit_append_cases(ARRAY['k1','k2'], ARRAY[gen_random_uuid()], ARRAY[now(), now()], ARRAY['change_request', 'complaint'],
         ARRAY[gen_random_uuid(), gen_random_uuid()], ARRAY['a','b'], ARRAY['x','y'], ARRAY[NULL,NULL]::text[], ARRAY[NULL,NULL]::text[],
         ARRAY['{}','{}']::jsonb[], ARRAY['wf','wf'], ARRAY['run','run'], ARRAY['{','{'], ARRAY['}','}'])`,
    );
    expect(err).toEqual({ code: '22023', message: 'audit_append_cases: the arrays must all have 2 elements' });
  });

  it('cannot be replaced by the app role', async () => {
    const err = await refusal(
      app,
      `CREATE OR REPLACE FUNCTION audit_append_cases(p_keys text[], p_ids uuid[], p_ats timestamptz[], p_case_types text[], p_case_ids uuid[],
         p_actor_ids text[], p_actions text[], p_from_statuses text[], p_to_statuses text[], p_data jsonb[], p_workflow_ids text[],
         p_run_ids text[], p_jcs_heads text[], p_jcs_tails text[]) RETURNS bigint[] LANGUAGE sql AS 'SELECT NULL::bigint[]'`,
    );
    expect(err.code).toBe('42501');
    expect(err.message).toMatch(/must be owner of function audit_append_cases|permission denied for schema public/);
  });

  it('keeps the chain whole through CaseStore.commit with many writers at once', async () => {
    const stores = await Promise.all(Array.from({ length: 4 }, () => openDataSource(db.appUrl, { migrate: false })));
    try {
      const before = Number((await owner.query('SELECT seq FROM audit_chain_head')).rows[0].seq);
      const commits = Array.from({ length: 40 }, (_, i) => {
        const caseId = randomUUID();
        const c: CaseCommit = {
          ...ctxFor(caseId),
          version: 1,
          status: 'open',
          requesterId: 'alice',
          participants: ['alice'],
          view: { id: caseId },
          createdAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
          events: draftsFor(caseId, 6).slice(0, 1 + (i % 4)),
          openTasks: [],
          closeTasks: [],
          notifications: [],
        };
        return new CaseStore(stores[i % 4]).commit(c).then((r) => [r.appended, c.events.length]);
      });
      const results = await Promise.all(commits);
      for (const [appended, expected] of results) expect(appended).toBe(expected);
      const total = results.reduce((sum, [n]) => sum + n, 0);
      const verdict = await verifyAuditChain(pool);
      expect(verdict).toMatchObject({ ok: true, checked: before + total, headSeq: before + total });
    } finally {
      await Promise.all(stores.map((s) => s.destroy()));
    }
  });
});

describe('audit_append_cases on one connection while the chain grows', () => {
  let db: ScratchDatabase;
  let owner: Client;
  let app: Client;

  beforeAll(async () => {
    db = await createScratchDatabase('steward_append_plans');
    owner = new Client({ connectionString: db.ownerUrl });
    app = new Client({ connectionString: db.appUrl });
    await Promise.all([owner.connect(), app.connect()]);
  });
  afterAll(async () => {
    await Promise.all([owner?.end(), app?.end()]);
  });

  const append = async (drafts: AuditEventDraft[]): Promise<number> => {
    const statement = auditAppendStatement(ctxFor(randomUUID()), drafts);
    if (!statement) return 0;
    const { rows } = await app.query<{ seqs: (string | null)[] }>(statement.text, statement.values);
    return rows[0].seqs.filter((seq) => seq !== null).length;
  };
  /** Sequential scans of audit_events so far, with the app connection's counts sent first. */
  const seqScans = async (): Promise<number> => {
    await app.query('SELECT pg_stat_force_next_flush()');
    await owner.query('SELECT pg_stat_clear_snapshot()');
    const { rows } = await owner.query<{ n: string }>(`SELECT seq_scan AS n FROM pg_stat_user_tables WHERE relname = 'audit_events'`);
    return Number(rows[0].n);
  };

  it('finds keys through the index once the chain is big, whatever plan it had while the chain was small', async () => {
    // A new chain: the first calls plan their key lookups on an almost empty table (where a scan is cheapest).
    for (let i = 0; i < 10; i += 1) expect(await append(draftsFor(randomUUID(), 1).slice(0, 2))).toBe(2);
    const bulk = Array.from({ length: 50 }, () => draftsFor(randomUUID(), 1)).flat();
    expect(await append(bulk)).toBe(bulk.length);
    const before = await seqScans();
    for (let i = 0; i < 5; i += 1) expect(await append(draftsFor(randomUUID(), 1).slice(0, 3))).toBe(3);
    // A plan kept from the small table would scan all of it twice per call, once with the chain head locked.
    expect((await seqScans()) - before).toBe(0);
    const { rows } = await owner.query<{ n: string }>('SELECT count(*) AS n FROM audit_events');
    expect(Number(rows[0].n)).toBe(20 + bulk.length + 15);
  });
});
