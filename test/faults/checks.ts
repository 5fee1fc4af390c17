import { Client } from 'pg';
import { FlowKind, FlowResult } from './flows';

/**
 * What the fault suite and the topology test check at the end, in Postgres as the table owner: every flow's case
 * exists once, in its final status, with each audit event, task and notification of its type exactly once.
 */

/** What each finished case must hold, exactly once each. */
export const EXPECTED: Record<FlowKind, { final: string; audit: string[]; tasks: string; notes: string }> = {
  change_request: {
    final: 'closed',
    audit: [
      'change_submitted',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'change_approved',
      'change_window_opened',
      'implementation_started',
      'implementation_completed',
      'change_verified',
      'change_closed',
    ],
    // kind:part in the case:rows:completed rows (tasks), kind:part:rows (notifications).
    tasks: 'approve_change:manager:1x:1done implement_change:implementer:1x:1done verify_change:requester:1x:1done',
    notes:
      'approval_requested:manager:1x change_approved:requester:1x change_closed:implementer:1x change_closed:requester:1x ' +
      'change_implemented:requester:1x change_scheduled:implementer:1x change_window_open:implementer:1x',
  },
  complaint: {
    final: 'closed',
    audit: ['complaint_opened', 'first_response', 'complaint_resolved', 'complaint_closed'],
    // Two duties of the owner: the first response, then the resolution.
    tasks: 'collect_feedback:owner:1x:1done respond_complaint:owner:2x:2done',
    notes: 'complaint_assigned:owner:1x',
  },
  approval_request: {
    final: 'fulfilled',
    audit: ['approval_request_submitted', 'approval_level_started', 'approval_decision', 'approval_level_decided', 'approval_request_approved', 'approval_request_fulfilled'],
    tasks: 'approve_request:manager:1x:1done fulfil_request:fulfiller:1x:1done',
    notes: 'approval_request_approved:requester:1x approval_request_fulfilled:requester:1x approval_requested:manager:1x fulfil_requested:fulfiller:1x',
  },
};

export interface CaseCheck {
  problems: string[];
  lost: number;
  doubled: number;
  /** Cases of the flows' types not in their final status. */
  notFinished: number;
  /** Cases in the database by type and status. */
  byType: { case_type: string; status: string; n: number }[];
  /** Task and notification shapes seen, by type: shape -> cases. */
  shapes: Record<string, { tasks: [string, number][]; notes: [string, number][] }>;
}

export async function checkCases(db: Client, results: FlowResult[]): Promise<CaseCheck> {
  const problems: string[] = [];
  let lost = 0;
  let doubled = 0;
  const failed = results.filter((r) => r.error);
  for (const r of failed.slice(0, 20)) problems.push(`${r.kind} ${r.index} (${r.caseId ?? 'no case'}): ${r.error}`);
  lost += failed.filter((r) => !r.caseId).length;

  const kinds = [...new Set(results.map((r) => r.kind))];
  const byType = await db.query<{ case_type: string; status: string; n: number }>(`SELECT case_type, status, count(*)::int AS n FROM cases GROUP BY 1, 2 ORDER BY 1, 2`);
  const caseCount = (type: string) => byType.rows.filter((r) => r.case_type === type).reduce((a, r) => a + r.n, 0);
  const finished = (type: FlowKind) => byType.rows.find((r) => r.case_type === type && r.status === EXPECTED[type].final)?.n ?? 0;
  let notFinished = 0;
  for (const kind of kinds) {
    const started = results.filter((r) => r.kind === kind).length;
    if (caseCount(kind) !== started) problems.push(`${caseCount(kind)} ${kind} cases in the database, ${started} started`);
    notFinished += started - finished(kind);
    lost += Math.max(0, started - caseCount(kind));
    doubled += Math.max(0, caseCount(kind) - started);
  }
  if (notFinished !== 0) problems.push(`${notFinished} cases not in their final status: ${JSON.stringify(byType.rows)}`);

  const audit = await db.query<{ case_id: string; actions: string[] }>(`SELECT case_id, array_agg(action ORDER BY seq) AS actions FROM audit_events GROUP BY case_id`);
  const tasks = await db.query<{ case_id: string; kind: string; assignee_id: string; n: number; done: number }>(
    `SELECT case_id, kind, assignee_id, count(*)::int AS n, count(completed_at)::int AS done FROM human_tasks GROUP BY 1, 2, 3`,
  );
  const notes = await db.query<{ case_id: string; kind: string; user_id: string; n: number }>(`SELECT case_id, kind, user_id, count(*)::int AS n FROM notifications GROUP BY 1, 2, 3`);
  const auditOf = new Map(audit.rows.map((r) => [r.case_id, r.actions]));
  const group = <T extends { case_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.case_id, [...(m.get(r.case_id) ?? []), r]);
    return m;
  };
  const tasksOf = group(tasks.rows);
  const notesOf = group(notes.rows);
  // Users by their part in the case, so that all cases of a type have the same shape.
  const role = (r: FlowResult, user: string) => Object.entries(r.actors).find(([, u]) => u === user)?.[0] ?? user;
  const shapes = new Map(kinds.map((k) => [k, { tasks: new Map<string, number>(), notes: new Map<string, number>() }]));
  for (const r of results) {
    if (!r.caseId) continue;
    const expected = EXPECTED[r.kind].audit;
    const actions = auditOf.get(r.caseId) ?? [];
    const missing = expected.filter((a) => !actions.includes(a));
    const extra = actions.length - (expected.length - missing.length);
    if (missing.length || extra || actions.join() !== expected.join()) {
      lost += missing.length;
      doubled += Math.max(0, extra);
      if (problems.length < 60) problems.push(`${r.kind} ${r.caseId} audit: ${actions.join(', ')}`);
    }
    const taskShape = (tasksOf.get(r.caseId) ?? [])
      .map((t) => `${t.kind}:${role(r, t.assignee_id)}:${t.n}x:${t.done}done`)
      .sort()
      .join(' ');
    const noteShape = (notesOf.get(r.caseId) ?? [])
      .map((n) => `${n.kind}:${role(r, n.user_id)}:${n.n}x`)
      .sort()
      .join(' ');
    const seen = shapes.get(r.kind)!;
    seen.tasks.set(taskShape, (seen.tasks.get(taskShape) ?? 0) + 1);
    seen.notes.set(noteShape, (seen.notes.get(noteShape) ?? 0) + 1);
  }
  for (const [kind, seen] of shapes) {
    for (const which of ['tasks', 'notes'] as const) {
      const expected = EXPECTED[kind][which];
      for (const [shape, n] of seen[which]) {
        if (shape !== expected) problems.push(`${n} ${kind}(s) with ${which} ${shape || '(none)'}, expected ${expected}`);
      }
    }
  }
  return {
    problems,
    lost,
    doubled,
    notFinished,
    byType: byType.rows,
    shapes: Object.fromEntries([...shapes].map(([k, v]) => [k, { tasks: [...v.tasks], notes: [...v.notes] }])),
  };
}
