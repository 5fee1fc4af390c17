import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { payloadJcsAroundSeq } from './audit/canonical-json';
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
 * Appends events to the deployment-wide hash chain inside the caller's transaction, in one statement: the
 * SQL function audit_append (migration AuditAppendFunction1765094400000) skips keys already in the chain
 * (a retried commit), locks the head row, numbers the new events, chains their hashes and moves the head.
 * Keys are checked again after taking the lock, so two concurrent attempts of the same commit cannot both
 * append. The canonical JSON (JCS) of each payload is computed here, before the lock, split around the seq
 * that only the function knows; Postgres hashes prevHash + head + seq + tail, which is byte for byte the
 * input chainHash would hash. The chain head stays locked for this one round trip and the COMMIT.
 */
export async function appendAuditEvents(
  tx: EntityManager,
  ctx: Pick<CaseCommit, 'caseType' | 'caseId' | 'workflowId' | 'runId'>,
  drafts: AuditEventDraft[],
): Promise<number> {
  if (drafts.length === 0) return 0;
  const n = drafts.length;
  const [keys, ids, ats, actorIds, actions, fromStatuses, toStatuses, data, heads, tails] = Array.from({ length: 10 }, () => new Array<string | null>(n));
  drafts.forEach((d, i) => {
    const id = randomUUID();
    const at = new Date(d.at).toISOString();
    const jcs = payloadJcsAroundSeq({
      id, at, caseType: ctx.caseType, caseId: ctx.caseId, actorId: d.actorId, action: d.action, fromStatus: d.fromStatus,
      toStatus: d.toStatus, data: d.data, workflowId: ctx.workflowId, runId: ctx.runId,
    });
    [keys[i], ids[i], ats[i], actorIds[i], actions[i], fromStatuses[i], toStatuses[i], data[i], heads[i], tails[i]] = [
      d.key, id, at, d.actorId, d.action, d.fromStatus, d.toStatus, JSON.stringify(d.data), jcs.head, jcs.tail,
    ];
  });
  const [row] = await tx.query(
    `SELECT audit_append($1::text[], $2::uuid[], $3::timestamptz[], $4, $5, $6::text[], $7::text[], $8::text[], $9::text[],
       $10::jsonb[], $11, $12, $13::text[], $14::text[]) AS appended`,
    [keys, ids, ats, ctx.caseType, ctx.caseId, actorIds, actions, fromStatuses, toStatuses, data, ctx.workflowId, ctx.runId, heads, tails],
  );
  return Number(row.appended);
}
