import type { CaseCommit } from '@steward/domain';

/**
 * A change request's commit as the worker's commitCase activity sends it: three audit events, an approval task
 * for bob (titled after the case) and the notification that asks him, all keyed by case and version.
 * `dueAt` lets a test send a value Postgres refuses.
 */
export function commitFor(caseId: string, opts: { version?: number; dueAt?: string | null } = {}): CaseCommit {
  const at = new Date().toISOString();
  const version = opts.version ?? 1;
  return {
    caseType: 'change_request',
    caseId,
    workflowId: `change-request-${caseId}`,
    runId: `run-${caseId}`,
    version,
    status: 'pending_approval',
    requesterId: 'alice',
    participants: ['alice', 'bob'],
    view: { id: caseId, status: 'pending_approval', version },
    createdAt: at,
    updatedAt: at,
    events: Array.from({ length: 3 }, (_, i) => ({
      key: `${caseId}:v${version}:event:${i}`,
      at,
      actorId: i === 0 ? 'alice' : 'system',
      action: `step_${i}`,
      fromStatus: i === 0 ? null : 'pending_approval',
      toStatus: 'pending_approval',
      data: { i, version },
    })),
    openTasks: [{ key: `${caseId}:v${version}:task`, assigneeId: 'bob', kind: 'approve_change', title: `Approve ${caseId}`, dueAt: opts.dueAt ?? null, createdAt: at }],
    closeTasks: [],
    notifications: [{ key: `${caseId}:v${version}:notification`, userId: 'bob', kind: 'approval_requested', message: `Please look at ${caseId}`, createdAt: at }],
  };
}
