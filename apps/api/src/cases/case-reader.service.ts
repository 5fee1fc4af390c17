import { Injectable } from '@nestjs/common';
import type { DirectoryUser } from '@steward/directory';
import { auditEventFromRow, AuditEvent, CaseEntity, CaseListQuery, CaseRepository } from '@steward/persistence';
import { AccessPolicy } from '../auth/access-policy';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';

/** Filters of a case list: the status, the requester, and equality on top-level fields of the case type's view. */
export type CaseFilters = Pick<CaseListQuery, 'status' | 'requesterId' | 'view'>;

/** How a case type is read: `confidential` cases do not exist (404) for those who may not read them. */
export interface CaseTypeAccess {
  confidential?: boolean;
}

/** Reads cases from the Postgres read model, which the workflows keep current, applying who may read what. */
@Injectable()
export class CaseReader {
  constructor(
    private readonly cases: CaseRepository,
    private readonly access: AccessPolicy,
  ) {}

  private notFound(caseType: string, id: string): StewardException {
    return StewardException.notFound(`${caseType.replace('_', ' ')} ${id}`);
  }

  /** The case, or 404. Actions on open case types use this: who may act is the workflow's decision. */
  async findCase(caseType: string, id: string): Promise<CaseEntity> {
    const row = await this.cases.findCase(caseType, id);
    if (!row) throw this.notFound(caseType, id);
    return row;
  }

  /** The case if the caller may read it: 404 for unknown ids, and 403 for outsiders (404 when confidential). */
  async readable(caseType: string, id: string, user: DirectoryUser, { confidential = false }: CaseTypeAccess = {}): Promise<CaseEntity> {
    const row = await this.findCase(caseType, id);
    if (this.access.canReadCase(user, row)) return row;
    if (confidential) throw this.notFound(caseType, id);
    throw StewardException.forbidden('only participants of this case, auditors and admins may read it');
  }

  /** A page of the cases the caller may read, newest first. */
  async list<V extends object>(caseType: string, filters: CaseFilters, limit: number, cursor: string | undefined, user: DirectoryUser): Promise<Page<V>> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']) as [string, string] | null;
    const rows = await this.cases.list({
      caseType,
      ...filters,
      readableBy: this.access.hasOversight(user) ? undefined : { userId: user.id, roles: user.roles },
      limit,
      after: after ?? undefined,
    });
    const page = toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
    return { items: page.items.map((r) => r.view as V), nextCursor: page.nextCursor };
  }

  async auditTrail(caseId: string, limit: number, cursor: string | undefined): Promise<Page<AuditEvent>> {
    const after = decodeCursor(cursor, ['seq']);
    const rows = await this.cases.auditTrail(caseId, after ? Number(after[0]) : 0, limit);
    return toPage(rows.map(auditEventFromRow), limit, (e) => [e.seq]);
  }
}
