import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Reading the audit trail is itself recorded: who read or exported what, and when. Append-only. */
@Injectable()
export class AuditAccessService {
  constructor(private readonly dataSource: DataSource) {}

  async record(actorId: string, action: string, target: Record<string, unknown>): Promise<void> {
    await this.dataSource.query(`INSERT INTO audit_access_log (actor_id, action, target) VALUES ($1, $2, $3)`, [actorId, action, target]);
  }

  async list(limit: number, beforeId?: number) {
    const rows: { id: string; at: Date; actor_id: string; action: string; target: Record<string, unknown> }[] = await this.dataSource.query(
      `SELECT * FROM audit_access_log WHERE ($1::bigint IS NULL OR id < $1) ORDER BY id DESC LIMIT $2`,
      [beforeId ?? null, limit + 1],
    );
    return rows.map((r) => ({ id: Number(r.id), at: r.at.toISOString(), actorId: r.actor_id, action: r.action, target: r.target }));
  }
}
