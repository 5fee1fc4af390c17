/**
 * Canonical JSON (RFC 8785, as `canonicalJson` writes it) of a JSON *text*, without building its value first.
 *
 * `canonicalJsonText(text) === canonicalJson(JSON.parse(text))` whenever it returns a string. It returns null
 * for whatever it does not handle itself: text that JSON.parse would refuse, raw control characters or lone
 * surrogates, duplicate keys, numbers that are not finite, very deep nesting. The caller then goes the
 * JSON.parse way, which decides (and throws) as before. So this is only ever a shortcut, never a second
 * opinion: the specs compare the two on generated values and on broken text.
 *
 * What it does: strings are copied as they are when they contain no escape (JSON.stringify would write them
 * the same), and rewritten through JSON.parse/JSON.stringify when they do; integers of up to 15 digits are
 * copied, other numbers go through Number() and JSON.stringify (as JSON.parse and canonicalJson would); object
 * members are sorted by their keys' UTF-16 code units. The text may be compact (JSON.stringify) or spaced
 * (Postgres's jsonb output, which also orders keys differently: shorter keys first).
 *
 * `lenient` skips the search for raw control characters (a third of the time on long texts), for a caller
 * that re-checks the slow way whatever does not hash as expected (ChainVerifier.pushJcs's `recheck`): a raw
 * control character inside a string is then copied as it is, and since canonical JSON never holds one, the
 * text cannot hash as any genuine event does.
 */
export function canonicalJsonText(text: string, lenient = false): string | null {
  if (!text.isWellFormed() || (!lenient && CONTROL.test(text))) return null;
  src = text;
  pos = 0;
  nextBackslash = -1;
  depth = 0;
  const out = value();
  if (out === null) return null;
  skipSpace();
  return pos === src.length ? out : null;
}

/**
 * The members of a JSON object text, keys decoded and values canonical (as canonicalJsonText writes them),
 * pushed onto `keys` and `values` in the order they appear (duplicates included); false where
 * canonicalJsonText would give up. For reading an export line whose fields are picked out by name.
 */
export function canonicalMembersText(text: string, keys: string[], values: string[], lenient = false): boolean {
  if (!text.isWellFormed() || (!lenient && CONTROL.test(text))) return false;
  src = text;
  pos = 0;
  nextBackslash = -1;
  depth = 0;
  skipSpace();
  if (src.charCodeAt(pos) !== OPEN_BRACE) return false;
  if (!members(keys, values, false)) return false;
  skipSpace();
  return pos === src.length;
}

/** The fields of an exported event in the order JSON.stringify writes them (export lines), each with what precedes its value. */
const EXPORT_FIELDS = ['seq', 'id', 'at', 'caseType', 'caseId', 'actorId', 'action', 'fromStatus', 'toStatus', 'data', 'workflowId', 'runId', 'prevHash', 'hash'];
const EXPORT_PREFIXES = EXPORT_FIELDS.map((k, i) => `${i === 0 ? '{' : ','}"${k}":`);

/**
 * An export line exactly as `GET /audit/export` writes it (`JSON.stringify(event)`: the 14 fields in that
 * order, no spaces): its 14 values, canonical, in that order (EXPORT_FIELDS) into `values`. False for any
 * other line, which canonicalMembersText may still read. Lenient as canonicalJsonText(text, true) is.
 */
export function exportLineValues(line: string, values: (string | undefined)[]): boolean {
  if (!line.isWellFormed()) return false;
  src = line;
  pos = 0;
  nextBackslash = -1;
  depth = 0;
  for (let i = 0; i < EXPORT_PREFIXES.length; i += 1) {
    const prefix = EXPORT_PREFIXES[i];
    if (!src.startsWith(prefix, pos)) return false;
    pos += prefix.length;
    const v = value();
    if (v === null) return false;
    values[i] = v;
  }
  if (src.charCodeAt(pos) !== CLOSE_BRACE) return false;
  pos += 1;
  skipSpace();
  return pos === src.length;
}

declare global {
  interface String {
    /** ES2024; in V8 (Node 20) already. */
    isWellFormed(): boolean;
  }
}

/** Raw control characters: JSON allows tab, LF and CR only between tokens, and neither JSON.stringify nor jsonb writes them. */
const CONTROL = /[\u0000-\u001f]/;
const MAX_DEPTH = 200;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

// The scanner's state: one text at a time, synchronously (module state, so no object per call).
let src = '';
let pos = 0;
/** The first backslash at or after the last position searched from (the text's length: none; -1: not searched yet). */
let nextBackslash = -1;
let depth = 0;

function skipSpace(): void {
  let c = src.charCodeAt(pos);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = src.charCodeAt(++pos);
}

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;

function value(): string | null {
  skipSpace();
  const c = src.charCodeAt(pos);
  if (c === QUOTE) return string();
  if (c === OPEN_BRACE) return object();
  if (c === OPEN_BRACKET) return array();
  if (c === 110) return literal('null');
  if (c === 116) return literal('true');
  if (c === 102) return literal('false');
  return number();
}

function literal(word: string): string | null {
  if (!src.startsWith(word, pos)) return null;
  pos += word.length;
  return word;
}

/** Index of the quote closing the string that opens at `pos`, or -1. */
function stringEnd(): number {
  let from = pos + 1;
  for (;;) {
    const q = src.indexOf('"', from);
    if (q === -1) return -1;
    let b = q - 1;
    while (src.charCodeAt(b) === BACKSLASH) b -= 1;
    if ((q - 1 - b) % 2 === 0) return q;
    from = q + 1;
  }
}

/** Whether the string token from `pos` to `end` holds an escape. */
function escaped(end: number): boolean {
  if (nextBackslash < pos) {
    nextBackslash = src.indexOf('\\', pos);
    if (nextBackslash === -1) nextBackslash = src.length;
  }
  return nextBackslash < end;
}

/** A string token, canonical: as it is without escapes, through JSON.parse/JSON.stringify with them. */
function string(): string | null {
  const end = stringEnd();
  if (end === -1) return null;
  const token = src.slice(pos, end + 1);
  const hasEscape = escaped(end);
  pos = end + 1;
  if (!hasEscape) return token;
  try {
    return JSON.stringify(JSON.parse(token) as string);
  } catch {
    return null;
  }
}

/** A key: its decoded value (for sorting) is `key`, its canonical token is returned. */
let key = '';
function keyToken(): string | null {
  const end = stringEnd();
  if (end === -1) return null;
  const hasEscape = escaped(end);
  if (!hasEscape) {
    key = src.slice(pos + 1, end);
    const token = src.slice(pos, end + 1);
    pos = end + 1;
    return token;
  }
  try {
    key = JSON.parse(src.slice(pos, end + 1)) as string;
  } catch {
    return null;
  }
  pos = end + 1;
  return JSON.stringify(key);
}

function number(): string | null {
  const start = pos;
  let c = src.charCodeAt(pos);
  if (c === MINUS) c = src.charCodeAt(++pos);
  if (c === ZERO) {
    pos += 1;
  } else if (c > ZERO && c <= NINE) {
    do pos += 1;
    while (isDigit(src.charCodeAt(pos)));
  } else {
    return null;
  }
  let integer = true;
  if (src.charCodeAt(pos) === DOT) {
    integer = false;
    pos += 1;
    if (!isDigit(src.charCodeAt(pos))) return null;
    while (isDigit(src.charCodeAt(pos))) pos += 1;
  }
  c = src.charCodeAt(pos);
  if (c === 101 || c === 69) {
    integer = false;
    c = src.charCodeAt(++pos);
    if (c === PLUS || c === MINUS) pos += 1;
    if (!isDigit(src.charCodeAt(pos))) return null;
    while (isDigit(src.charCodeAt(pos))) pos += 1;
  }
  const token = src.slice(start, pos);
  // Up to 15 digits an integer is exact and written as it is; -0 is written 0.
  if (integer && pos - start <= 15 && token !== '-0') return token;
  const n = Number(token);
  return Number.isFinite(n) ? JSON.stringify(n) : null;
}

function array(): string | null {
  if (++depth > MAX_DEPTH) return null;
  pos += 1;
  skipSpace();
  if (src.charCodeAt(pos) === CLOSE_BRACKET) {
    pos += 1;
    depth -= 1;
    return '[]';
  }
  let out = '[';
  for (;;) {
    const item = value();
    if (item === null) return null;
    out += item;
    skipSpace();
    const c = src.charCodeAt(pos++);
    if (c === COMMA) {
      out += ',';
      continue;
    }
    if (c !== CLOSE_BRACKET) return null;
    depth -= 1;
    return `${out}]`;
  }
}

/** Reads the members of the object opening at `pos` into keys and values (`"key":value` with `withKey`), in text order. */
function members(keys: string[], values: string[], withKey: boolean): boolean {
  if (++depth > MAX_DEPTH) return false;
  pos += 1;
  skipSpace();
  if (src.charCodeAt(pos) === CLOSE_BRACE) {
    pos += 1;
    depth -= 1;
    return true;
  }
  for (;;) {
    skipSpace();
    if (src.charCodeAt(pos) !== QUOTE) return false;
    const token = keyToken();
    if (token === null) return false;
    const k = key;
    skipSpace();
    if (src.charCodeAt(pos) !== COLON) return false;
    pos += 1;
    const v = value();
    if (v === null) return false;
    keys.push(k);
    values.push(withKey ? `${token}:${v}` : v);
    skipSpace();
    const c = src.charCodeAt(pos++);
    if (c === COMMA) continue;
    if (c !== CLOSE_BRACE) return false;
    depth -= 1;
    return true;
  }
}

function object(): string | null {
  const keys: string[] = [];
  const values: string[] = [];
  if (!members(keys, values, true)) return null;
  const n = keys.length;
  if (n === 0) return '{}';
  // Insertion sort by key (UTF-16 code units, as Array.prototype.sort compares strings): objects are small.
  for (let i = 1; i < n; i += 1) {
    const k = keys[i];
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      values[j + 1] = values[j];
      j -= 1;
    }
    // Duplicate keys: JSON.parse keeps the last one; leave that to it.
    if (j >= 0 && keys[j] === k) return null;
    keys[j + 1] = k;
    values[j + 1] = v;
  }
  let out = `{${values[0]}`;
  for (let i = 1; i < n; i += 1) out += `,${values[i]}`;
  return `${out}}`;
}
