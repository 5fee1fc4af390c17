import { hash as oneShotHash } from 'node:crypto';
import { payloadJcs } from './canonical-json';

export const GENESIS_HASH = '0'.repeat(64);

/** An audit event as the API shows it and as it is hashed. */
export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  caseType: string;
  caseId: string;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
  workflowId: string;
  runId: string;
  prevHash: string;
  hash: string;
}

export type AuditPayload = Omit<AuditEvent, 'prevHash' | 'hash'>;

export function auditPayload(event: AuditPayload | AuditEvent): AuditPayload {
  const { seq, id, at, caseType, caseId, actorId, action, fromStatus, toStatus, data, workflowId, runId } = event;
  return { seq, id, at, caseType, caseId, actorId, action, fromStatus, toStatus, data, workflowId, runId };
}

/**
 * hash = hex(SHA-256(prevHash + JCS(payload))), JCS being RFC 8785 canonical JSON. Only the 12 payload fields
 * are read, so a whole event (with its prevHash and hash) may be passed as it is.
 */
export function chainHash(prevHash: string, payload: AuditPayload): string {
  // crypto.hash: one call, no Hash object per event (a string is hashed as its UTF-8 bytes).
  return oneShotHash('sha256', prevHash + payloadJcs(payload), 'hex');
}

export type ChainVerdict =
  | { ok: true; checked: number; headSeq: number; headHash: string }
  | { ok: false; firstBadSeq: number; reason: string; checked: number };

/**
 * Checks events in seq order as they stream by. Detects edits (hash mismatch), insertions and deletions
 * (seq gaps or prevHash not linking to the previous hash) and reordering (seq not increasing by one).
 */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private checked = 0;
  private failure: Extract<ChainVerdict, { ok: false }> | null = null;

  /** Start mid-chain by giving the event before the first one you will feed. */
  constructor(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.prevHash = start.hash;
  }

  /** Feeds one event; returns false once the chain is broken (later events are then ignored). */
  push(event: AuditEvent): boolean {
    if (this.failure) return false;
    const fail = (reason: string) => {
      this.failure = { ok: false, firstBadSeq: event.seq, reason, checked: this.checked };
      return false;
    };
    if (event.seq !== this.expectedSeq) return fail(`expected seq ${this.expectedSeq}, found ${event.seq}`);
    if (event.prevHash !== this.prevHash) return fail('prevHash does not match the hash of the previous event');
    if (chainHash(event.prevHash, event) !== event.hash) return fail('hash does not match the event content');
    this.checked += 1;
    this.expectedSeq += 1;
    this.prevHash = event.hash;
    return true;
  }

  verdict(): ChainVerdict {
    return this.failure ?? { ok: true, checked: this.checked, headSeq: this.expectedSeq - 1, headHash: this.prevHash };
  }
}
