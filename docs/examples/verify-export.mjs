#!/usr/bin/env node
// Verify a Steward audit export on your own, without Steward's code.
//
// The export is JSON lines from GET /audit/export?format=jsonl (one event per line, in seq order).
// For every event this checks that seq follows the previous seq by one, that prevHash is the previous
// event's hash (64 zeros for seq 1), and that
//     hash = hex(SHA-256(prevHash + JCS(payload)))
// where payload is the event without prevHash and hash, and JCS is RFC 8785 canonical JSON.
//
// usage:  node verify-export.mjs EXPORT.jsonl [--trust-first-link] [--anchor SEQ:HASH]
// needs:  Node 18+ and `npm install canonicalize` (RFC 8785); nothing else
// prints: OK checked=N headSeq=S headHash=H            (exit 0)
//         FAIL firstBadSeq=S reason=...                (exit 1: the chain is broken at S)
//         FAIL anchorSeq=S reason=...                  (exit 1: the chain links up but disagrees with --anchor)
//         (exit 2: bad usage or unreadable file)
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import canonicalize from 'canonicalize';

const GENESIS_HASH = '0'.repeat(64);
// The hashed payload: every field of the event except prevHash and hash.
const PAYLOAD_FIELDS = ['seq', 'id', 'at', 'caseType', 'caseId', 'actorId', 'action',
  'fromStatus', 'toStatus', 'data', 'workflowId', 'runId'];

const chainHash = (prevHash, payload) =>
  createHash('sha256').update(prevHash + canonicalize(payload), 'utf8').digest('hex');

function fail(seq, reason, label = 'firstBadSeq') {
  process.stdout.write(`FAIL ${label}=${seq} reason=${reason}\n`);
  return 1;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { 'trust-first-link': { type: 'boolean', default: false }, anchor: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write('usage: node verify-export.mjs EXPORT.jsonl [--trust-first-link] [--anchor SEQ:HASH]\n');
    return 2;
  }
  let anchor = null;
  if (values.anchor) {
    const match = /^(\d+):([0-9a-fA-F]{64})$/.exec(values.anchor);
    if (!match) {
      process.stderr.write('--anchor must be SEQ:HASH, e.g. 53:8741...8939 (64 hex digits)\n');
      return 2;
    }
    anchor = { seq: Number(match[1]), hash: match[2].toLowerCase() };
  }

  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  let anchorSeen = false;
  let lineNo = 0;
  const lines = createInterface({ input: createReadStream(positionals[0], 'utf8'), crlfDelay: Infinity });
  for await (const line of lines) {
    lineNo += 1;
    if (!line.trim()) continue;
    let event;
    try {
      event = JSON.parse(line);
    } catch (err) {
      return fail(`? (line ${lineNo})`, `not JSON: ${err.message}`);
    }
    const seq = event?.seq;
    if (!Number.isSafeInteger(seq)) return fail(`? (line ${lineNo})`, 'no integer seq');
    const missing = [...PAYLOAD_FIELDS, 'prevHash', 'hash'].filter((f) => !(f in event));
    if (missing.length) return fail(seq, `missing field(s) ${missing.join(', ')}`);
    if (checked === 0 && values['trust-first-link']) {
      expectedSeq = seq;
      prevHash = event.prevHash;
    }
    if (seq !== expectedSeq) return fail(seq, `expected seq ${expectedSeq}, found ${seq}`);
    if (event.prevHash !== prevHash) return fail(seq, 'prevHash does not match the hash of the previous event');
    const payload = Object.fromEntries(PAYLOAD_FIELDS.map((f) => [f, event[f]]));
    if (chainHash(event.prevHash, payload) !== event.hash) return fail(seq, 'hash does not match the event content');
    if (anchor && seq === anchor.seq) {
      if (event.hash !== anchor.hash) return fail(seq, `hash ${event.hash} differs from the anchor ${anchor.hash}: the chain was rewritten at or before this seq`, 'anchorSeq');
      anchorSeen = true;
    }
    checked += 1;
    expectedSeq += 1;
    prevHash = event.hash;
  }
  if (anchor && !anchorSeen) return fail(anchor.seq, 'this seq is not in the export', 'anchorSeq');
  process.stdout.write(`OK checked=${checked} headSeq=${expectedSeq - 1} headHash=${prevHash}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`cannot verify: ${err.message}\n`);
    process.exitCode = 2;
  },
);
