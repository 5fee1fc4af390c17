import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { AuditPayload, chainHash } from './audit/audit-chain';
import { enqueueCommitOutbox } from './notify/outbox.repository';

/**
 * Writes a workflow's commit to the read model in one transaction: the case, its tasks, notifications and
 * audit events. Idempotent by version and keys, so activity retries are harmless.
 */
export class CaseStore {
  constructor(private readonly dataSource: DataSource) {}

  async commit(c: CaseCommit): Promise<{ appended: number }> {
    return this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO cases (id, case_type, status, workflow_id, requester_id, participants, reader_roles, view, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, requester_id = EXCLUDED.requester_id,
           participants = EXCLUDED.participants, reader_roles = EXCLUDED.reader_roles, view = EXCLUDED.view,
           version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
         WHERE cases.version < EXCLUDED.version`,
        [
          c.caseId, c.caseType, c.status, c.workflowId, c.requesterId, c.participants, c.readerRoles ?? [], c.view, c.version,
          c.createdAt, c.updatedAt,
        ],
      );
      for (const t of c.openTasks) {
        await tx.query(
          `INSERT INTO human_tasks (task_key, case_type, case_id, assignee_id, kind, title, due_at, created_at, on_behalf_of)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (task_key) DO NOTHING`,
          [t.key, c.caseType, c.caseId, t.assigneeId, t.kind, t.title, t.dueAt, t.createdAt, t.onBehalfOf ?? null],
        );
      }
      for (const t of c.closeTasks) {
        await tx.query(
          `UPDATE human_tasks SET completed_at = $2, outcome = $3 WHERE task_key = $1 AND completed_at IS NULL`,
          [t.key, t.at, t.outcome],
        );
      }
      for (const n of c.notifications) {
        await tx.query(
          `INSERT INTO notifications (notification_key, user_id, case_type, case_id, kind, message, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (notification_key) DO NOTHING`,
          [n.key, n.userId, c.caseType, c.caseId, n.kind, n.message, n.createdAt],
        );
      }
      // Email and webhook messages of this step, written with it (transactional outbox).
      await enqueueCommitOutbox(tx, c);
      // Audit last: the chain head stays locked only for the few statements left before commit.
      const appended = await appendAuditEvents(tx, c, c.events);
      return { appended };
    });
  }
}

/**
 * Appends events to the deployment-wide hash chain inside the caller's transaction. The head row lock
 * serializes appenders; keys already in the chain (a retried commit) are skipped after taking the lock,
 * so two concurrent attempts of the same commit cannot both append.
 */
export async function appendAuditEvents(
  tx: EntityManager,
  ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>,
  drafts: AuditEventDraft[],
): Promise<number> {
  if (drafts.length === 0) return 0;
  const [head] = await tx.query(`SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`);
  const existing = new Set<string>(
    (await tx.query(`SELECT event_key FROM audit_events WHERE event_key = ANY($1)`, [drafts.map((d) => d.key)])).map(
      (r: { event_key: string }) => r.event_key,
    ),
  );
  let seq = Number(head.seq);
  let prevHash: string = head.hash;
  const rows: unknown[][] = [];
  for (const d of drafts) {
    if (existing.has(d.key)) continue;
    seq += 1;
    const payload: AuditPayload = {
      seq,
      id: randomUUID(),
      at: new Date(d.at).toISOString(),
      caseType: ctx.caseType,
      caseId: ctx.caseId,
      actorId: d.actorId,
      action: d.action,
      fromStatus: d.fromStatus,
      toStatus: d.toStatus,
      data: d.data,
      workflowId: ctx.workflowId,
      runId: ctx.runId,
    };
    const hash = chainHash(prevHash, payload);
    rows.push([
      payload.seq, payload.id, d.key, payload.at, payload.caseType, payload.caseId, payload.actorId, payload.action,
      payload.fromStatus, payload.toStatus, payload.data, payload.workflowId, payload.runId, prevHash, hash,
    ]);
    prevHash = hash;
  }
  if (rows.length === 0) return 0;
  const cols = 15;
  const values = rows.map((_, i) => `(${Array.from({ length: cols }, (_, j) => `$${i * cols + j + 1}`).join(', ')})`);
  await tx.query(
    `INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status,
       data, workflow_id, run_id, prev_hash, hash) VALUES ${values.join(', ')}`,
    rows.flat(),
  );
  await tx.query(`UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1`, [seq, prevHash]);
  return rows.length;
}
