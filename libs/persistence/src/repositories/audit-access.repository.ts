import { DataSource } from 'typeorm';

export interface AuditAccessEntry {
  id: number;
  at: string;
  actorId: string;
  action: string;
  target: Record<string, unknown>;
}

/** The append-only log of who read or exported the audit trail. */
export class AuditAccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  async append(actorId: string, action: string, target: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(`INSERT INTO audit_access_log (actor_id, action, target) VALUES ($1, $2, $3)`, [actorId, action, target]);
  }

  /** Newest first, before `beforeId` when given: one page plus one row. */
  async page(limit: number, beforeId?: number): Promise<AuditAccessEntry[]> {
    const rows: { id: string; at: Date; actor_id: string; action: string; target: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT * FROM audit_access_log WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit + 1],
    );
    return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), actorId: r.actor_id, action: r.action, target: r.target }));
  }
}
