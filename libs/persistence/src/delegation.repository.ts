import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { poolOf } from './audit/audit-stream';

export interface Delegation {
  id: string;
  delegatorId: string;
  delegateId: string;
  from: string;
  to: string;
  reason: string;
  createdAt: string;
}

const DELEGATES_AT = {
  name: 'delegations-delegates-at',
  text: `SELECT DISTINCT ON (delegator_id) delegator_id, delegate_id FROM delegations
    WHERE revoked_at IS NULL AND delegator_id = ANY($1::text[]) AND starts_at <= $2::timestamptz AND ends_at > $2::timestamptz
    ORDER BY delegator_id, starts_at DESC`,
};

interface DelegationRow {
  id: string;
  delegator_id: string;
  delegate_id: string;
  starts_at: Date;
  ends_at: Date;
  reason: string;
  created_at: Date;
}

const toDelegation = (r: DelegationRow): Delegation => ({
  id: r.id,
  delegatorId: r.delegator_id,
  delegateId: r.delegate_id,
  from: r.starts_at.toISOString(),
  to: r.ends_at.toISOString(),
  reason: r.reason,
  createdAt: r.created_at.toISOString(),
});

/** Why a delegation cannot be made: it would chain (or overlap one of the delegator's own). */
export type DelegationConflict = { conflict: string };

/** Live delegations: not revoked. A window is [from, to). */
export class DelegationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records a delegation unless it would chain: the delegate has delegated for an overlapping window, someone
   * has delegated to the delegator for one, or the delegator has already delegated for one. Serialized, so two
   * concurrent requests cannot each pass the check.
   */
  async create(d: Omit<Delegation, 'id' | 'createdAt'>): Promise<Delegation | DelegationConflict> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('steward.delegations'))`);
      const clashes: DelegationRow[] = await tx.query(
        `SELECT * FROM delegations
          WHERE revoked_at IS NULL AND starts_at < $4 AND ends_at > $3
            AND (delegator_id = $2 OR delegate_id = $1 OR delegator_id = $1)
          ORDER BY starts_at LIMIT 1`,
        [d.delegatorId, d.delegateId, d.from, d.to],
      );
      const clash = clashes[0];
      if (clash) {
        const window = `${clash.starts_at.toISOString()} to ${clash.ends_at.toISOString()}`;
        if (clash.delegator_id === d.delegateId) return { conflict: `${d.delegateId} has delegated to ${clash.delegate_id} from ${window}: delegations do not chain` };
        if (clash.delegate_id === d.delegatorId) return { conflict: `${clash.delegator_id} has delegated to you from ${window}: delegations do not chain` };
        return { conflict: `you have already delegated to ${clash.delegate_id} from ${window}` };
      }
      const [row]: DelegationRow[] = await tx.query(
        `INSERT INTO delegations (id, delegator_id, delegate_id, starts_at, ends_at, reason) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [randomUUID(), d.delegatorId, d.delegateId, d.from, d.to, d.reason],
      );
      return toDelegation(row);
    });
  }

  /** The user's delegations in force or still to come, as delegator or delegate, by start. */
  async listFor(userId: string, limit: number, after?: { from: string; id: string }): Promise<Delegation[]> {
    const rows: DelegationRow[] = await this.dataSource.query(
      `SELECT * FROM delegations
        WHERE revoked_at IS NULL AND ends_at > now() AND (delegator_id = $1 OR delegate_id = $1)
          AND ($3::timestamptz IS NULL OR (starts_at, id) > ($3::timestamptz, $4::uuid))
        ORDER BY starts_at, id LIMIT $2`,
      [userId, limit, after?.from ?? null, after?.id ?? null],
    );
    return rows.map(toDelegation);
  }

  /** Revokes the delegator's own live delegation; false when there is none with that id. */
  async revoke(id: string, delegatorId: string): Promise<boolean> {
    // A SELECT over the UPDATE: for a bare UPDATE the driver answers [rows, count], not the rows.
    const rows: { id: string }[] = await this.dataSource.query(
      `WITH revoked AS (
         UPDATE delegations SET revoked_at = now() WHERE id = $1 AND delegator_id = $2 AND revoked_at IS NULL RETURNING id
       ) SELECT id FROM revoked`,
      [id, delegatorId],
    );
    return rows.length > 0;
  }

  /** Each user's delegate at `at`, or null. Every case submission asks, so the statement is prepared per connection. */
  async delegatesAt(userIds: string[], at: string): Promise<Record<string, string | null>> {
    const rows = userIds.length
      ? (await poolOf(this.dataSource).query<{ delegator_id: string; delegate_id: string }>({ ...DELEGATES_AT, values: [userIds, at] })).rows
      : [];
    return Object.fromEntries(userIds.map((id) => [id, rows.find((r) => r.delegator_id === id)?.delegate_id ?? null]));
  }
}
