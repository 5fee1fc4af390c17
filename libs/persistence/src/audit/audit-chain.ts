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

/** hex(SHA-256(prevHash + jcs)), for a payload already written as canonical JSON. */
export function chainHashOfJcs(prevHash: string, jcs: string): string {
  return oneShotHash('sha256', prevHash + jcs, 'hex');
}

export type ChainVerdict =
  | { ok: true; checked: number; headSeq: number; headHash: string }
  | { ok: false; firstBadSeq: number; reason: string; checked: number };

/**
 * Checks events in seq order as they stream by. Detects edits (hash mismatch), insertions and deletions
 * (seq gaps or prevHash not linking to the previous hash) and reordering (seq not increasing by one).
 */
const CONTENT_MISMATCH = 'hash does not match the event content';

export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  private checked = 0;
  private failure: Extract<ChainVerdict, { ok: false }> | null = null;
  private rechecks = 0;

  /** Start mid-chain by giving the event before the first one you will feed. */
  constructor(start: { seq: number; hash: string } = { seq: 0, hash: GENESIS_HASH }) {
    this.expectedSeq = start.seq + 1;
    this.prevHash = start.hash;
  }

  /** Feeds one event; returns false once the chain is broken (later events are then ignored). */
  push(event: AuditEvent): boolean {
    if (!this.links(event.seq, event.prevHash)) return false;
    if (chainHash(event.prevHash, event) !== event.hash) return this.fail(event.seq, CONTENT_MISMATCH);
    return this.accept(event.hash);
  }

  /**
   * The same for an event whose payload is already written as canonical JSON (`payloadJcs`). A reader that
   * wrote it a quicker way than payloadJcs (from text, say) passes `recheck`, which gives the event as the
   * slow way reads it: should the hashes differ, the event is judged by that instead, so a quicker way can
   * never make the verdict (or an error) differ from the slow one's.
   */
  pushJcs(seq: number, prevHash: string, hash: string, jcs: string, recheck?: () => AuditEvent): boolean {
    if (!this.links(seq, prevHash)) return false;
    if (chainHashOfJcs(prevHash, jcs) !== hash) {
      if (recheck) this.rechecks += 1;
      const event = recheck?.();
      if (event === undefined || chainHash(event.prevHash, event) !== event.hash) return this.fail(seq, CONTENT_MISMATCH);
    }
    return this.accept(hash);
  }

  /**
   * Feeds a run of consecutive events that another verifier checked among themselves, starting from the
   * run's first link (`new ChainVerifier({ seq: first.seq - 1, hash: first.prevHash })`, e.g. on a worker
   * thread): here only the first event's link to the chain so far is checked, and the run's verdict then
   * counts as if its events had been pushed one by one. `first` is null for a run without events.
   */
  pushRun(first: { seq: unknown; prevHash: unknown } | null, run: ChainVerdict): boolean {
    if (first === null) return !this.failure;
    if (!this.links(first.seq, first.prevHash)) return false;
    if (!run.ok) {
      this.failure = { ok: false, firstBadSeq: run.firstBadSeq, reason: run.reason, checked: this.checked + run.checked };
      return false;
    }
    this.checked += run.checked;
    this.expectedSeq = run.headSeq + 1;
    this.prevHash = run.headHash;
    return true;
  }

  /** Whether the chain still holds and the event links to it (its seq follows, its prevHash is the last hash). */
  private links(seq: unknown, prevHash: unknown): boolean {
    if (this.failure) return false;
    if (seq !== this.expectedSeq) return this.fail(seq, `expected seq ${this.expectedSeq}, found ${seq}`);
    if (prevHash !== this.prevHash) return this.fail(seq, 'prevHash does not match the hash of the previous event');
    return true;
  }

  private fail(seq: unknown, reason: string): false {
    this.failure = { ok: false, firstBadSeq: seq as number, reason, checked: this.checked };
    return false;
  }

  private accept(hash: string): true {
    this.checked += 1;
    this.expectedSeq += 1;
    this.prevHash = hash;
    return true;
  }

  /** Events pushJcs had to read again the slow way: none, unless an event was tampered with (or a quick reader is wrong). */
  get rechecked(): number {
    return this.rechecks;
  }

  verdict(): ChainVerdict {
    return this.failure ?? { ok: true, checked: this.checked, headSeq: this.expectedSeq - 1, headHash: this.prevHash };
  }
}
