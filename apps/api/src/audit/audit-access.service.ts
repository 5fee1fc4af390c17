import { Injectable } from '@nestjs/common';
import { AuditAccessEntry, AuditAccessRepository } from '@steward/persistence';

/** Reading the audit trail is itself recorded: who read or exported what, and when. Append-only. */
@Injectable()
export class AuditAccessService {
  constructor(private readonly log: AuditAccessRepository) {}

  record(actorId: string, action: string, target: Record<string, unknown>): Promise<void> {
    return this.log.append(actorId, action, target);
  }

  list(limit: number, beforeId?: number): Promise<AuditAccessEntry[]> {
    return this.log.page(limit, beforeId);
  }
}
