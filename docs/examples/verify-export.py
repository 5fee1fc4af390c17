#!/usr/bin/env python3
"""Verify a Steward audit export on your own, without Steward's code.

The export is JSON lines from GET /audit/export?format=jsonl (one event per line, in seq order).
For every event this checks that seq follows the previous seq by one, that prevHash is the previous
event's hash (64 zeros for seq 1), and that
    hash = hex(SHA-256(prevHash + JCS(payload)))
where payload is the event without prevHash and hash, and JCS is RFC 8785 canonical JSON.

usage:  python3 verify-export.py EXPORT.jsonl [--trust-first-link] [--anchor SEQ:HASH]
needs:  Python 3.8+ and `pip install rfc8785`
prints: OK checked=N headSeq=S headHash=H            (exit 0)
        FAIL firstBadSeq=S reason=...                (exit 1: the chain is broken at S)
        FAIL anchorSeq=S reason=...                  (exit 1: the chain links up but disagrees with --anchor)
        (exit 2: bad usage or unreadable file)
"""
import argparse
import hashlib
import json
import sys

import rfc8785

GENESIS_HASH = "0" * 64
# The hashed payload: every field of the event except prevHash and hash.
PAYLOAD_FIELDS = ("seq", "id", "at", "caseType", "caseId", "actorId", "action",
                  "fromStatus", "toStatus", "data", "workflowId", "runId")


def chain_hash(prev_hash, payload):
    # rfc8785.dumps returns the canonical JSON as UTF-8 bytes.
    return hashlib.sha256(prev_hash.encode("utf-8") + rfc8785.dumps(payload)).hexdigest()


def fail(seq, reason, label="firstBadSeq"):
    print(f"FAIL {label}={seq} reason={reason}")
    return 1


def main():
    parser = argparse.ArgumentParser(description="Verify a Steward audit export (JSON lines).")
    parser.add_argument("export", help="file from GET /audit/export?format=jsonl")
    parser.add_argument("--trust-first-link", action="store_true",
                        help="the export starts mid-chain (exported with from=): start from its first event's seq and prevHash")
    parser.add_argument("--anchor", metavar="SEQ:HASH",
                        help="also require event SEQ to carry HASH (a headSeq/headHash you recorded earlier)")
    args = parser.parse_args()

    anchor = None
    if args.anchor:
        seq_text, _, hash_text = args.anchor.partition(":")
        if not seq_text.isdigit() or len(hash_text) != 64 or any(c not in "0123456789abcdefABCDEF" for c in hash_text):
            parser.error("--anchor must be SEQ:HASH, e.g. 53:8741...8939 (64 hex digits)")
        anchor = (int(seq_text), hash_text.lower())

    expected_seq, prev_hash = 1, GENESIS_HASH
    checked = 0
    anchor_seen = False
    try:
        export = open(args.export, encoding="utf-8")
    except OSError as err:
        print(f"cannot read {args.export}: {err}", file=sys.stderr)
        return 2
    with export:
        for line_no, line in enumerate(export, start=1):
            if not line.strip():
                continue
            try:
                event = json.loads(line)
            except ValueError as err:
                return fail(f"? (line {line_no})", f"not JSON: {err}")
            seq = event.get("seq") if isinstance(event, dict) else None
            if type(seq) is not int:
                return fail(f"? (line {line_no})", "no integer seq")
            missing = [f for f in PAYLOAD_FIELDS + ("prevHash", "hash") if f not in event]
            if missing:
                return fail(seq, "missing field(s) " + ", ".join(missing))
            if checked == 0 and args.trust_first_link:
                expected_seq, prev_hash = seq, event["prevHash"]
            if seq != expected_seq:
                return fail(seq, f"expected seq {expected_seq}, found {seq}")
            if event["prevHash"] != prev_hash:
                return fail(seq, "prevHash does not match the hash of the previous event")
            payload = {f: event[f] for f in PAYLOAD_FIELDS}
            try:
                computed = chain_hash(event["prevHash"], payload)
            except rfc8785.CanonicalizationError as err:
                return fail(seq, f"cannot canonicalize the event: {err}")
            if computed != event["hash"]:
                return fail(seq, "hash does not match the event content")
            if anchor and seq == anchor[0]:
                if event["hash"] != anchor[1]:
                    return fail(seq, f"hash {event['hash']} differs from the anchor {anchor[1]}: "
                                     "the chain was rewritten at or before this seq", "anchorSeq")
                anchor_seen = True
            checked += 1
            expected_seq += 1
            prev_hash = event["hash"]

    if anchor and not anchor_seen:
        return fail(anchor[0], "this seq is not in the export", "anchorSeq")
    print(f"OK checked={checked} headSeq={expected_seq - 1} headHash={prev_hash}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
