import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { Response } from 'supertest';
import { AuditEvent, GENESIS_HASH, readAuditExport, verifyAuditEvents } from '@steward/persistence';
import { AccessRoute, expectAuthMatrix, expectError, expectInvalid, UNAUTHENTICATED } from '../support/access';
import { asText, runAuditVerifyCli } from '../support/audit';
import { ChangeView, decide, eventually, hoursFromNow, submitChange } from '../support/change-requests';
import { act, ComplaintView, openComplaint } from '../support/complaints';
import { startSteward, Steward } from '../support/steward';

/**
 * The auditor's view of the trail over HTTP: who may read it, filters and pagination, exports that verify
 * offline with the CLI, the chain verdict, the access log, and the Temporal history behind a case.
 */

const FIELDS = ['seq', 'id', 'at', 'caseType', 'caseId', 'actorId', 'action', 'fromStatus', 'toStatus', 'data', 'workflowId', 'runId', 'prevHash', 'hash'];

const cursorOf = (key: unknown): string => Buffer.from(JSON.stringify(key)).toString('base64url');

interface AccessEntry {
  id: number;
  at: string;
  actorId: string;
  action: string;
  target: Record<string, unknown>;
}

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(120_000);

describe('audit API', () => {
  let s: Steward;
  let dir: string;
  /** alice's change, approved by bob; its window opens in two hours, so its trail stays still. */
  let approved: ChangeView;
  /** carol's change, waiting for approval. */
  let pending: ChangeView;
  /** The approved change's whole trail, oldest first. */
  let trail: AuditEvent[];
  /** sam's complaint, answered: the other case type in the trail. */
  let complaint: ComplaintView;

  const get = (path: string, userId = 'audrey') => s.http.get(path).set(s.as(userId));
  const page = async (query: string, userId = 'audrey'): Promise<{ items: AuditEvent[]; nextCursor: string | null }> => {
    const res = await get(`/audit/events?${query}`, userId);
    expect(res.status).toBe(200);
    return res.body;
  };
  /** Every event matching `query`, walking the cursor. */
  const everything = async (query: string): Promise<AuditEvent[]> => {
    const all: AuditEvent[] = [];
    let cursor: string | null = null;
    do {
      const p: { items: AuditEvent[]; nextCursor: string | null } = await page(`${query}&limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      all.push(...p.items);
      cursor = p.nextCursor;
    } while (cursor);
    return all;
  };
  const download = async (query: string, userId = 'audrey'): Promise<Response> => {
    const res = await asText(get(`/audit/export?${query}`, userId));
    expect(res.status).toBe(200);
    return res;
  };
  const jsonLines = (text: string): AuditEvent[] =>
    text
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as AuditEvent);

  /** Newest-first access log entries matching `match`, paging back at most `pages` pages. */
  async function accessEntries(match: (e: AccessEntry) => boolean, pages = 10): Promise<AccessEntry[]> {
    const found: AccessEntry[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < pages; i += 1) {
      const res = await get(`/audit/access-log?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      found.push(...(res.body.items as AccessEntry[]).filter(match));
      cursor = res.body.nextCursor;
      if (!cursor) break;
    }
    return found;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'steward-audit-api-'));
    s = await startSteward();
    const later = { plannedStart: hoursFromNow(2), plannedEnd: hoursFromNow(3) };
    [approved, pending] = await Promise.all([
      submitChange(s, 'alice', { title: `Audited change ${randomUUID()}`, ...later }),
      submitChange(s, 'carol', { title: `Pending audited change ${randomUUID()}`, implementerId: 'ivan', ...later }),
    ]);
    await decide(s, approved.id, 'bob', 'approve', 'looks safe');
    complaint = await openComplaint(s, 'sam', { subject: 'Audited complaint' });
    complaint = await act(s, complaint.id, 'responses', complaint.ownerId, { message: 'On it' });
    trail = await eventually(async () => {
      const { items } = await page(`caseId=${approved.id}&limit=200`);
      expect(items.map((e) => e.toStatus)).toContain('scheduled');
      return items;
    });
  });
  afterAll(async () => {
    await s?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('who may read the trail', () => {
    const oversightRoutes = (): AccessRoute[] =>
      ['/audit/events', '/audit/export', '/audit/verify', '/audit/access-log', `/cases/change_request/${approved.id}/history`].map((path) => ({ method: 'get', path }));

    it('refuses the oversight routes and the case trail to a request without a valid token (401)', async () => {
      await expectAuthMatrix(s, [...oversightRoutes(), { method: 'get', path: `/change-requests/${approved.id}/audit` }], UNAUTHENTICATED);
    });

    it('refuses the oversight routes to alice and bob, who have no oversight role (403)', async () => {
      const refused = { status: 403, message: /auditors and admins/ };
      await expectAuthMatrix(s, oversightRoutes(), { alice: refused, bob: refused });
    });

    it('lets the admin read the trail as well as the auditor', async () => {
      const asRoot = await page(`caseId=${approved.id}&limit=200`, 'root');
      expect(asRoot.items).toEqual(trail);
      const verdict = await get('/audit/verify', 'root').expect(200);
      expect(verdict.body.ok).toBe(true);
    });

    it('lets a participant read her own case trail, and records it as a case_trail read', async () => {
      const res = await get(`/change-requests/${approved.id}/audit`, 'alice');
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual(trail);
      const reads = await accessEntries((e) => e.actorId === 'alice' && e.action === 'case_trail' && e.target.caseId === approved.id);
      expect(reads.length).toBeGreaterThanOrEqual(1);
      expect(reads[0].target).toEqual({ caseType: 'change_request', caseId: approved.id, cursor: null });
      // The approver takes part in the case too.
      expect((await get(`/change-requests/${approved.id}/audit`, 'bob')).status).toBe(200);
    });

    it('refuses the case trail to eve, who takes no part in the case (403)', async () => {
      expectError(await get(`/change-requests/${approved.id}/audit`, 'eve'), 403);
      const reads = await accessEntries((e) => e.actorId === 'eve' && e.target.caseId === approved.id);
      expect(reads).toEqual([]);
    });
  });

  describe('input validation (400 naming the field)', () => {
    it.each([
      ['/audit/events?caseId=not-a-uuid', 'caseId'],
      ['/audit/events?from=yesterday', 'from'],
      ['/audit/events?to=2025-13-01T00:00:00Z', 'to'],
      ['/audit/events?limit=0', 'limit'],
      ['/audit/events?limit=201', 'limit'],
      ['/audit/events?cursor=not-a-cursor', 'cursor'],
      ['/audit/events?unknown=1', 'unknown'],
      ['/audit/export?format=xml', 'format'],
      ['/audit/export?caseId=123', 'caseId'],
      ['/audit/export?from=2025-02-30', 'from'],
      ['/audit/access-log?limit=0', 'limit'],
      ['/audit/access-log?cursor=not-a-cursor', 'cursor'],
      ['/cases/change_request/not-a-uuid/history', 'id'],
    ])('GET %s names %s', async (path, field) => {
      expectInvalid(await get(path), field);
    });

    // Well-formed base64 JSON whose key is not a seq: must be refused before it reaches SQL.
    it.each([
      ['/audit/events', ['abc']],
      ['/audit/events', [1.5]],
      ['/audit/events', [-1]],
      ['/audit/events', [1, 2]],
      ['/audit/access-log', ['abc']],
      ['/audit/access-log', [{}]],
    ])('GET %s refuses the forged cursor %j', async (path, key) => {
      expectInvalid(await get(`${path}?cursor=${cursorOf(key)}`), 'cursor');
    });
  });

  describe('GET /audit/events', () => {
    it("filters by caseId: the case's whole trail, oldest first, as the case's own trail shows it", async () => {
      expect(trail.length).toBeGreaterThanOrEqual(3);
      expect(trail.every((e) => e.caseId === approved.id && e.caseType === 'change_request')).toBe(true);
      const seqs = trail.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(trail[0]).toMatchObject({ action: 'change_submitted', actorId: 'alice', fromStatus: null, workflowId: approved.workflowId });
      expect(trail.find((e) => e.toStatus === 'scheduled')).toMatchObject({ actorId: 'bob', fromStatus: 'pending_approval' });
      const own = (await get(`/change-requests/${approved.id}/audit`, 'alice').expect(200)).body.items;
      expect(own).toEqual(trail);
    });

    it('filters by actorId: only that actor, across cases', async () => {
      const bobs = (await page(`caseId=${approved.id}&actorId=bob&limit=200`)).items;
      expect(bobs.length).toBeGreaterThanOrEqual(1);
      expect(bobs).toEqual(trail.filter((e) => e.actorId === 'bob'));

      const carols = await everything('actorId=carol');
      expect(carols.every((e) => e.actorId === 'carol')).toBe(true);
      const seqs = carols.map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(new Set(seqs).size).toBe(seqs.length);
      expect(carols.map((e) => e.caseId)).toContain(pending.id);
      expect(carols.map((e) => e.caseId)).not.toContain(approved.id);
    });

    it('filters by action', async () => {
      const submitted = (await page(`caseId=${approved.id}&action=change_submitted`)).items;
      expect(submitted).toEqual([trail[0]]);
      const everywhere = await everything('action=change_submitted&actorId=carol');
      expect(everywhere.map((e) => e.caseId)).toContain(pending.id);
      expect(everywhere.every((e) => e.action === 'change_submitted' && e.actorId === 'carol')).toBe(true);
      expect((await page(`caseId=${approved.id}&action=no_such_action`)).items).toEqual([]);
    });

    it('filters by time: from is inclusive, to is exclusive', async () => {
      const pivot = trail[1].at;
      const from = (await page(`caseId=${approved.id}&from=${pivot}&limit=200`)).items;
      expect(from).toEqual(trail.filter((e) => e.at >= pivot));
      expect(from[0].at).toBe(pivot);
      const to = (await page(`caseId=${approved.id}&to=${pivot}&limit=200`)).items;
      expect(to).toEqual(trail.filter((e) => e.at < pivot));
      expect(to.length + from.length).toBe(trail.length);

      const last = trail[trail.length - 1].at;
      const window = (await page(`caseId=${approved.id}&from=${trail[0].at}&to=${last}&limit=200`)).items;
      expect(window).toEqual(trail.filter((e) => e.at < last));
      const future = (await page(`caseId=${approved.id}&from=${hoursFromNow(1)}`)).items;
      expect(future).toEqual([]);
    });

    it('filters by caseType: only that type, every case of it, in seq order', async () => {
      const complaints = await everything('caseType=complaint');
      expect(complaints.length).toBeGreaterThanOrEqual(2);
      expect(complaints.every((e) => e.caseType === 'complaint')).toBe(true);
      expect(new Set(complaints.map((e) => e.caseId))).toEqual(new Set([complaint.id]));
      expect(complaints.map((e) => e.action)).toEqual(expect.arrayContaining(['complaint_opened', 'first_response']));

      const changes = await everything('caseType=change_request');
      expect(changes.every((e) => e.caseType === 'change_request')).toBe(true);
      expect(new Set(changes.map((e) => e.caseId))).toEqual(new Set([approved.id, pending.id]));
      // The two types make up the whole trail, each event once.
      const all = await everything('');
      expect([...complaints, ...changes].map((e) => e.seq).sort((a, b) => a - b)).toEqual(all.map((e) => e.seq));

      expect((await page(`caseType=complaint&caseId=${approved.id}`)).items).toEqual([]);
      expect((await page('caseType=incident')).items).toEqual([]);
      expectInvalid(await get('/audit/events?caseType=Change-Request'), 'caseType');
    });

    it('pages with a cursor: every event once, in order, and the last page says so', async () => {
      const seen: AuditEvent[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const p: { items: AuditEvent[]; nextCursor: string | null } = await page(`caseId=${approved.id}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(p.items.length).toBeLessThanOrEqual(2);
        seen.push(...p.items);
        cursor = p.nextCursor;
        pages += 1;
      } while (cursor && pages < 50);
      expect(cursor).toBeNull();
      expect(seen).toEqual(trail);
      expect(pages).toBe(Math.ceil(trail.length / 2));
    });

    it('pages through the whole trail from seq 1 without duplicates, each page linked to the one before', async () => {
      const first = await page('limit=5');
      const second = await page(`limit=5&cursor=${first.nextCursor}`);
      const seqs = [...first.items, ...second.items].map((e) => e.seq);
      expect(first.items[0].seq).toBe(1);
      expect(first.items[0].prevHash).toBe(GENESIS_HASH);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
      // Each page links to the one before it.
      expect(second.items[0].prevHash).toBe(first.items[first.items.length - 1].hash);
    });
  });

  describe('GET /audit/export', () => {
    it('streams JSON lines: one full event per line, filters respected', async () => {
      const res = await download(`format=jsonl&caseId=${approved.id}`);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="steward-audit-.+\.jsonl"$/);
      const lines = jsonLines(res.body as string);
      expect(lines).toEqual(trail);
      for (const e of lines) expect(Object.keys(e).sort()).toEqual([...FIELDS].sort());

      const bobs = jsonLines((await download(`actorId=bob&caseId=${approved.id}`)).body as string);
      expect(bobs).toEqual(trail.filter((e) => e.actorId === 'bob'));
      const upTo = jsonLines((await download(`caseId=${approved.id}&to=${trail[1].at}`)).body as string);
      expect(upTo).toEqual(trail.filter((e) => e.at < trail[1].at));
    });

    it('exports by caseType: the same events the list gives, in both formats', async () => {
      const listed = await everything('caseType=complaint');
      const lines = jsonLines((await download('format=jsonl&caseType=complaint')).body as string);
      expect(lines).toEqual(listed);
      const rows = parseCsv((await download('format=csv&caseType=complaint')).body as string, { columns: true }) as Record<string, string>[];
      expect(rows.map((r) => [r.seq, r.caseType, r.caseId])).toEqual(listed.map((e) => [String(e.seq), 'complaint', complaint.id]));
      const changes = jsonLines((await download(`format=jsonl&caseType=change_request&caseId=${approved.id}`)).body as string);
      expect(changes).toEqual(trail);
      expect(jsonLines((await download(`format=jsonl&caseType=complaint&caseId=${approved.id}`)).body as string)).toEqual([]);
      expectInvalid(await get('/audit/export?caseType=x%20y'), 'caseType');
    });

    it('streams CSV: the header row, then one row per event', async () => {
      const res = await download(`format=csv&caseId=${approved.id}`);
      expect(res.headers['content-type']).toMatch(/^text\/csv/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="steward-audit-.+\.csv"$/);
      const text = res.body as string;
      expect(text.split('\n')[0]).toBe(FIELDS.join(','));
      const rows = parseCsv(text, { columns: true }) as Record<string, string>[];
      expect(rows).toHaveLength(trail.length);
      rows.forEach((row, i) => {
        const e = trail[i];
        expect(row).toEqual({
          ...Object.fromEntries(FIELDS.map((f) => [f, String((e as unknown as Record<string, unknown>)[f] ?? '')])),
          data: JSON.stringify(e.data),
        });
      });
      const carols = parseCsv((await download('format=csv&actorId=carol&action=change_submitted')).body as string, { columns: true }) as Record<string, string>[];
      expect(carols.map((r) => r.caseId)).toContain(pending.id);
      expect(carols.every((r) => r.actorId === 'carol' && r.action === 'change_submitted')).toBe(true);
    });

    it.each(['jsonl', 'csv'] as const)('gives an unfiltered %s export that verifies offline, with the CLI and the library', async (format) => {
      const res = await download(`format=${format}`);
      const file = join(dir, `export-${randomUUID()}.${format}`);
      writeFileSync(file, res.body as string);
      const count = format === 'jsonl' ? jsonLines(res.body as string).length : (parseCsv(res.body as string, { columns: true }) as unknown[]).length;
      expect(count).toBeGreaterThanOrEqual(trail.length);

      const verdict = await verifyAuditEvents(readAuditExport(file));
      expect(verdict).toEqual({ ok: true, checked: count, headSeq: count, headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });

      const cli = await runAuditVerifyCli(['--file', file]);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(cli.verdict).toEqual({ ok: true, checked: count, headSeq: count, headHash: verdict.ok && verdict.headHash, source: file, seconds: expect.any(Number) });
    });

    it('gives a CLI verdict of 1 for an export whose event was edited, naming the seq', async () => {
      const lines = jsonLines((await download('format=jsonl')).body as string);
      const k = trail[1].seq;
      const edited = lines.map((e) => (e.seq === k ? { ...e, actorId: 'eve' } : e));
      const file = join(dir, `edited-${randomUUID()}.jsonl`);
      writeFileSync(file, edited.map((e) => JSON.stringify(e)).join('\n') + '\n');
      const cli = await runAuditVerifyCli(['--file', file]);
      expect(cli.code).toBe(1);
      expect(cli.verdict).toMatchObject({ ok: false, firstBadSeq: k, reason: 'hash does not match the event content', checked: k - 1 });
    });

    it('verifies an export that starts mid-chain only with --trust-first-link', async () => {
      const all = jsonLines((await download('format=jsonl')).body as string);
      const start = trail[1].seq;
      const tail = all.filter((e) => e.seq >= start);
      const file = join(dir, `tail-${randomUUID()}.jsonl`);
      writeFileSync(file, tail.map((e) => JSON.stringify(e)).join('\n'));
      const strict = await runAuditVerifyCli(['--file', file]);
      expect(strict.code).toBe(1);
      expect(strict.verdict).toMatchObject({ ok: false, firstBadSeq: start, reason: `expected seq 1, found ${start}` });
      const trusting = await runAuditVerifyCli(['--file', file, '--trust-first-link']);
      expect(trusting.code).toBe(0);
      expect(trusting.verdict).toMatchObject({ ok: true, checked: tail.length, headSeq: tail[tail.length - 1].seq });
    });

    it('exports a seq range as one unbroken stretch that verifies with --trust-first-link', async () => {
      const from = trail[1].seq;
      const to = trail[trail.length - 1].seq;
      const range = jsonLines((await download(`format=jsonl&fromSeq=${from}&toSeq=${to}`)).body as string);
      expect(range.map((e) => e.seq)).toEqual(Array.from({ length: to - from + 1 }, (_, i) => from + i));
      const file = join(dir, `range-${randomUUID()}.jsonl`);
      writeFileSync(file, range.map((e) => JSON.stringify(e)).join('\n'));
      const cli = await runAuditVerifyCli(['--file', file, '--trust-first-link']);
      expect(cli.code).toBe(0);
      expect(cli.verdict).toMatchObject({ ok: true, checked: to - from + 1, headSeq: to });
    });

    it('refuses a seq range that is not made of positive integers, naming the field', async () => {
      expectInvalid(await s.http.get('/audit/export?fromSeq=0').set(s.as('audrey')), 'fromSeq');
      expectInvalid(await s.http.get('/audit/export?toSeq=abc').set(s.as('audrey')), 'toSeq');
    });

    it('exits 2 on bad usage', async () => {
      const none = await runAuditVerifyCli([]);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/give --file, --database or DATABASE_URL/);
      const unknown = await runAuditVerifyCli(['--frobnicate']);
      expect(unknown.code).toBe(2);
    });
  });

  describe('GET /audit/verify', () => {
    it('reports an intact chain up to its newest event', async () => {
      // This file's database: only its own cases append, and they are all at rest.
      const [{ m }] = await s.dataSource.query('SELECT max(seq) AS m FROM audit_events');
      const res = await get('/audit/verify').expect(200);
      expect(res.body).toEqual({ ok: true, checked: Number(m), headSeq: Number(m), headHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const [row] = await s.dataSource.query('SELECT hash FROM audit_events WHERE seq = $1', [res.body.headSeq]);
      expect(row.hash).toBe(res.body.headHash);
    });
  });

  describe('GET /audit/access-log', () => {
    it("records who exported, verified and listed, with the filters: audrey's export shows format and filters", async () => {
      const marker = randomUUID();
      await download(`format=csv&caseId=${marker}&actorId=bob&from=2025-01-01T00:00:00.000Z`);
      await download(`caseId=${marker}`, 'root');
      await page(`caseId=${marker}&action=change_submitted`);
      await get('/audit/verify', 'root').expect(200);

      const mine = await accessEntries((e) => JSON.stringify(e.target).includes(marker));
      expect(mine.map((e) => [e.actorId, e.action])).toEqual([
        ['audrey', 'list'],
        ['root', 'export'],
        ['audrey', 'export'],
      ]);
      expect(mine[2].target).toEqual({ format: 'csv', filters: { caseId: marker, actorId: 'bob', from: '2025-01-01T00:00:00.000Z' } });
      expect(mine[1].target).toEqual({ format: 'jsonl', filters: { caseId: marker } });
      expect(mine[0].target).toEqual({ filters: { caseId: marker, action: 'change_submitted' }, cursor: null });
      for (const e of mine) expect(Date.parse(e.at)).toBeGreaterThan(Date.now() - 60_000);

      const verifications = await accessEntries((e) => e.actorId === 'root' && e.action === 'verify', 1);
      expect(verifications[0].target).toEqual({ ok: true });
      expect(verifications[0].id).toBeGreaterThan(mine[0].id);
    });

    it('lists newest first and pages with a cursor', async () => {
      await get('/audit/verify').expect(200);
      await get('/audit/verify').expect(200);
      const first = await get('/audit/access-log?limit=2').expect(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await get(`/audit/access-log?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      const ids = [...first.body.items, ...second.body.items].map((e: AccessEntry) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(ids.length);
    });
  });

  describe('GET /cases/:caseType/:caseId/history', () => {
    it('returns every run of the workflow with its full history, starting with WorkflowExecutionStarted and showing the updates', async () => {
      const body = await eventually(async () => {
        const res = await get(`/cases/change_request/${approved.id}/history`).expect(200);
        expect(res.body.runs.length).toBeGreaterThan(0);
        return res.body;
      });
      const description = await s.temporal.workflow.getHandle(approved.workflowId).describe();
      expect(body).toMatchObject({ caseType: 'change_request', caseId: approved.id, workflowId: approved.workflowId });
      expect(body.runs).toHaveLength(1);
      expect(body.runs[0]).toMatchObject({ runId: description.runId, status: 'RUNNING', closeTime: null });
      const events = body.runs[0].history.events as { eventId: string; eventType: string; workflowExecutionUpdateAcceptedEventAttributes?: { acceptedRequest: { input: { name: string } } } }[];
      expect(events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
      expect(events.map((e) => Number(e.eventId))).toEqual(events.map((_, i) => i + 1));
      const updates = events
        .filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED')
        .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes!.acceptedRequest.input.name);
      expect(updates).toEqual(['changeRequest.submitted', 'changeRequest.decide']);
      expect(events.filter((e) => e.eventType === 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(2);
      // The audit trail names the run that wrote it.
      expect(new Set(trail.map((e) => e.runId))).toEqual(new Set([description.runId]));

      const reads = await accessEntries((e) => e.action === 'history' && e.target.caseId === approved.id);
      expect(reads[0]).toMatchObject({ actorId: 'audrey', target: { caseType: 'change_request', caseId: approved.id } });
    });

    it('answers 404 for an unknown case, or a known id under another case type', async () => {
      expectError(await get(`/cases/change_request/${randomUUID()}/history`), 404);
      expectError(await get(`/cases/incident/${approved.id}/history`), 404);
    });
  });
});
