import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { auditEventFromRow, AuditEvent, AuditEventRow, CaseEntity } from '@steward/persistence';
import { AccessPolicy } from '../auth/access-policy';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';

/** Filters of a case list: the status, and equality on top-level fields of the case type's view. */
export interface CaseFilters {
  status?: string;
  requesterId?: string;
  /** Field of the view -> wanted value; undefined values are ignored. Field names come from code, never from users. */
  view?: Record<string, string | boolean | undefined>;
}

/** How a case type is read: `confidential` cases do not exist (404) for those who may not read them. */
export interface CaseTypeAccess {
  confidential?: boolean;
}

const VIEW_FIELD = /^[A-Za-z][A-Za-z0-9]*$/;

/** Reads cases from the Postgres read model, which the workflows keep current. */
@Injectable()
export class CaseReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  private notFound(caseType: string, id: string): StewardException {
    return StewardException.notFound(`${caseType.replace('_', ' ')} ${id}`);
  }

  /** The case, or 404. Actions on open case types use this: who may act is the workflow's decision. */
  async findCase(caseType: string, id: string): Promise<CaseEntity> {
    const row = await this.dataSource.getRepository(CaseEntity).findOneBy({ id, caseType });
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
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const qb = this.dataSource
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where('c.case_type = :caseType', { caseType })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1);
    if (!this.access.hasOversight(user)) {
      qb.andWhere('(:userId = ANY(c.participants) OR c.reader_roles && :roles::text[])', { userId: user.id, roles: user.roles });
    }
    if (filters.status) qb.andWhere('c.status = :status', { status: filters.status });
    if (filters.requesterId) qb.andWhere('c.requester_id = :requesterId', { requesterId: filters.requesterId });
    for (const [field, value] of Object.entries(filters.view ?? {})) {
      if (value === undefined) continue;
      if (!VIEW_FIELD.test(field)) throw new Error(`not a view field: ${field}`);
      // The field is written out, not bound, so that the case type's expression index applies.
      if (typeof value === 'boolean') qb.andWhere(`COALESCE((c.view ->> '${field}')::boolean, false) = :${field}`, { [field]: value });
      else qb.andWhere(`(c.view ->> '${field}') = :${field}`, { [field]: value });
    }
    if (after) qb.andWhere('(c.created_at, c.id) < (:at, :id)', { at: after[0], id: after[1] });
    const rows = await qb.getMany();
    const page = toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
    return { items: page.items.map((r) => r.view as V), nextCursor: page.nextCursor };
  }

  async auditTrail(caseId: string, limit: number, cursor: string | undefined): Promise<Page<AuditEvent>> {
    const after = decodeCursor(cursor, ['seq']);
    const rows: AuditEventRow[] = await this.dataSource.query(
      `SELECT * FROM audit_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [caseId, after ? Number(after[0]) : 0, limit + 1],
    );
    return toPage(rows.map(auditEventFromRow), limit, (e) => [e.seq]);
  }
}
