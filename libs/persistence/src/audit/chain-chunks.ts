import { isAscii } from 'node:buffer';
import { AuditEvent, ChainVerdict, ChainVerifier } from './audit-chain';
import { canonicalJson, payloadJcsOfFields } from './canonical-json';
import { canonicalJsonText, canonicalMembersText, exportLineValues } from './canonical-json-text';

/**
 * Verifying a chunk of the audit trail: a run of consecutive events, as raw bytes, checked among themselves.
 * Every event carries its own prevHash and hash, so a chunk is checked from its first event's own link on, on
 * whatever thread; only the link between chunks (the first event's seq and prevHash) is left to the caller,
 * which feeds the results in order to one ChainVerifier (`pushRun`). Nothing here touches the database, the
 * file system or another thread: verify-worker.ts runs it on worker threads, chunk-pool.ts in line too.
 *
 * The bytes are read without building an event object or parsing `data` where the event is plain (every
 * field of the expected type), and the canonical JSON is written straight from the text (canonicalJsonText).
 * Anything else, and any event whose hash does not match, goes the way the events always went: an AuditEvent
 * object (JSON.parse) and chainHash. So the verdict, and any error, is always the one that way gives: the
 * specs check each format against ChainVerifier.push on the same events, whole and tampered with.
 */

/**
 * - `pg-binary`: rows of `COPY (SELECT ${AUDIT_COPY_COLUMNS} ...) TO STDOUT (FORMAT binary)`, whole rows
 *   (the first chunk may start with the COPY header, the last may end with its trailer);
 * - `jsonl`: whole lines of a JSON lines export (`GET /audit/export`);
 * - `csv`: whole rows of a CSV export; the first chunk starts with the header row.
 */
export type ChunkFormat = 'pg-binary' | 'jsonl' | 'csv';

/** The columns a `pg-binary` chunk holds, in this order and of these types. */
export const AUDIT_COPY_COLUMNS =
  'seq::int8, id::uuid, at::timestamptz, case_type::text, case_id::uuid, actor_id::text, action::text, from_status::text, ' +
  'to_status::text, data::jsonb, workflow_id::text, run_id::text, prev_hash, hash';

export interface ChunkResult {
  /** The first event's link to the events before the chunk; null when the chunk holds no event. */
  first: { seq: unknown; prevHash: unknown } | null;
  /** The chunk's events, checked from the first event's own link on (see ChainVerifier.pushRun). */
  verdict: ChainVerdict;
  /** An event that could not be read (a line that is not JSON, say), after the `verdict.checked` before it. */
  error: { name: string; message: string } | null;
  /** Events whose quick hash did not match and that were read again the slow way (ChainVerifier.rechecked). */
  rechecked: number;
  /**
   * CSV only: the chunk is not laid out as Steward writes CSV (the exact header, 14 cells a row, LF line ends,
   * quotes only around whole cells), so it is not read here at all: the caller reads the whole file with a
   * full CSV parser instead.
   */
  unreadable?: true;
}

export function verifyChunk(format: ChunkFormat, bytes: Buffer, first: boolean): ChunkResult {
  const run = new ChunkRun();
  try {
    if (format === 'pg-binary') readPgBinary(bytes, run);
    else if (format === 'jsonl') readJsonLines(bytes, run);
    else if (!readCsv(bytes, run, first)) return { first: null, verdict: new ChainVerifier().verdict(), error: null, rechecked: 0, unreadable: true };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return run.result({ name: e.name, message: e.message });
  }
  return run.result(null);
}

/** A ChainVerifier that starts at the first event's own link. */
class ChunkRun {
  private verifier: ChainVerifier | null = null;
  private first: ChunkResult['first'] = null;

  /** False once the run is broken: reading can stop. */
  get ok(): boolean {
    return this.verifier === null || this.verifier.verdict().ok;
  }

  pushJcs(seq: number, prevHash: string, hash: string, jcs: string, recheck: () => AuditEvent): boolean {
    return this.start(seq, prevHash).pushJcs(seq, prevHash, hash, jcs, recheck);
  }

  push(event: AuditEvent): boolean {
    return this.start(event.seq, event.prevHash).push(event);
  }

  result(error: ChunkResult['error']): ChunkResult {
    return { first: this.first, verdict: (this.verifier ?? new ChainVerifier()).verdict(), error, rechecked: this.verifier?.rechecked ?? 0 };
  }

  private start(seq: unknown, prevHash: unknown): ChainVerifier {
    if (this.verifier === null) {
      this.first = { seq, prevHash };
      this.verifier = new ChainVerifier({ seq: (seq as number) - 1, hash: prevHash as string });
    }
    return this.verifier;
  }
}

/** `data` as canonical JSON: from its text where that is plain JSON, else the way it always went. Lenient: see pushJcs's recheck. */
function dataJcs(text: string): string {
  return canonicalJsonText(text, true) ?? canonicalJson(JSON.parse(text));
}

/** A chunk of text as UTF-8; ASCII (the common case) decoded the quicker way, to the same string. */
const utf8Text = (bytes: Buffer): string => (isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8'));

// ---------------------------------------------------------------------------------------------------------
// COPY ... TO STDOUT (FORMAT binary)

const COPY_SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** 2000-01-01T00:00:00Z, Postgres's epoch for timestamps (microseconds since, as an int64). */
const PG_EPOCH_MS = 946_684_800_000;
const COLUMNS = 14;

// The reader's state for one chunk (module state: no closure or object per field).
let buf: Buffer = Buffer.alloc(0);
/** The chunk as latin1 text, one character per byte: a text field without bytes above 127 is a slice of it. */
let bytesText = '';
let at = 0;
const NOT_ASCII = /[^\x00-\x7f]/;
/** Printable ASCII but the quote and the backslash: what JSON.stringify writes as it is, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** The JSON string token (JSON.stringify's) of the last field read by stringField. */
let token = '';

/** The field's bytes as UTF-8 text: a slice of bytesText when they are ASCII (no copy), else decoded. */
function utf8(start: number, end: number): string {
  const s = bytesText.slice(start, end);
  return NOT_ASCII.test(s) ? buf.toString('utf8', start, end) : s;
}

function fieldLength(): number {
  const n = buf.readInt32BE(at);
  at += 4;
  return n;
}

function textField(): string | null {
  const n = fieldLength();
  if (n === -1) return null;
  const s = utf8(at, at + n);
  at += n;
  return s;
}

/** A text field that goes into the payload: its value, and its JSON token in `token` ('null' for NULL). */
function stringField(): string | null {
  const n = fieldLength();
  if (n === -1) {
    token = 'null';
    return null;
  }
  let s = bytesText.slice(at, at + n);
  if (PLAIN.test(s)) {
    token = `"${s}"`;
  } else {
    if (NOT_ASCII.test(s)) s = buf.toString('utf8', at, at + n);
    token = JSON.stringify(s);
  }
  at += n;
  return s;
}

function int8Field(): number {
  if (fieldLength() !== 8) throw new Error('unexpected int8 field in the COPY stream');
  const high = buf.readInt32BE(at);
  // Beyond 2^53 the two halves would be rounded twice: convert the whole (as Number(text) did).
  const n = Math.abs(high) < 0x200000 ? high * 0x100000000 + buf.readUInt32BE(at + 4) : Number(buf.readBigInt64BE(at));
  at += 8;
  return n;
}

function uuidField(): string | null {
  const n = fieldLength();
  if (n === -1) return null;
  if (n !== 16) throw new Error('unexpected uuid field in the COPY stream');
  const h = buf.toString('hex', at, at + 16);
  at += 16;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * timestamptz (int64 microseconds since 2000) as the API writes it: `new Date(...).toISOString()`, the
 * microseconds cut off to milliseconds (what isoFromPostgres and pg's own parser give for the text form).
 */
function timestampField(): string | null {
  const n = fieldLength();
  if (n === -1) return null;
  if (n !== 8) throw new Error('unexpected timestamptz field in the COPY stream');
  const high = buf.readInt32BE(at);
  const low = buf.readUInt32BE(at + 4);
  at += 8;
  if ((high === 0x7fffffff && low === 0xffffffff) || (high === -0x80000000 && low === 0)) throw new RangeError('an event at an infinite time cannot be verified');
  // Exact in floating point up to 2^53 microseconds (285 years either side of 2000); beyond, to the microsecond.
  const micros = high * 0x100000000 + low;
  return isoTime(PG_EPOCH_MS + Math.floor(micros / 1000));
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
let cachedDay = Number.NaN;
let cachedDate = '';

/** `new Date(ms).toISOString()`, the date part (up to the T) made once a day: events come in time order. */
export function isoTime(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    const iso = new Date(day * DAY_MS).toISOString();
    cachedDate = iso.slice(0, iso.indexOf('T') + 1);
    cachedDay = day;
  }
  let rest = ms - day * DAY_MS;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = Math.floor(rest / 1000);
  return `${cachedDate}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[sec]}.${THREE_DIGITS[rest - sec * 1000]}Z`;
}

function jsonbField(): string | null {
  const n = fieldLength();
  if (n === -1) return null;
  if (buf[at] !== 1) throw new Error('unexpected jsonb format version in the COPY stream');
  const s = utf8(at + 1, at + n);
  at += n;
  return s;
}

function readPgBinary(bytes: Buffer, run: ChunkRun): void {
  buf = bytes;
  at = 0;
  bytesText = bytes.toString('latin1');
  try {
    if (bytes.length >= 19 && bytes.compare(COPY_SIGNATURE, 0, 11, 0, 11) === 0) at = 19 + bytes.readUInt32BE(15);
    while (at < bytes.length) {
      const columns = bytes.readInt16BE(at);
      at += 2;
      if (columns === -1) return; // the trailer
      if (columns !== COLUMNS) throw new Error(`unexpected row of ${columns} columns in the COPY stream`);
      const seq = int8Field();
      const id = uuidField();
      const when = timestampField();
      const caseType = stringField();
      const caseTypeJson = token;
      const caseId = uuidField();
      const actorId = stringField();
      const actorIdJson = token;
      const action = stringField();
      const actionJson = token;
      const fromStatus = stringField();
      const fromStatusJson = token;
      const toStatus = stringField();
      const toStatusJson = token;
      const data = jsonbField();
      const workflowId = stringField();
      const workflowIdJson = token;
      const runId = stringField();
      const runIdJson = token;
      const prevHash = textField();
      const hash = textField();
      if (
        id === null || when === null || caseType === null || caseId === null || actorId === null || action === null || data === null ||
        workflowId === null || runId === null || prevHash === null || hash === null
      ) {
        throw new Error(`seq ${seq}: a column of audit_events that the schema declares NOT NULL is NULL`);
      }
      // As payloadJcsOfFields writes it; the uuids and the time need no escaping.
      const jcs =
        `{"action":${actionJson},"actorId":${actorIdJson},"at":"${when}","caseId":"${caseId}","caseType":${caseTypeJson},` +
        `"data":${dataJcs(data)},"fromStatus":${fromStatusJson},"id":"${id}","runId":${runIdJson},"seq":${seq},` +
        `"toStatus":${toStatusJson},"workflowId":${workflowIdJson}}`;
      const event = () => ({ seq, id, at: when, caseType, caseId, actorId, action, fromStatus, toStatus, data: JSON.parse(data) as Record<string, unknown>, workflowId, runId, prevHash, hash });
      if (!run.pushJcs(seq, prevHash, hash, jcs, event)) return;
    }
  } finally {
    buf = Buffer.alloc(0);
    bytesText = '';
  }
}

// ---------------------------------------------------------------------------------------------------------
// JSON lines

const keys: string[] = [];
const values: string[] = [];
/** The 14 fields of an exported event: their slot in `fields` (the order the export writes them in). */
const FIELD_SLOTS = new Map(
  ['seq', 'id', 'at', 'caseType', 'caseId', 'actorId', 'action', 'fromStatus', 'toStatus', 'data', 'workflowId', 'runId', 'prevHash', 'hash'].map((k, i) => [k, i]),
);
const fields: (string | undefined)[] = new Array<string | undefined>(14);

/** A canonical JSON string's value. */
const stringValue = (jcs: string): string => (jcs.includes('\\') ? (JSON.parse(jcs) as string) : jcs.slice(1, -1));
const isStringJcs = (jcs: string | undefined): jcs is string => jcs !== undefined && jcs.charCodeAt(0) === 34;
const isNumberJcs = (jcs: string | undefined): jcs is string => jcs !== undefined && (jcs.charCodeAt(0) === 45 || (jcs.charCodeAt(0) >= 48 && jcs.charCodeAt(0) <= 57));

/** Lines as readAuditExport splits them: at LF, CRLF or CR; blank ones skipped; each one JSON.parse'd. */
function readJsonLines(bytes: Buffer, run: ChunkRun): void {
  const text = utf8Text(bytes);
  for (const line of text.split('\n')) {
    // A raw CR never occurs inside a JSON line (JSON escapes it), so it can only end one.
    const parts = line.includes('\r') ? line.split('\r') : [line];
    for (const part of parts) {
      const handled = plainLine(part, run);
      if (handled === null) {
        if (!part.trim()) continue;
        if (!run.push(JSON.parse(part) as AuditEvent)) return;
      } else if (!handled) {
        return;
      }
    }
  }
}

/**
 * A line holding exactly the 14 fields of an export, once each, with seq a number and the two hashes strings:
 * the payload's canonical JSON is its 12 canonical members in order, whatever their types (which is also what
 * payloadJcs's slow way writes for odd types). Returns whether the run holds, or null for any other line.
 * A line exactly as the export writes it is read without looking its fields up by name.
 */
function plainLine(line: string, run: ChunkRun): boolean | null {
  if (!exportLineValues(line, fields)) {
    keys.length = 0;
    values.length = 0;
    if (!canonicalMembersText(line, keys, values, true) || keys.length !== 14) return null;
    fields.fill(undefined);
    for (let i = 0; i < 14; i += 1) {
      const slot = FIELD_SLOTS.get(keys[i]);
      if (slot === undefined || fields[slot] !== undefined) return null;
      fields[slot] = values[i];
    }
  }
  const [seq, id, when, caseType, caseId, actorId, action, fromStatus, toStatus, data, workflowId, runId, prevHash, hash] = fields;
  if (!isNumberJcs(seq) || !isStringJcs(prevHash) || !isStringJcs(hash)) return null;
  const jcs =
    `{"action":${action},"actorId":${actorId},"at":${when},"caseId":${caseId},"caseType":${caseType},"data":${data},` +
    `"fromStatus":${fromStatus},"id":${id},"runId":${runId},"seq":${seq},"toStatus":${toStatus},"workflowId":${workflowId}}`;
  return run.pushJcs(Number(seq), stringValue(prevHash), stringValue(hash), jcs, () => JSON.parse(line) as AuditEvent);
}

// ---------------------------------------------------------------------------------------------------------
// CSV

/** The header row of a CSV export (apps/api/src/audit/audit.service.ts). */
export const AUDIT_CSV_HEADER = 'seq,id,at,caseType,caseId,actorId,action,fromStatus,toStatus,data,workflowId,runId,prevHash,hash';

// The reader's state for one chunk.
let csv = '';
let p = 0;
/** First quote / LF at or after the position last searched from (the text's length: none; -1: not searched yet). */
let nextQuote = -1;
let nextNewline = -1;

function quoteAfter(from: number): number {
  if (nextQuote < from) {
    nextQuote = csv.indexOf('"', from);
    if (nextQuote === -1) nextQuote = csv.length;
  }
  return nextQuote;
}

function newlineAfter(from: number): number {
  if (nextNewline < from) {
    nextNewline = csv.indexOf('\n', from);
    if (nextNewline === -1) nextNewline = csv.length;
  }
  return nextNewline;
}

/** The cell at `p` and the comma after it (the last cell of a row: the LF, or the end of the text); null if not plain. */
function cell(last: boolean): string | null {
  let value: string;
  if (csv.charCodeAt(p) === 34) {
    // Quoted: up to the quote not doubled; "" stands for ".
    let from = p + 1;
    let doubled = false;
    let close: number;
    for (;;) {
      close = csv.indexOf('"', from);
      if (close === -1) return null;
      if (csv.charCodeAt(close + 1) !== 34) break;
      doubled = true;
      from = close + 2;
    }
    value = csv.slice(p + 1, close);
    if (doubled) value = value.replaceAll('""', '"');
    p = close + 1;
  } else {
    const newline = newlineAfter(p);
    const end = last ? newline : csv.indexOf(',', p);
    if (end === -1 || end > newline || quoteAfter(p) < end) return null;
    value = csv.slice(p, end);
    p = end;
  }
  if (last) {
    if (p === csv.length) return value;
    if (csv.charCodeAt(p) !== 10) return null;
  } else if (csv.charCodeAt(p) !== 44) {
    return null;
  }
  p += 1;
  return value;
}

/**
 * Rows as Steward's export writes them (csv-stringify: quotes only around cells that need them, "" inside,
 * LF after every row), each read as readAuditExport's CSV reader makes its event. False for anything else:
 * then none of it is used, and the file is read by that reader, whose csv-parse decides what it means.
 */
function readCsv(bytes: Buffer, run: ChunkRun, first: boolean): boolean {
  csv = utf8Text(bytes);
  p = 0;
  nextQuote = -1;
  nextNewline = -1;
  try {
    if (csv.includes('\r')) return false;
    if (first) {
      if (!csv.startsWith(`${AUDIT_CSV_HEADER}\n`) && csv !== AUDIT_CSV_HEADER) return false;
      p = AUDIT_CSV_HEADER.length + 1;
    }
    const cells: string[] = new Array<string>(COLUMNS);
    while (p < csv.length) {
      for (let i = 0; i < COLUMNS; i += 1) {
        const c = cell(i === COLUMNS - 1);
        if (c === null) return false;
        cells[i] = c;
      }
      const [seqText, id, when, caseType, caseId, actorId, action, from, to, data, workflowId, runId, prevHash, hash] = cells;
      const seq = Number(seqText);
      // Statuses are never empty: an empty cell is a null.
      const fromStatus = from === '' ? null : from;
      const toStatus = to === '' ? null : to;
      const event = (): AuditEvent => ({ seq, id, at: when, caseType, caseId, actorId, action, fromStatus, toStatus, data: JSON.parse(data) as Record<string, unknown>, workflowId, runId, prevHash, hash });
      const ok = Number.isFinite(seq)
        ? run.pushJcs(seq, prevHash, hash, payloadJcsOfFields(action, actorId, when, caseId, caseType, dataJcs(data), fromStatus, id, runId, seq, toStatus, workflowId), event)
        : run.push(event());
      if (!ok) return true;
    }
    return true;
  } finally {
    csv = '';
  }
}
