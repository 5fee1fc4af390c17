import canonicalize from 'canonicalize';
import type { AuditPayload } from './audit-chain';

/**
 * RFC 8785 canonical JSON (JCS), byte for byte what the `canonicalize` package writes, without its overhead.
 *
 * The chain's hashes were always computed with `canonicalize`, and they must stay the same. So this follows
 * its algorithm exactly: object keys in `Object.keys(...).sort()` order (UTF-16 code units), keys whose value
 * is `undefined` or a symbol left out, such array items written as `null`, strings and numbers through
 * `JSON.stringify`. Anything that is not plain JSON data (a `toJSON` method, a non-finite number, a function,
 * a bigint) is handed to `canonicalize` itself, so it behaves (or throws) as before. The specs compare both
 * on a large set of generated values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : fallback(value);
    case 'object':
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return fallback(value);
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as Record<string, unknown>);
    default:
      return fallback(value);
  }
}

function canonicalArray(items: unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0) out += ',';
    const item = items[i];
    out += item === undefined || typeof item === 'symbol' ? 'null' : canonicalJson(item);
  }
  return `${out}]`;
}

function canonicalObject(object: Record<string, unknown>): string {
  const keys = Object.keys(object).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = object[key];
    if (v === undefined || typeof v === 'symbol') continue;
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(key)}:${canonicalJson(v)}`;
  }
  return `${out}}`;
}

/** `canonicalize` for what it alone knows how to handle; its result is interpolated as it would interpolate it. */
function fallback(value: unknown): string {
  return `${canonicalize(value)}`;
}

/** The 12 fields of an audit event's payload, in JCS order (sorted by UTF-16 code units). */
const PAYLOAD_KEYS = ['action', 'actorId', 'at', 'caseId', 'caseType', 'data', 'fromStatus', 'id', 'runId', 'seq', 'toStatus', 'workflowId'] as const;

const isText = (v: unknown): v is string => typeof v === 'string';
const isTextOrNull = (v: unknown): v is string | null => v === null || typeof v === 'string';
/** Printable ASCII but the quote and the backslash: JSON.stringify writes such a string as it is, between quotes. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** JSON.stringify(v) for a string, the common plain case without its overhead. */
const jsonString = (v: string): string => (PLAIN.test(v) ? `"${v}"` : JSON.stringify(v));
const text = (v: string | null): string => (v === null ? 'null' : jsonString(v));

/**
 * JCS of an event's payload (its 12 fields, nothing else). Equal to `canonicalize(auditPayload(event))`: the
 * fields are written in their fixed sorted order instead of being sorted for every event. An event whose
 * fields are not the expected strings, nulls and a finite seq (a malformed export line) goes the slow way.
 */
export function payloadJcs(e: AuditPayload): string {
  if (
    !isText(e.action) || !isText(e.actorId) || !isText(e.at) || !isText(e.caseId) || !isText(e.caseType) || e.data === undefined ||
    !isTextOrNull(e.fromStatus) || !isText(e.id) || !isText(e.runId) || typeof e.seq !== 'number' || !Number.isFinite(e.seq) ||
    !isTextOrNull(e.toStatus) || !isText(e.workflowId)
  ) {
    return fallback(Object.fromEntries(PAYLOAD_KEYS.map((k) => [k, e[k]])));
  }
  return payloadJcsOfFields(e.action, e.actorId, e.at, e.caseId, e.caseType, canonicalJson(e.data), e.fromStatus, e.id, e.runId, e.seq, e.toStatus, e.workflowId);
}

/**
 * payloadJcs from the payload's fields, `data` given as its canonical JSON already: for readers that never
 * build the event object. Only for what payloadJcs writes the fast way: strings, a string or null for the
 * two statuses, a finite seq.
 */
export function payloadJcsOfFields(
  action: string,
  actorId: string,
  at: string,
  caseId: string,
  caseType: string,
  dataJcs: string,
  fromStatus: string | null,
  id: string,
  runId: string,
  seq: number,
  toStatus: string | null,
  workflowId: string,
): string {
  return (
    `{"action":${jsonString(action)},"actorId":${jsonString(actorId)},"at":${jsonString(at)},` +
    `"caseId":${jsonString(caseId)},"caseType":${jsonString(caseType)},"data":${dataJcs},` +
    `"fromStatus":${text(fromStatus)},"id":${jsonString(id)},"runId":${jsonString(runId)},` +
    `"seq":${JSON.stringify(seq)},"toStatus":${text(toStatus)},"workflowId":${jsonString(workflowId)}}`
  );
}

/**
 * JCS of a payload whose seq is not known yet, split around it: for every seq,
 * `head + String(seq) + tail === canonicalize({ ...payload, seq })`. The appender computes this before it
 * takes the chain head's lock; Postgres then puts the seq in between and hashes (see the migration
 * AuditAppendFunction1765094400000).
 *
 * JCS writes an object as `{` + the sorted `"key":value` members joined by `,` + `}`, so the members before
 * `"seq"` and the members after it can be canonicalized on their own and joined around it.
 */
export function payloadJcsAroundSeq(payload: Omit<AuditPayload, 'seq'>): { head: string; tail: string } {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const key of PAYLOAD_KEYS) {
    if (key === 'seq') continue;
    (key < 'seq' ? before : after)[key] = payload[key];
  }
  const b = canonicalJson(before);
  const a = canonicalJson(after);
  return {
    head: `${b === '{}' ? '{' : `${b.slice(0, -1)},`}"seq":`,
    tail: a === '{}' ? '}' : `,${a.slice(1)}`,
  };
}
