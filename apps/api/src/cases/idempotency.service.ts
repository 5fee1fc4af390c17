import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import canonicalize from 'canonicalize';
import { v4 as uuidv4, v5 as uuidv5 } from 'uuid';
import { IdempotencyRepository } from '@steward/persistence';
import { StewardErrorCode, StewardException } from '../common/steward.exception';

const NAMESPACE = '6f1c7d2e-3b5a-4c8e-9d0f-1a2b3c4d5e6f';

/**
 * `Idempotency-Key` on case-creating POSTs. The case id derives from (case type, caller, key), so even a retry that
 * races the first request, or follows a crash before the key was stored, reaches the same workflow id
 * and starts nothing new.
 */
@Injectable()
export class IdempotencyService {
  constructor(private readonly keys: IdempotencyRepository) {}

  caseIdFor(callerId: string, caseType: string, key: string | undefined): string {
    return key ? uuidv5(`${caseType}\n${callerId}\n${key}`, NAMESPACE) : uuidv4();
  }

  requestHash(body: unknown): string {
    return createHash('sha256').update(canonicalize(body) ?? '').digest('hex');
  }

  validateKey(key: string | undefined): void {
    if (key !== undefined && !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw StewardException.invalid('Idempotency-Key', 'Idempotency-Key must be 1-255 visible ASCII characters');
    }
  }

  /** The first response for this key, or null; a different body under the same key is refused (422). */
  async replay<R extends object>(callerId: string, caseType: string, key: string | undefined, requestHash: string): Promise<R | null> {
    if (!key) return null;
    const row = await this.keys.find(callerId, caseType, key);
    if (!row) return null;
    if (row.requestHash !== requestHash) {
      throw new StewardException(StewardErrorCode.IDEMPOTENCY_MISMATCH, 'this Idempotency-Key was used with a different request body');
    }
    return row.response as R;
  }

  /** Stores the first response; when two requests race, the earlier stored one wins and is returned. */
  async remember<R extends object>(
    callerId: string,
    key: string | undefined,
    entry: { caseType: string; caseId: string; requestHash: string; response: R },
  ): Promise<R> {
    if (!key) return entry.response;
    return (await this.keys.insertOrGet(callerId, key, entry)).response as R;
  }
}
