import { DataSource } from 'typeorm';
import { AuditEventRow } from '../audit/audit-event.mapper';
import { CaseEntity } from '../entities';

export interface CaseListQuery {
  caseType: string;
  status?: string;
  requesterId?: string;
  /** Equality on top-level fields of the view; undefined values are ignored. Field names come from code. */
  view?: Record<string, string | boolean | undefined>;
  /** Only cases this user takes part in or holds a reader role of; absent: every case (oversight). */
  readableBy?: { userId: string; roles: string[] };
  limit: number;
  /** Exclusive position of the previous page's last row: [createdAt, id]. */
  after?: [string, string];
}

const VIEW_FIELD = /^[A-Za-z][A-Za-z0-9]*$/;

/** The read model of every case type. */
export class CaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  findCase(caseType: string, id: string): Promise<CaseEntity | null> {
    return this.dataSource.getRepository(CaseEntity).findOneBy({ id, caseType });
  }

  /** One page plus one row, newest first, so the caller knows whether another page follows. */
  list(q: CaseListQuery): Promise<CaseEntity[]> {
    const qb = this.dataSource
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where('c.case_type = :caseType', { caseType: q.caseType })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(q.limit + 1);
    if (q.readableBy) {
      qb.andWhere('(:userId = ANY(c.participants) OR c.reader_roles && :roles::text[])', { userId: q.readableBy.userId, roles: q.readableBy.roles });
    }
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.requesterId) qb.andWhere('c.requester_id = :requesterId', { requesterId: q.requesterId });
    for (const [field, value] of Object.entries(q.view ?? {})) {
      if (value === undefined) continue;
      if (!VIEW_FIELD.test(field)) throw new Error(`not a view field: ${field}`);
      // The field is written out, not bound, so that the case type's expression index applies.
      if (typeof value === 'boolean') qb.andWhere(`COALESCE((c.view ->> '${field}')::boolean, false) = :${field}`, { [field]: value });
      else qb.andWhere(`(c.view ->> '${field}') = :${field}`, { [field]: value });
    }
    if (q.after) qb.andWhere('(c.created_at, c.id) < (:at, :id)', { at: q.after[0], id: q.after[1] });
    return qb.getMany();
  }

  /** A case's audit events after `afterSeq`, oldest first: one page plus one row. */
  auditTrail(caseId: string, afterSeq: number, limit: number): Promise<AuditEventRow[]> {
    return this.dataSource.query(`SELECT * FROM audit_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, [caseId, afterSeq, limit + 1]);
  }
}
