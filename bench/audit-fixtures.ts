import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import type { AuditEventDraft, CaseCommit } from '@steward/domain';
import { AuditPayload, chainHash } from '@steward/persistence';

/**
 * Test data shaped like what the change-request workflow writes: a submission (the largest event, carrying
 * the whole form), an approval level opening, a decision, the level's outcome and the status change.
 */
type EventTemplate = Omit<AuditEventDraft, 'key' | 'at'>;

const SUBMISSION = {
  title: 'Rotate the edge TLS certificates',
  description: 'Replace the certificates on the edge load balancers before they expire; no downtime expected.',
  type: 'normal',
  probability: 'low',
  impact: 'medium',
  affectedSystems: ['edge', 'cdn'],
  rollbackPlan: 'Restore the previous certificates from the vault',
  implementerId: 'ivan',
};

function caseTemplate(n: number): EventTemplate[] {
  const start = Date.UTC(2026, 0, 1) + (n % 10_000) * 3_600_000;
  return [
    {
      actorId: 'alice',
      action: 'change_submitted',
      fromStatus: null,
      toStatus: 'pending_approval',
      data: {
        ...SUBMISSION,
        title: `${SUBMISSION.title} #${n}`,
        plannedStart: new Date(start).toISOString(),
        plannedEnd: new Date(start + 2 * 3_600_000).toISOString(),
        riskLevel: 'low',
      },
    },
    {
      actorId: 'system',
      action: 'approval_level_started',
      fromStatus: 'pending_approval',
      toStatus: 'pending_approval',
      data: { level: 'manager', rule: 'any', required: 1, approvers: ['bob'], round: 1 },
    },
    {
      actorId: 'bob',
      action: 'approval_decision',
      fromStatus: 'pending_approval',
      toStatus: 'pending_approval',
      data: { level: 'manager', decision: 'approved', comment: 'Looks good, go ahead.', onBehalfOf: null, round: 1 },
    },
    {
      actorId: 'bob',
      action: 'approval_level_decided',
      fromStatus: 'pending_approval',
      toStatus: 'pending_approval',
      data: { level: 'manager', outcome: 'approved', round: 1 },
    },
    { actorId: 'system', action: 'change_scheduled', fromStatus: 'pending_approval', toStatus: 'scheduled', data: { round: 1 } },
  ];
}

/**
 * A commit of a new change request, as the workflow's first flush makes it: the case, one approval task, one
 * notification and `events` audit events. Every commit is a new case, so nothing is skipped as a retry.
 */
export function benchCommit(n: number, events: number): CaseCommit {
  const caseId = randomUUID();
  const now = new Date().toISOString();
  const template = caseTemplate(n);
  const drafts: AuditEventDraft[] = Array.from({ length: events }, (_, i) => ({
    ...template[i % template.length],
    key: `${caseId}:event:${i + 1}`,
    at: now,
  }));
  const view = { id: caseId, ...SUBMISSION, status: 'pending_approval', requesterId: 'alice', riskLevel: 'low', round: 1 };
  return {
    caseType: 'change_request',
    caseId,
    workflowId: `change-request-${caseId}`,
    runId: randomUUID(),
    version: 1,
    status: 'pending_approval',
    requesterId: 'alice',
    participants: ['alice', 'bob', 'ivan'],
    view,
    createdAt: now,
    updatedAt: now,
    events: drafts,
    openTasks: [
      { key: `${caseId}:task:r1:l0:approve:bob`, assigneeId: 'bob', kind: 'approve_change', title: `Approve (manager): ${SUBMISSION.title}`, dueAt: null, createdAt: now },
    ],
    closeTasks: [],
    notifications: [
      { key: `${caseId}:notification:2`, userId: 'bob', kind: 'approval_requested', message: `Your approval is requested (manager): ${SUBMISSION.title}`, createdAt: now },
    ],
  };
}

const INSERT_SQL = `
  INSERT INTO audit_events (seq, id, event_key, at, case_type, case_id, actor_id, action, from_status, to_status,
    data, workflow_id, run_id, prev_hash, hash)
  SELECT * FROM unnest($1::bigint[], $2::uuid[], $3::text[], $4::timestamptz[], $5::text[], $6::uuid[], $7::text[], $8::text[],
    $9::text[], $10::text[], $11::jsonb[], $12::text[], $13::text[], $14::text[], $15::text[])`;

interface Batch {
  columns: unknown[][];
  lastSeq: number;
  lastHash: string;
}

/** `rows` chained events after (seq, hash), five to a case, as column arrays for INSERT ... SELECT unnest(...). */
function buildBatch(seq: number, hash: string, rows: number, baseMs: number): Batch {
  const columns: unknown[][] = Array.from({ length: 15 }, () => new Array<unknown>(rows));
  let prevHash = hash;
  let caseId = '';
  let runId = '';
  let template: EventTemplate[] = [];
  for (let i = 0; i < rows; i += 1) {
    const s = seq + 1 + i;
    const step = (s - 1) % 5;
    if (step === 0 || i === 0) {
      caseId = randomUUID();
      runId = randomUUID();
      template = caseTemplate(s);
    }
    const t = template[step];
    const payload: AuditPayload = {
      seq: s,
      id: randomUUID(),
      at: new Date(baseMs + s).toISOString(),
      caseType: 'change_request',
      caseId,
      actorId: t.actorId,
      action: t.action,
      fromStatus: t.fromStatus,
      toStatus: t.toStatus,
      data: t.data,
      workflowId: `change-request-${caseId}`,
      runId,
    };
    const next = chainHash(prevHash, payload);
    const values = [s, payload.id, `${caseId}:event:${s}`, payload.at, payload.caseType, caseId, t.actorId, t.action, t.fromStatus, t.toStatus, JSON.stringify(t.data), payload.workflowId, runId, prevHash, next];
    for (let c = 0; c < 15; c += 1) columns[c][i] = values[c];
    prevHash = next;
  }
  return { columns, lastSeq: seq + rows, lastHash: prevHash };
}

export interface SeedResult {
  fromSeq: number;
  toSeq: number;
  events: number;
  ms: number;
  /** Of which: building the events and their hashes in this process (the rest overlaps or is Postgres). */
  buildMs: number;
}

/**
 * Appends valid chained events until the chain holds `target` events, as the given (owner) connection: big
 * INSERT ... SELECT unnest(...) batches, several per transaction, each transaction locking the chain head
 * and moving it on, so the chain is consistent after every commit. The next batch is built and hashed while
 * Postgres inserts the previous one.
 */
export async function seedAuditChain(
  client: Client,
  target: number,
  { batchRows = 5000, batchesPerTransaction = 20, log = (_: string): void => undefined } = {},
): Promise<SeedResult> {
  const started = performance.now();
  let buildMs = 0;
  const { rows } = await client.query<{ seq: string }>('SELECT seq FROM audit_chain_head WHERE id = 1');
  const fromSeq = Number(rows[0].seq);
  let seq = fromSeq;
  let lastLogged = performance.now();
  const baseMs = Date.now() - target; // one event a millisecond, ending about now
  while (seq < target) {
    await client.query('BEGIN');
    try {
      const head = (await client.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE')).rows[0];
      seq = Number(head.seq);
      let hash = head.hash;
      let pending: Promise<unknown> | null = null;
      for (let b = 0; b < batchesPerTransaction && seq < target; b += 1) {
        const t0 = performance.now();
        const batch = buildBatch(seq, hash, Math.min(batchRows, target - seq), baseMs);
        buildMs += performance.now() - t0;
        if (pending) await pending;
        pending = client.query(INSERT_SQL, batch.columns);
        seq = batch.lastSeq;
        hash = batch.lastHash;
      }
      if (pending) await pending;
      await client.query('UPDATE audit_chain_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
    if (performance.now() - lastLogged > 5000) {
      lastLogged = performance.now();
      log(`seeding: ${seq.toLocaleString('en')} / ${target.toLocaleString('en')} events`);
    }
  }
  return { fromSeq, toSeq: seq, events: seq - fromSeq, ms: performance.now() - started, buildMs };
}
