import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { DirectoryUser } from '@steward/directory';
import { auditEventFromRow, AuditEvent, AuditEventRow, CaseEntity } from '@steward/persistence';
import { AccessPolicy } from '../auth/access-policy';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';

export interface CaseFilters {
  status?: string;
  requesterId?: string;
  ownerId?: string;
  priority?: string;
  breached?: boolean;
}

/** Reads cases from the Postgres read model, which the workflows keep current. */
@Injectable()
export class CaseReader {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessPolicy,
  ) {}

  /** The case, or 404. Actions use this: who may act is the workflow's decision, not ours. */
  async findCase(caseType: string, id: string): Promise<CaseEntity> {
    const row = await this.dataSource.getRepository(CaseEntity).findOneBy({ id, caseType });
    if (!row) throw StewardException.notFound(`${caseType.replace('_', ' ')} ${id}`);
    return row;
  }

  /** The case if it exists and the caller may read it: 404 for unknown ids, 403 for outsiders. */
  async readable(caseType: string, id: string, user: DirectoryUser): Promise<CaseEntity> {
    const row = await this.findCase(caseType, id);
    this.access.assertCanReadCase(user, row);
    return row;
  }

  /** A page of cases the caller may read (`everyone`: the case type is open to this caller's whole group). */
  async list(
    caseType: string,
    filters: CaseFilters,
    limit: number,
    cursor: string | undefined,
    user: DirectoryUser,
    { everyone = false } = {},
  ): Promise<Page<Record<string, unknown>>> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const qb = this.dataSource
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where('c.case_type = :caseType', { caseType })
      .orderBy('c.created_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(limit + 1);
    if (!everyone && !this.access.hasOversight(user)) qb.andWhere(':userId = ANY(c.participants)', { userId: user.id });
    if (filters.status) qb.andWhere('c.status = :status', { status: filters.status });
    if (filters.requesterId) qb.andWhere('c.requester_id = :requesterId', { requesterId: filters.requesterId });
    if (filters.ownerId) qb.andWhere('c.owner_id = :ownerId', { ownerId: filters.ownerId });
    if (filters.priority) qb.andWhere('c.priority = :priority', { priority: filters.priority });
    if (filters.breached !== undefined) qb.andWhere('COALESCE(c.breached, false) = :breached', { breached: filters.breached });
    if (after) qb.andWhere('(c.created_at, c.id) < (:at, :id)', { at: after[0], id: after[1] });
    const rows = await qb.getMany();
    const page = toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
    return { items: page.items.map((r) => r.view), nextCursor: page.nextCursor };
  }

  async auditTrail(caseId: string, limit: number, cursor: string | undefined): Promise<Page<AuditEvent>> {
    const after = decodeCursor(cursor, ['seq']);
    const rows: AuditEventRow[] = await this.dataSource.query(
      `SELECT * FROM audit_events WHERE case_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [caseId, after ? Number(after[0]) : 0, limit + 1],
    );
    const page = toPage(rows.map(auditEventFromRow), limit, (e) => [e.seq]);
    return page;
  }
}
