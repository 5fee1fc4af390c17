import { AuditEvent } from './audit-chain';

/** The raw columns of audit_events, as `SELECT *` returns them. */
export interface AuditEventRow {
  seq: string;
  id: string;
  at: Date;
  case_type: string;
  case_id: string;
  actor_id: string;
  action: string;
  from_status: string | null;
  to_status: string | null;
  data: Record<string, unknown>;
  workflow_id: string;
  run_id: string;
  prev_hash: string;
  hash: string;
}

export function auditEventFromRow(r: AuditEventRow): AuditEvent {
  return {
    seq: Number(r.seq),
    id: r.id,
    at: r.at.toISOString(),
    caseType: r.case_type,
    caseId: r.case_id,
    actorId: r.actor_id,
    action: r.action,
    fromStatus: r.from_status,
    toStatus: r.to_status,
    data: r.data,
    workflowId: r.workflow_id,
    runId: r.run_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
