import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { AuditEvent, auditPayload, AuditPayload, ChainVerdict, ChainVerifier, chainHash, GENESIS_HASH } from './audit-chain';
import { readAuditExportBatches, verifyAuditFile } from './audit-file';
import { prng, randomValue } from './audit-samples';
import { verifyAuditEventBatches } from './audit-stream';
import { AUDIT_CSV_HEADER, isoTime, verifyChunk } from './chain-chunks';
import { Chunk, verifyChunkStream } from './chunk-pool';

/**
 * The chunked readers (COPY binary rows, JSON lines, CSV) give the verdict the event-by-event path gives:
 * ChainVerifier.push over the events, or verifyAuditEventBatches(readAuditExportBatches(file)) over a file,
 * whole or tampered with, in chunks of any size (a chunk per event up to the whole input in one).
 */

const TEXTS = ['alice', 'l\u00e9na', 'a "quoted" name', 'comma, and more', 'tab\there', 'new\nline', '\ud83d\ude80 rocket', 'back\\slash', '\u2028'];

/** A valid chain of `n` events: uuids, times, awkward strings, generated data (every JSON shape). */
function chain(n: number, seed = 1): AuditEvent[] {
  const rand = prng(seed);
  const hex = (len: number) => Array.from({ length: len }, () => Math.floor(rand() * 16).toString(16)).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
  const text = () => TEXTS[Math.floor(rand() * TEXTS.length)];
  const events: AuditEvent[] = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq += 1) {
    const payload: AuditPayload = {
      seq,
      id: uuid(),
      at: new Date(Date.UTC(2026, 0, 1) + seq * 61_001 + Math.floor(rand() * 1000)).toISOString(),
      caseType: seq % 3 === 0 ? 'complaint' : 'change_request',
      caseId: uuid(),
      actorId: text(),
      action: `step_${seq % 5}`,
      fromStatus: seq % 4 === 0 ? null : text(),
      toStatus: seq % 7 === 0 ? null : 'pending_approval',
      data: { value: randomValue(rand, 1) ?? null, list: [randomValue(rand, 2) ?? null], note: text() },
      workflowId: `wf-${seq % 11}`,
      runId: uuid(),
    };
    const hash = chainHash(prevHash, payload);
    events.push({ ...payload, prevHash, hash });
    prevHash = hash;
  }
  return events;
}

function reference(events: AuditEvent[], verifier = new ChainVerifier()): ChainVerdict {
  for (const e of events) if (!verifier.push(e)) break;
  return verifier.verdict();
}

/** Every kind of tampering the verifier must catch, applied to a copy of a chain. */
function tamperings(events: AuditEvent[]): [string, AuditEvent[]][] {
  const k = Math.floor(events.length / 2);
  const edited = { ...events[k], data: { ...events[k].data, comment: 'approved by the board' } };
  return [
    ['an edited field', events.map((e, i) => (i === k ? { ...e, actorId: 'eve' } : e))],
    ['an edited payload', events.map((e, i) => (i === k ? edited : e))],
    ['an edited payload with its own hash recomputed', events.map((e, i) => (i === k ? { ...edited, hash: chainHash(edited.prevHash, auditPayload(edited)) } : e))],
    ['an edited time', events.map((e, i) => (i === k ? { ...e, at: new Date(Date.parse(e.at) - 86_400_000).toISOString() } : e))],
    ['a deleted event', events.filter((_, i) => i !== k)],
    ['a deleted first event', events.slice(1)],
    ['two reordered events', [...events.slice(0, k), events[k + 1], events[k], ...events.slice(k + 2)]],
    ['a broken link', events.map((e, i) => (i === k ? { ...e, prevHash: 'f'.repeat(64) } : e))],
    ['a forged last event', [...events, { ...events[events.length - 1], seq: events.length + 1, id: '00000000-0000-4000-8000-000000000000' }]],
  ];
}

// ---------------------------------------------------------------------------------------------------------
// COPY ... (FORMAT binary), as Postgres writes it for AUDIT_COPY_COLUMNS

const int16 = (n: number) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const field = (bytes: Buffer | null) => (bytes === null ? int32(-1) : Buffer.concat([int32(bytes.length), bytes]));
const text = (s: string | null) => field(s === null ? null : Buffer.from(s, 'utf8'));

/** One row; `micros` adds microseconds below the millisecond (Postgres keeps them, the API cuts them off). */
function pgRow(e: AuditEvent, micros: number): Buffer {
  const seq = Buffer.alloc(8);
  seq.writeBigInt64BE(BigInt(e.seq));
  const at = Buffer.alloc(8);
  at.writeBigInt64BE(BigInt(Date.parse(e.at) - Date.UTC(2000, 0, 1)) * 1000n + BigInt(micros));
  const uuid = (u: string) => Buffer.from(u.replace(/-/g, ''), 'hex');
  return Buffer.concat([
    int16(14),
    field(seq),
    field(uuid(e.id)),
    field(at),
    text(e.caseType),
    field(uuid(e.caseId)),
    text(e.actorId),
    text(e.action),
    text(e.fromStatus),
    text(e.toStatus),
    field(Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(e.data), 'utf8')])),
    text(e.workflowId),
    text(e.runId),
    text(e.prevHash),
    text(e.hash),
  ]);
}

const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(0)]);

/** The COPY stream in chunks of `perChunk` rows (header in the first, trailer in the last), each in a buffer of its own. */
function pgChunks(events: AuditEvent[], perChunk: number): Buffer[] {
  const rows = events.map((e, i) => pgRow(e, (i * 37) % 1000));
  const chunks: Buffer[] = [];
  for (let i = 0; i < Math.max(1, rows.length); i += perChunk) {
    const parts = rows.slice(i, i + perChunk);
    if (i === 0) parts.unshift(COPY_HEADER);
    if (i + perChunk >= rows.length) parts.push(int16(-1));
    chunks.push(Buffer.concat(parts));
  }
  return chunks;
}

async function* asChunks(buffers: Buffer[]): AsyncGenerator<Chunk> {
  for (const b of buffers) yield { buffer: b.buffer as ArrayBuffer, offset: b.byteOffset, length: b.length };
}

const verifyPg = (events: AuditEvent[], perChunk: number) => verifyChunkStream(asChunks(pgChunks(events, perChunk)), 'pg-binary', { threads: 0 });

describe('COPY binary rows', () => {
  const events = chain(60);

  it.each([1, 7, 60])('verify a valid chain in chunks of %i rows, as the events one by one do', async (perChunk) => {
    expect(await verifyPg(events, perChunk)).toEqual({ ok: true, checked: 60, headSeq: 60, headHash: events[59].hash });
    expect(reference(events)).toEqual({ ok: true, checked: 60, headSeq: 60, headHash: events[59].hash });
  });

  it('verify an empty table as an empty chain', async () => {
    expect(await verifyPg([], 10)).toEqual({ ok: true, checked: 0, headSeq: 0, headHash: GENESIS_HASH });
  });

  it.each(tamperings(events))('report %s at the first bad seq, as the events one by one do', async (_what, tampered) => {
    const expected = reference(tampered);
    expect(expected.ok).toBe(false);
    for (const perChunk of [1, 2, 7, 29, 100]) expect(await verifyPg(tampered, perChunk)).toEqual(expected);
    // At most the one bad event is read again the slow way.
    expect(verifyChunk('pg-binary', pgChunks(tampered, 100)[0], true).rechecked).toBeLessThanOrEqual(1);
  });

  it('read a row that ends mid-chunk the same whatever the chunk boundaries, and stop at the first break', () => {
    const [only] = pgChunks(events, 100);
    const result = verifyChunk('pg-binary', only, true);
    // Read the quick way throughout: no event had to be read again the slow way.
    expect(result).toEqual({ first: { seq: 1, prevHash: GENESIS_HASH }, verdict: reference(events), error: null, rechecked: 0 });
  });

  it('refuse a row of another shape rather than guess', () => {
    const [chunk] = pgChunks(events.slice(0, 2), 10);
    const bad = Buffer.from(chunk);
    bad.writeInt16BE(13, COPY_HEADER.length);
    expect(verifyChunk('pg-binary', bad, true).error).toEqual({ name: 'Error', message: 'unexpected row of 13 columns in the COPY stream' });
  });
});

describe('isoTime', () => {
  it('writes what Date.prototype.toISOString writes, over centuries, either side of 1970 and 2000', () => {
    const rand = prng(3);
    for (let i = 0; i < 20_000; i += 1) {
      const ms = Math.floor((rand() - 0.3) * 2 ** 45) * (i % 2 ? 1 : 7);
      if (isoTime(ms) !== new Date(ms).toISOString()) throw new Error(`${ms}: ${isoTime(ms)} !== ${new Date(ms).toISOString()}`);
    }
    expect(isoTime(Date.UTC(2026, 11, 2, 23, 59, 59, 999))).toBe('2026-12-02T23:59:59.999Z');
    expect(isoTime(Date.UTC(12026, 0, 1))).toBe('+012026-01-01T00:00:00.000Z');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Export files

const FIELDS = AUDIT_CSV_HEADER.split(',');
const jsonLines = (events: AuditEvent[]) => events.map((e) => `${JSON.stringify(e)}\n`).join('');
/** CSV as GET /audit/export writes it (csv-stringify, data as a JSON cell, null as an empty cell). */
const csvText = (events: AuditEvent[], options: { record_delimiter?: string; columns?: string[] } = {}) =>
  stringify(
    events.map((e) => (options.columns ?? FIELDS).map((c) => (c === 'data' ? JSON.stringify(e.data) : e[c as keyof AuditEvent]))),
    { header: true, columns: options.columns ?? FIELDS, record_delimiter: options.record_delimiter ?? 'unix' },
  );

describe('verifyAuditFile', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'steward-chain-chunks-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  const file = (name: string, body: string) => {
    const path = join(dir, `${(n += 1)}-${name}`);
    writeFileSync(path, body);
    return path;
  };
  /** The old way: every event read and pushed one by one. */
  const oldWay = (path: string, trustFirstLink = false) => verifyAuditEventBatches(readAuditExportBatches(path), { trustFirstLink });
  /** In line, in chunks of about `chunkBytes` (cut at line ends). */
  const newWay = (path: string, chunkBytes: number, trustFirstLink = false) => verifyAuditFile(path, { threads: 0, chunkBytes, trustFirstLink });
  const SIZES = [64, 1000, 7000, 1 << 20];

  const events = chain(80, 5);

  it.each(['jsonl', 'csv'] as const)('reads a whole %s export itself (no detour through JSON.parse or csv-parse)', (format) => {
    const bytes = Buffer.from(format === 'csv' ? csvText(events) : jsonLines(events));
    expect(verifyChunk(format, bytes, true)).toEqual({ first: { seq: 1, prevHash: GENESIS_HASH }, verdict: reference(events), error: null, rechecked: 0 });
    expect(verifyChunk('csv', Buffer.from(csvText(events, { record_delimiter: 'windows' })), true).unreadable).toBe(true);
  });

  it.each(['jsonl', 'csv'])('verifies a valid %s export in chunks of any size', async (format) => {
    const path = file(`ok.${format}`, format === 'csv' ? csvText(events) : jsonLines(events));
    const expected = { ok: true, checked: 80, headSeq: 80, headHash: events[79].hash };
    expect(await oldWay(path)).toEqual(expected);
    for (const size of SIZES) expect(await newWay(path, size)).toEqual(expected);
  });

  describe.each(['jsonl', 'csv'])('a tampered %s export', (format) => {
    it.each(tamperings(events))('reports %s as the old reader does', async (_what, tampered) => {
      const path = file(`tampered.${format}`, format === 'csv' ? csvText(tampered) : jsonLines(tampered));
      const expected = await oldWay(path);
      expect(expected.ok).toBe(false);
      for (const size of SIZES) expect(await newWay(path, size)).toEqual(expected);
    });
  });

  it.each(['jsonl', 'csv'])('verifies a %s export that starts mid-chain only with trustFirstLink', async (format) => {
    const tail = events.slice(30);
    const path = file(`tail.${format}`, format === 'csv' ? csvText(tail) : jsonLines(tail));
    for (const size of SIZES) {
      expect(await newWay(path, size, true)).toEqual(await oldWay(path, true));
      expect(await newWay(path, size)).toEqual({ ok: false, firstBadSeq: 31, reason: 'expected seq 1, found 31', checked: 0 });
    }
    expect(await newWay(path, 1000, true)).toMatchObject({ ok: true, checked: 50, headSeq: 80 });
  });

  it('reads JSON lines the old reader reads: CRLF and CR ends, blank lines, fields in any order, odd types, extra fields', async () => {
    const lines = events.map((e) => JSON.stringify(e));
    lines[3] = JSON.stringify(Object.fromEntries(Object.entries(events[3]).reverse()));
    lines[5] = JSON.stringify({ ...events[5], extra: { ignored: true } });
    lines[8] = ` ${lines[8]}  `;
    const body = `${lines.slice(0, 20).join('\r\n')}\r\n\n   \n${lines.slice(20, 40).join('\r')}\r${lines.slice(40).join('\n')}`;
    const path = file('odd.jsonl', body);
    expect(await oldWay(path)).toMatchObject({ ok: true, checked: 80 });
    for (const size of SIZES) expect(await newWay(path, size)).toEqual(await oldWay(path));

    const typed = [...lines];
    typed[10] = JSON.stringify({ ...events[10], seq: String(events[10].seq) });
    const odd = file('typed.jsonl', typed.join('\n'));
    expect(await oldWay(odd)).toEqual({ ok: false, firstBadSeq: '11', reason: 'expected seq 11, found 11', checked: 10 });
    for (const size of SIZES) expect(await newWay(odd, size)).toEqual(await oldWay(odd));
  });

  it('fails on a line that is not JSON, unless the chain broke before it', async () => {
    const lines = events.map((e) => JSON.stringify(e));
    const broken = file('broken.jsonl', [...lines.slice(0, 50), '{"seq":51,', ...lines.slice(51)].join('\n'));
    await expect(oldWay(broken)).rejects.toThrow(SyntaxError);
    for (const size of SIZES) await expect(newWay(broken, size)).rejects.toThrow(SyntaxError);
    // A raw control character inside a string: not JSON, though the quick reader copies it; its hash cannot
    // match, and the event is then read the slow way, which refuses it.
    const raw = file('raw-control.jsonl', [...lines.slice(0, 50), lines[50].replace('"action":"', '"action":"\u0001'), ...lines.slice(51)].join('\n'));
    await expect(oldWay(raw)).rejects.toThrow(SyntaxError);
    for (const size of SIZES) await expect(newWay(raw, size)).rejects.toThrow(SyntaxError);
    const earlier = file('broken-after-a-gap.jsonl', [...lines.slice(0, 10), ...lines.slice(11, 50), '{"seq":51,'].join('\n'));
    for (const size of SIZES) expect(await newWay(earlier, size)).toEqual({ ok: false, firstBadSeq: 12, reason: 'expected seq 11, found 12', checked: 10 });
  });

  it.each([
    ['CRLF line ends', { record_delimiter: 'windows' }],
    ['its columns in another order', { columns: [...FIELDS].reverse() }],
  ])('hands a CSV export with %s to csv-parse, with the same verdict', async (_what, options) => {
    const path = file('other.csv', csvText(events, options));
    const tampered = file('other-tampered.csv', csvText(tamperings(events)[0][1], options));
    expect(await oldWay(path)).toMatchObject({ ok: true, checked: 80 });
    for (const size of SIZES) {
      expect(await newWay(path, size)).toEqual(await oldWay(path));
      expect(await newWay(tampered, size)).toEqual(await oldWay(tampered));
    }
  });

  it('reads a CSV cell with a line end inside its quotes, even where a chunk was cut inside it', async () => {
    const path = file('newlines.csv', csvText(events.map((e) => ({ ...e }))));
    expect(events.some((e) => e.actorId.includes('\n'))).toBe(true);
    for (let size = 64; size < 4000; size += 97) expect(await newWay(path, size)).toEqual(await oldWay(path));
  });

  it('verifies an empty export as an empty chain', async () => {
    expect(await newWay(file('empty.jsonl', ''), 1000)).toEqual({ ok: true, checked: 0, headSeq: 0, headHash: GENESIS_HASH });
    expect(await newWay(file('empty.csv', `${AUDIT_CSV_HEADER}\n`), 1000)).toEqual({ ok: true, checked: 0, headSeq: 0, headHash: GENESIS_HASH });
  });
});
