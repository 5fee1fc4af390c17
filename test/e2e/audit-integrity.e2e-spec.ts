import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { CaseCommit } from '@steward/domain';
import { AuditPayload, CaseStore, chainHash, openDataSource, verifyAuditChain } from '@steward/persistence';
import { asText, compiledAuditVerifiers, CompiledAuditVerifiers, createScratchDatabase, ON_THREADS, refusal, runAuditVerifyCli, ScratchDatabase, withClient } from '../support/audit';
import { ChangeView, decide, hoursFromNow, submitChange } from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/**
 * The trail's guarantees on the real Postgres: the database refuses to change it, the app's role cannot lift
 * that refusal, tampering by the table owner is detected by the API and the CLI, concurrent workers keep one
 * gap-free chain, and a retried commit writes once. Each block works in a scratch database of its own, so
 * its chain starts at seq 1 and staged tampering touches nothing else.
 */

// Scratch databases, the API on one of them and the compiled CLI take a while on a busy machine.
jest.setTimeout(120_000);

const HASH = /^[0-9a-f]{64}$/;

/** A commit as the worker's commitCase activity would send it: `events` audit events, a task, a notification. */
function commitFor(
  caseId: string,
  version: number,
  { events = 3, status = `status_v${version}`, openTasks = [`approve-v${version}`], closeTasks = [] as string[], data = {} as Record<string, unknown> } = {},
): CaseCommit {
  const at = new Date(Date.UTC(2026, 0, 1, 12, 0, version)).toISOString();
  return {
    caseType: 'change_request',
    caseId,
    workflowId: `change-request-${caseId}`,
    runId: `run-${caseId}`,
    version,
    status,
    requesterId: 'alice',
    participants: ['alice', 'bob'],
    view: { id: caseId, status, version },
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, 0, 0)).toISOString(),
    updatedAt: at,
    events: Array.from({ length: events }, (_, i) => ({
      key: `${caseId}:event:v${version}:${i}`,
      at,
      actorId: i === 0 ? 'alice' : 'system',
      action: `step_${i}`,
      fromStatus: version === 1 && i === 0 ? null : `status_v${version - 1}`,
      toStatus: status,
      data: { version, i, ...data },
    })),
    openTasks: openTasks.map((key) => ({ key: `${caseId}:task:${key}`, assigneeId: 'bob', kind: 'approve_change', title: 'Approve the change', dueAt: null, createdAt: at })),
    closeTasks: closeTasks.map((key) => ({ key: `${caseId}:task:${key}`, outcome: 'approved', at })),
    notifications: [{ key: `${caseId}:notification:v${version}`, userId: 'bob', kind: 'approval_requested', message: `Please look at v${version}`, createdAt: at }],
  };
}

/**
 * Commits as the worker's activity does: an attempt that fails is tried again. Only the one failure concurrent
 * attempts of a case's first commit are known to hit is retried: both INSERT the new case row, ON CONFLICT (id)
 * covers only the primary key, so the loser trips over uq_cases_workflow_id instead (see the report). It
 * rolls back having written nothing, and its retry finds the case.
 */
async function commitLikeAnActivity(store: CaseStore, c: CaseCommit): Promise<{ appended: number; attempts: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return { ...(await store.commit(c)), attempts: attempt };
    } catch (err) {
      const e = err as { code?: string; constraint?: string; driverError?: { constraint?: string } };
      const constraint = e.constraint ?? e.driverError?.constraint;
      if (attempt >= 5 || e.code !== '23505' || constraint !== 'uq_cases_workflow_id') throw err;
    }
  }
}

/** JSON that must survive jsonb and still hash the same: unicode, escapes, nesting, odd numbers, key order. */
const AWKWARD_DATA = {
  note: 'Ünïcødé ✓ "quoted", comma; new\nline \u2028 tab\t',
  nested: { z: [1, 2.5, null, true, 1e21, 1e-7, 123456789.12345679], a: { '': 'empty key', é: 1, Z: 2, '😀': 'emoji', '10': 'ten', '9': 'nine' } },
  empty: { list: [], object: {} },
};

describe('audit trail integrity on the real Postgres', () => {
  describe('the database keeps the trail append-only', () => {
    let db: ScratchDatabase;
    let owner: Client;
    let app: Client;
    let appDs: DataSource;
    let store: CaseStore;

    beforeAll(async () => {
      db = await createScratchDatabase();
      owner = new Client({ connectionString: db.ownerUrl });
      app = new Client({ connectionString: db.appUrl });
      await Promise.all([owner.connect(), app.connect()]);
      appDs = await openDataSource(db.appUrl, { migrate: false });
      store = new CaseStore(appDs);
      // Rows to refuse changes to: row triggers only fire on rows that exist.
      await store.commit(commitFor(randomUUID(), 1));
      await store.commit(commitFor(randomUUID(), 1));
      await app.query(`INSERT INTO audit_access_log (actor_id, action, target) VALUES ('audrey', 'export', '{"format":"jsonl"}')`);
    });
    afterAll(async () => {
      await Promise.all([owner?.end(), app?.end(), appDs?.destroy()]);
    });

    const snapshot = async () => ({
      events: (await owner.query('SELECT * FROM audit_events ORDER BY seq')).rows,
      accessLog: (await owner.query('SELECT * FROM audit_access_log ORDER BY id')).rows,
    });

    it('stages these checks as a real superuser, the strongest role there is', async () => {
      const { rows } = await owner.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user');
      expect(rows).toEqual([{ rolsuper: true }]);
      const appRole = await app.query(`SELECT rolsuper, pg_has_role(current_user, 'steward_app', 'member') AS member FROM pg_roles WHERE rolname = current_user`);
      expect(appRole.rows).toEqual([{ rolsuper: false, member: true }]);
    });

    it.each([
      ['audit_events', `UPDATE audit_events SET actor_id = 'eve' WHERE seq = 2`, 'UPDATE'],
      ['audit_events', `UPDATE audit_events SET data = '{}'`, 'UPDATE'],
      ['audit_events', 'DELETE FROM audit_events WHERE seq = 6', 'DELETE'],
      ['audit_events', 'TRUNCATE audit_events', 'TRUNCATE'],
      ['audit_access_log', `UPDATE audit_access_log SET actor_id = 'nobody'`, 'UPDATE'],
      ['audit_access_log', 'DELETE FROM audit_access_log', 'DELETE'],
      ['audit_access_log', 'TRUNCATE audit_access_log', 'TRUNCATE'],
    ])('refuses even the superuser on %s: %s', async (table, sql, op) => {
      const before = await snapshot();
      const err = await refusal(owner, sql);
      expect(err).toEqual({ code: '42501', message: `${table} is append-only: ${op} refused` });
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      ['ALTER TABLE audit_events DISABLE TRIGGER ALL', /must be owner of table audit_events/],
      ['ALTER TABLE audit_events DISABLE TRIGGER USER', /must be owner of table audit_events/],
      ['ALTER TABLE audit_events DISABLE TRIGGER trg_audit_events_append_only', /must be owner of table audit_events/],
      ['DROP TRIGGER trg_audit_events_append_only ON audit_events', /must be owner of (table|relation) audit_events/],
      ['DROP TRIGGER trg_audit_events_no_truncate ON audit_events', /must be owner of (table|relation) audit_events/],
      ['DROP TABLE audit_events', /must be owner of table audit_events/],
      [
        'CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$',
        /must be owner of function audit_events_refuse_change|permission denied for schema public/,
      ],
      ['SET session_replication_role = replica', /permission denied to set parameter "session_replication_role"/],
      [`UPDATE audit_events SET actor_id = 'eve'`, /permission denied for table audit_events/],
      ['DELETE FROM audit_events', /permission denied for table audit_events/],
      ['TRUNCATE audit_events', /permission denied for table audit_events/],
      ['ALTER TABLE audit_access_log DISABLE TRIGGER ALL', /must be owner of table audit_access_log/],
      [`UPDATE audit_access_log SET actor_id = 'nobody'`, /permission denied for table audit_access_log/],
      ['DELETE FROM audit_access_log', /permission denied for table audit_access_log/],
    ])('refuses the app role: %s', async (sql, message) => {
      const before = await snapshot();
      const err = await refusal(app, sql);
      expect(err.code).toBe('42501');
      expect(err.message).toMatch(message);
      expect(await snapshot()).toEqual(before);
    });

    it('lets the app role append through CaseStore.commit, the normal way in, and the chain still holds', async () => {
      const pool = new Pool({ connectionString: db.appUrl, max: 2 });
      try {
        const before = await verifyAuditChain(pool);
        expect(before).toMatchObject({ ok: true, checked: 6, headSeq: 6 });
        const caseId = randomUUID();
        expect(await store.commit(commitFor(caseId, 1, { data: AWKWARD_DATA }))).toEqual({ appended: 3 });
        const { rows } = await app.query('SELECT seq, actor_id, action, data FROM audit_events WHERE case_id = $1 ORDER BY seq', [caseId]);
        expect(rows.map((r) => [Number(r.seq), r.actor_id, r.action])).toEqual([
          [7, 'alice', 'step_0'],
          [8, 'system', 'step_1'],
          [9, 'system', 'step_2'],
        ]);
        expect(rows[0].data).toEqual({ version: 1, i: 0, ...AWKWARD_DATA });
        const after = await verifyAuditChain(pool);
        expect(after).toEqual({ ok: true, checked: 9, headSeq: 9, headHash: expect.stringMatching(HASH) });
      } finally {
        await pool.end();
      }
    });
  });

  describe('tampering staged by the table owner is detected', () => {
    let db: ScratchDatabase;
    let s: Steward;
    let dir: string;
    /** The untouched chain, to put back before each test. */
    let original: Record<string, unknown>[];
    let head: { seq: number; hash: string };
    /** seq of bob's approval of `approved`: an event in the middle worth forging. */
    let k: number;
    let approved: ChangeView;

    /** Runs `sql` as the owner with the append-only triggers switched off, as a superuser bent on tampering could. */
    async function tamper(sql: string, params: unknown[] = []): Promise<void> {
      await withClient(db.ownerUrl, async (c) => {
        await c.query('BEGIN');
        await c.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await c.query(sql, params);
        await c.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
        await c.query('COMMIT');
      });
    }

    /** Puts the original chain and head back (triggers off), whatever a test did. */
    async function restore(): Promise<void> {
      await withClient(db.ownerUrl, async (c) => {
        await c.query('BEGIN');
        await c.query('ALTER TABLE audit_events DISABLE TRIGGER USER');
        await c.query('DELETE FROM audit_events');
        await c.query('INSERT INTO audit_events SELECT * FROM jsonb_populate_recordset(NULL::audit_events, $1::jsonb)', [JSON.stringify(original)]);
        await c.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [head.seq, head.hash]);
        await c.query('ALTER TABLE audit_events ENABLE TRIGGER USER');
        await c.query('COMMIT');
      });
    }

    let compiled: CompiledAuditVerifiers;
    let ownerPool: Pool;
    /**
     * GET /audit/verify's verdict; the compiled verifier on worker threads, in chunks of a few events, must
     * come to the same one (the chain here is too small for the API or the CLI to start a thread).
     */
    const verify = async () => {
      const byApi = (await s.http.get('/audit/verify').set(s.as('audrey')).expect(200)).body;
      expect(await compiled.verifyAuditChain(ownerPool, ON_THREADS)).toEqual(byApi);
      return byApi;
    };
    const cli = () => runAuditVerifyCli(['--database', db.ownerUrl]);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'steward-audit-tamper-'));
      db = await createScratchDatabase();
      compiled = await compiledAuditVerifiers();
      ownerPool = new Pool({ connectionString: db.ownerUrl, max: 2 });
      s = await startSteward({ DATABASE_URL: db.appUrl });
      const later = { plannedStart: hoursFromNow(2), plannedEnd: hoursFromNow(3) };
      let rejected: ChangeView;
      [approved, rejected] = await Promise.all([
        submitChange(s, 'alice', { title: 'Tamper target: approved', ...later }),
        submitChange(s, 'alice', { title: 'Tamper target: rejected', ...later }),
        submitChange(s, 'carol', { title: 'Tamper target: pending', ...later }),
      ]);
      await decide(s, approved.id, 'bob', 'approve', 'fine');
      await decide(s, rejected.id, 'bob', 'reject', 'too risky');
      // Only the worker appends to the trail: without it the chain stays still while we tamper.
      await s.stopWorker();
      original = (await withClient(db.ownerUrl, (c) => c.query('SELECT * FROM audit_events ORDER BY seq'))).rows;
      const headRow = (await withClient(db.ownerUrl, (c) => c.query('SELECT seq, hash FROM audit_chain_head'))).rows[0];
      head = { seq: Number(headRow.seq), hash: headRow.hash };
      const approval = original.find((r) => r.case_id === approved.id && r.actor_id === 'bob' && r.to_status === 'scheduled');
      k = Number(approval!.seq);
    });
    beforeEach(() => restore());
    afterAll(async () => {
      await s?.close();
      await ownerPool?.end();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('starts from an intact chain whose head is the newest event', async () => {
      expect(original.length).toBeGreaterThanOrEqual(8);
      expect(head.seq).toBe(original.length);
      expect(k).toBeGreaterThan(1);
      expect(k).toBeLessThan(head.seq);
      expect(await verify()).toEqual({ ok: true, checked: head.seq, headSeq: head.seq, headHash: head.hash });
      const { rows } = await withClient(db.ownerUrl, (c) => c.query('SELECT max(seq) AS max FROM audit_events'));
      expect(Number(rows[0].max)).toBe(head.seq);
      const byCli = await cli();
      expect(byCli.code).toBe(0);
      expect(byCli.verdict).toMatchObject({ ok: true, checked: head.seq, headSeq: head.seq, headHash: head.hash, source: 'database' });
    });

    it.each([
      ['the data of an event', `UPDATE audit_events SET data = data || '{"comment":"approved by the board"}' WHERE seq = $1`],
      ['who acted', `UPDATE audit_events SET actor_id = 'eve' WHERE seq = $1`],
      ['when it happened', `UPDATE audit_events SET at = at - interval '1 day' WHERE seq = $1`],
      ['the resulting status', `UPDATE audit_events SET to_status = 'closed' WHERE seq = $1`],
      ['the run that wrote it', `UPDATE audit_events SET run_id = 'another-run' WHERE seq = $1`],
    ])('detects an edit of %s at its seq, in the API and the CLI', async (_what, sql) => {
      await tamper(sql, [k]);
      const verdict = await verify();
      expect(verdict).toEqual({ ok: false, firstBadSeq: k, reason: 'hash does not match the event content', checked: k - 1 });
      const byCli = await cli();
      expect(byCli.code).toBe(1);
      expect(byCli.verdict).toMatchObject({ ok: false, firstBadSeq: k, reason: 'hash does not match the event content', source: 'database' });
    });

    it('detects an edited event in an export of the tampered database too, and accepts the chain again once restored', async () => {
      await tamper(`UPDATE audit_events SET actor_id = 'eve' WHERE seq = $1`, [k]);
      const exported = await asText(s.http.get('/audit/export?format=csv').set(s.as('audrey'))).expect(200);
      const file = join(dir, 'tampered.csv');
      writeFileSync(file, exported.body as string);
      const byFile = await runAuditVerifyCli(['--file', file]);
      expect(byFile.code).toBe(1);
      expect(byFile.verdict).toMatchObject({ ok: false, firstBadSeq: k, source: file });
      expect(await compiled.verifyAuditFile(file, ON_THREADS)).toEqual({ ok: false, firstBadSeq: k, reason: 'hash does not match the event content', checked: k - 1 });
      const jsonl = join(dir, 'tampered.jsonl');
      writeFileSync(jsonl, (await asText(s.http.get('/audit/export?format=jsonl').set(s.as('audrey'))).expect(200)).body as string);
      expect(await compiled.verifyAuditFile(jsonl, ON_THREADS)).toEqual({ ok: false, firstBadSeq: k, reason: 'hash does not match the event content', checked: k - 1 });

      await restore();
      expect(await verify()).toEqual({ ok: true, checked: head.seq, headSeq: head.seq, headHash: head.hash });
    });

    it('detects an edited event whose own hash was recomputed, at the next seq', async () => {
      const row = original.find((r) => Number(r.seq) === k)!;
      const payload: AuditPayload = {
        seq: k,
        id: row.id as string,
        at: new Date(row.at as string).toISOString(),
        caseType: row.case_type as string,
        caseId: row.case_id as string,
        actorId: 'eve',
        action: row.action as string,
        fromStatus: row.from_status as string | null,
        toStatus: row.to_status as string | null,
        data: row.data as Record<string, unknown>,
        workflowId: row.workflow_id as string,
        runId: row.run_id as string,
      };
      await tamper(`UPDATE audit_events SET actor_id = 'eve', hash = $2 WHERE seq = $1`, [k, chainHash(row.prev_hash as string, payload)]);
      expect(await verify()).toEqual({ ok: false, firstBadSeq: k + 1, reason: 'prevHash does not match the hash of the previous event', checked: k });
    });

    it('detects the deletion of the newest event: the chain no longer reaches its head', async () => {
      await tamper('DELETE FROM audit_events WHERE seq = $1', [head.seq]);
      const previous = original[original.length - 2];
      const verdict = await verify();
      expect(verdict).toEqual({
        ok: false,
        firstBadSeq: head.seq,
        reason: `the chain ends at seq ${head.seq - 1} (${previous.hash}) but its head records seq ${head.seq} (${head.hash})`,
        checked: head.seq - 1,
      });
      const byCli = await cli();
      expect(byCli.code).toBe(1);
      expect(byCli.verdict).toMatchObject({ ok: false, firstBadSeq: head.seq, source: 'database' });
    });

    it('detects the deletion of a middle event at the next seq', async () => {
      await tamper('DELETE FROM audit_events WHERE seq = $1', [k]);
      expect(await verify()).toEqual({ ok: false, firstBadSeq: k + 1, reason: `expected seq ${k}, found ${k + 1}`, checked: k - 1 });
      const byCli = await cli();
      expect(byCli.code).toBe(1);
      expect(byCli.verdict).toMatchObject({ ok: false, firstBadSeq: k + 1, source: 'database' });
    });

    describe('inserting a forged event', () => {
      const forged = (seq: number, prevHash: string): AuditPayload & { prevHash: string } => ({
        seq,
        id: randomUUID(),
        at: new Date().toISOString(),
        caseType: 'change_request',
        caseId: approved.id,
        actorId: 'bob',
        action: 'change_approved',
        fromStatus: 'pending_approval',
        toStatus: 'scheduled',
        data: { comment: 'approved after the fact' },
        workflowId: approved.workflowId,
        runId: 'forged-run',
        prevHash,
      });
      const insert = (e: AuditPayload & { prevHash: string }, hash: string) =>
        tamper(
          `INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status, data, workflow_id, run_id, prev_hash, hash)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
          [e.seq, e.id, `forged:${e.id}`, e.at, e.caseType, e.caseId, e.actorId, e.action, e.fromStatus, e.toStatus, e.data, e.workflowId, e.runId, e.prevHash, hash],
        );

      it('detects a forged event with a made-up hash at its seq', async () => {
        await insert(forged(head.seq + 1, head.hash), 'f'.repeat(64));
        expect(await verify()).toEqual({ ok: false, firstBadSeq: head.seq + 1, reason: 'hash does not match the event content', checked: head.seq });
        const byCli = await cli();
        expect(byCli.code).toBe(1);
        expect(byCli.verdict).toMatchObject({ ok: false, firstBadSeq: head.seq + 1 });
      });

      it('detects a forged event that links up perfectly: it lies beyond the chain head', async () => {
        const { prevHash, ...payload } = forged(head.seq + 1, head.hash);
        await insert({ ...payload, prevHash }, chainHash(prevHash, payload));
        const verdict = await verify();
        expect(verdict).toEqual({
          ok: false,
          firstBadSeq: head.seq + 1,
          reason: expect.stringContaining(`but its head records seq ${head.seq} (${head.hash})`),
          checked: head.seq + 1,
        });
        const byCli = await cli();
        expect(byCli.code).toBe(1);
        expect(byCli.verdict).toMatchObject({ ok: false, firstBadSeq: head.seq + 1, source: 'database' });
      });
    });
  });

  describe('concurrent appends from several workers', () => {
    let db: ScratchDatabase;
    let workers: DataSource[];
    let pool: Pool;

    beforeAll(async () => {
      db = await createScratchDatabase();
      workers = await Promise.all(Array.from({ length: 4 }, () => openDataSource(db.appUrl, { migrate: false })));
      pool = new Pool({ connectionString: db.appUrl, max: 4 });
    });
    afterAll(async () => {
      await Promise.all([...(workers ?? []).map((w) => w.destroy()), pool?.end()]);
    });

    /** Each worker commits `perWorker` distinct cases at once, 3 events each. */
    const burst = (perWorker: number) =>
      Promise.all(
        workers.map((ds, w) => {
          const store = new CaseStore(ds);
          return Promise.all(Array.from({ length: perWorker }, (_, i) => store.commit(commitFor(randomUUID(), 1, { data: { worker: w, i, ...AWKWARD_DATA } }))));
        }),
      );

    it('keeps one gap-free chain: 4 workers x 25 concurrent commits make seq 1..300, each commit contiguous', async () => {
      const results = await burst(25);
      expect(results.flat()).toEqual(Array(100).fill({ appended: 3 }));

      const { rows } = await pool.query<{ seq: string; case_id: string; event_key: string; prev_hash: string; hash: string }>(
        'SELECT seq, case_id, event_key, prev_hash, hash FROM audit_events ORDER BY seq',
      );
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
      // One commit's events sit together, in the order the workflow made them.
      for (let i = 0; i < 300; i += 3) {
        const group = rows.slice(i, i + 3);
        expect(new Set(group.map((r) => r.case_id)).size).toBe(1);
        expect(group.map((r) => r.event_key.split(':').pop())).toEqual(['0', '1', '2']);
      }
      expect(new Set(rows.map((r) => r.case_id)).size).toBe(100);
      rows.slice(1).forEach((r, i) => expect(r.prev_hash).toBe(rows[i].hash));

      expect(await verifyAuditChain(pool)).toEqual({ ok: true, checked: 300, headSeq: 300, headHash: rows[299].hash });
      const chainHead = await pool.query('SELECT seq, hash FROM audit_chain_head');
      expect(chainHead.rows).toEqual([{ seq: '300', hash: rows[299].hash }]);
      const byCli = await runAuditVerifyCli(['--database', db.appUrl]);
      expect(byCli.code).toBe(0);
      expect(byCli.verdict).toMatchObject({ ok: true, checked: 300, headSeq: 300, headHash: rows[299].hash });
    });

    it('reports an intact chain when verified while workers are appending', async () => {
      let done = false;
      const appending = burst(25).finally(() => (done = true));
      const verdicts = [];
      while (!done) verdicts.push(await verifyAuditChain(pool));
      await appending;
      verdicts.push(await verifyAuditChain(pool));
      expect(verdicts.filter((v) => !v.ok)).toEqual([]);
      expect(verdicts[verdicts.length - 1]).toMatchObject({ ok: true, checked: 600, headSeq: 600 });
    });
  });

  describe('a retried commit writes once', () => {
    let db: ScratchDatabase;
    let ds: DataSource;
    let other: DataSource;
    let store: CaseStore;
    let pool: Pool;

    beforeAll(async () => {
      db = await createScratchDatabase();
      [ds, other] = await Promise.all([openDataSource(db.appUrl, { migrate: false }), openDataSource(db.appUrl, { migrate: false })]);
      store = new CaseStore(ds);
      pool = new Pool({ connectionString: db.appUrl, max: 2 });
    });
    afterAll(async () => {
      await Promise.all([ds?.destroy(), other?.destroy(), pool?.end()]);
    });

    /** What the read model holds for one case. */
    async function stateOf(caseId: string) {
      const q = (sql: string) => pool.query(sql, [caseId]).then((r) => r.rows);
      return {
        events: (await q('SELECT event_key FROM audit_events WHERE case_id = $1 ORDER BY seq')).map((r) => r.event_key),
        tasks: (await q('SELECT task_key, completed_at IS NOT NULL AS done, outcome FROM human_tasks WHERE case_id = $1 ORDER BY task_key')),
        notifications: (await q('SELECT notification_key FROM notifications WHERE case_id = $1 ORDER BY notification_key')).map((r) => r.notification_key),
        case: (await q('SELECT status, version, view FROM cases WHERE id = $1'))[0],
      };
    }

    it('writes a commit repeated in sequence once', async () => {
      const caseId = randomUUID();
      const c = commitFor(caseId, 1);
      expect(await store.commit(c)).toEqual({ appended: 3 });
      const head = (await pool.query('SELECT seq, hash FROM audit_chain_head')).rows[0];
      expect(await store.commit(c)).toEqual({ appended: 0 });
      expect(await store.commit(c)).toEqual({ appended: 0 });
      expect(await stateOf(caseId)).toEqual({
        events: [`${caseId}:event:v1:0`, `${caseId}:event:v1:1`, `${caseId}:event:v1:2`],
        tasks: [{ task_key: `${caseId}:task:approve-v1`, done: false, outcome: null }],
        notifications: [`${caseId}:notification:v1`],
        case: { status: 'status_v1', version: 1, view: { id: caseId, status: 'status_v1', version: 1 } },
      });
      expect((await pool.query('SELECT seq, hash FROM audit_chain_head')).rows[0]).toEqual(head);
      expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
    });

    it('writes a commit sent twice at once (two workers) only once', async () => {
      const caseId = randomUUID();
      const c = commitFor(caseId, 1);
      const results = await Promise.all([commitLikeAnActivity(store, c), commitLikeAnActivity(new CaseStore(other), c)]);
      expect(results.map((r) => r.appended).sort()).toEqual([0, 3]);
      const state = await stateOf(caseId);
      expect(state.events).toHaveLength(3);
      expect(state.tasks).toHaveLength(1);
      expect(state.notifications).toEqual([`${caseId}:notification:v1`]);
      expect(state.case).toMatchObject({ status: 'status_v1', version: 1 });
      expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
    });

    it('writes a commit sent five times at once only once', async () => {
      const caseId = randomUUID();
      const c = commitFor(caseId, 1);
      const stores = [store, new CaseStore(other)];
      const results = await Promise.all(Array.from({ length: 5 }, (_, i) => commitLikeAnActivity(stores[i % 2], c)));
      expect(results.map((r) => r.appended).sort()).toEqual([0, 0, 0, 0, 3]);
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM audit_events WHERE case_id = $1', [caseId]);
      expect(rows[0].n).toBe(3);
      expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
    });

    it('keeps the newer version when a retry of an older commit arrives late, and reopens nothing', async () => {
      const caseId = randomUUID();
      const v1 = commitFor(caseId, 1, { status: 'pending_approval', openTasks: ['approve'] });
      const v2 = commitFor(caseId, 2, { status: 'scheduled', openTasks: [], closeTasks: ['approve'] });
      await store.commit(v1);
      await store.commit(v2);
      const settled = await stateOf(caseId);
      expect(await store.commit(v1)).toEqual({ appended: 0 });
      const after = await stateOf(caseId);
      expect(after).toEqual(settled);
      expect(after.case).toEqual({ status: 'scheduled', version: 2, view: { id: caseId, status: 'scheduled', version: 2 } });
      expect(after.tasks).toEqual([{ task_key: `${caseId}:task:approve`, done: true, outcome: 'approved' }]);
      expect(after.events).toEqual([0, 1, 2].map((i) => `${caseId}:event:v1:${i}`).concat([0, 1, 2].map((i) => `${caseId}:event:v2:${i}`)));
      expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
    });

    it('does not let an older commit regress the case, whichever order the two arrive in', async () => {
      const caseId = randomUUID();
      const v1 = commitFor(caseId, 1, { status: 'pending_approval', openTasks: [] });
      const v2 = commitFor(caseId, 2, { status: 'scheduled', openTasks: [] });
      await store.commit(v2);
      await store.commit(v1);
      const state = await stateOf(caseId);
      expect(state.case).toEqual({ status: 'scheduled', version: 2, view: { id: caseId, status: 'scheduled', version: 2 } });
      // Its events still happened: they are kept, once each.
      expect([...state.events].sort()).toEqual([1, 2].flatMap((v) => [0, 1, 2].map((i) => `${caseId}:event:v${v}:${i}`)).sort());
      expect(await verifyAuditChain(pool)).toMatchObject({ ok: true });
    });
  });
});
