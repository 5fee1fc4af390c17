import { ChildProcess } from 'node:child_process';
import { temporal } from '@temporalio/proto';
import { auditEventFromRow, AuditEventRow, ChainVerifier } from '@steward/persistence';
import { viewQuery } from '@steward/workflows/change-request/definitions';
import { AuditItem, ChangeView, decide, eventually, hoursFromNow, RISK, submitChange } from '../support/change-requests';
import { IdempotencyService } from '../../apps/api/src/cases/idempotency.service';
import { startSteward, Steward } from '../support/steward';
import { waitFor } from '../support/wait';
import { spawnWorkerProcess } from '../support/worker-process';

/**
 * The worker is a separate process that can die at any moment. Kill it (SIGKILL) in the middle of an
 * approval, act while it is down, start a new one: every action lands exactly once and the audit chain holds.
 */

// Bundling workflows in a fresh process takes a while (global setup has built dist/ from the current sources).
jest.setTimeout(120_000);

describe('worker killed and restarted mid-approval', () => {
  let s: Steward;
  let worker: ChildProcess | null = null;
  let output = '';

  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
  });
  afterAll(async () => {
    if (worker && worker.exitCode === null && worker.signalCode === null) {
      const exited = new Promise((resolve) => worker!.once('exit', resolve));
      worker.kill('SIGTERM');
      await exited;
    }
    await s.close();
  });

  /** Starts the compiled worker as a child process and waits until it polls this file's task queue. */
  async function startWorker(): Promise<ChildProcess> {
    const child = spawnWorkerProcess(s, {}, (text) => (output += text));
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited with ${child.exitCode}:\n${output}`);
        const { pollers } = await s.temporal.workflowService.describeTaskQueue({
          namespace: s.config.TEMPORAL_NAMESPACE,
          taskQueue: { name: s.config.TEMPORAL_TASK_QUEUE },
          taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        });
        if (!pollers.some((p) => p.identity?.startsWith(`${child.pid}@`))) throw new Error(`worker ${child.pid} is not polling yet:\n${output}`);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    return child;
  }

  async function kill(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  const view = async (id: string): Promise<ChangeView> => (await s.http.get(`/change-requests/${id}`).set(s.as('audrey')).expect(200)).body as ChangeView;
  const audit = async (id: string): Promise<AuditItem[]> => {
    const res = await s.http.get(`/change-requests/${id}/audit`).set(s.as('audrey')).expect(200);
    expect(res.body.nextCursor).toBeNull();
    return res.body.items as AuditItem[];
  };
  const countRows = (sql: string, params: unknown[]) => s.dataSource.query(sql, params) as Promise<Record<string, string | number>[]>;

  it('loses and duplicates nothing: decisions and a submission made while the worker is down land once after restart', async () => {
    worker = await startWorker();

    // The window opens in two hours, so no timer fires during the test and the audit trail is exact.
    const window = { plannedStart: hoursFromNow(2), plannedEnd: hoursFromNow(3) };
    const big = await submitChange(s, 'alice', { title: 'Move the data centre', ...RISK.high, ...window });
    const afterManager = await decide(s, big.id, 'bob');
    expect(afterManager).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });

    await kill(worker);
    worker = null;

    // With no worker, these wait: the decision for the running workflow, the submission for a new one.
    const carolDecides = s.http.post(`/change-requests/${big.id}/decisions`).set(s.as('carol')).send({ decision: 'approve', comment: 'while down' }).then((r) => r);
    const key = `restart-${big.id}`;
    const secondSubmit = s.http
      .post('/change-requests')
      .set(s.as('alice'))
      .set('Idempotency-Key', key)
      .send({
        title: 'Submitted while the worker was down',
        description: 'Must not be lost',
        type: 'normal',
        ...RISK.low,
        affectedSystems: ['batch'],
        ...window,
        rollbackPlan: 'Revert',
        implementerId: 'ivan',
      })
      .then((r) => r);
    // Both requests have reached Temporal while no worker runs: the submission's workflow exists, and the
    // decision waits as a workflow task on the running one.
    const secondWorkflowId = `change-request-${s.app.get(IdempotencyService).caseIdFor('alice', 'change_request', key)}`;
    await waitFor(
      async () => {
        const describe = (workflowId: string) =>
          s.temporal.workflowService.describeWorkflowExecution({ namespace: s.config.TEMPORAL_NAMESPACE, execution: { workflowId } }).catch(() => null);
        const [first, second] = await Promise.all([describe(big.workflowId), describe(secondWorkflowId)]);
        return Boolean(first?.pendingWorkflowTask) && second !== null;
      },
      { timeoutMs: 20_000, what: 'the decision and the submission to reach Temporal' },
    );
    // Nothing has happened yet: the read model still shows the state before the kill.
    expect((await view(big.id)).approvalLevels[1].decisions).toEqual([]);

    worker = await startWorker();
    const [carol, second] = await Promise.all([carolDecides, secondSubmit]);
    expect(carol.status).toBe(200);
    expect(carol.body).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ status: 'pending_approval', currentLevel: 'manager', requesterId: 'alice' });
    const small = second.body as ChangeView;

    const approved = await decide(s, big.id, 'dave');
    expect(approved).toMatchObject({ status: 'scheduled', currentLevel: null });
    expect(approved.approvalLevels.map((l) => l.decisions.map((d) => d.approverId))).toEqual([['bob'], ['carol', 'dave']]);
    expect((await decide(s, small.id, 'bob')).status).toBe('scheduled');

    // Each action exactly once, in order.
    const bigAudit = await audit(big.id);
    expect(bigAudit.map((e) => e.action)).toEqual([
      'change_submitted',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'approval_level_started',
      'approval_decision',
      'approval_decision',
      'approval_level_decided',
      'change_approved',
    ]);
    expect(bigAudit.filter((e) => e.action === 'approval_decision').map((e) => `${e.actorId}@${String(e.data.level)}`)).toEqual([
      'bob@manager',
      'carol@cab',
      'dave@cab',
    ]);
    expect((await audit(small.id)).map((e) => e.action)).toEqual([
      'change_submitted',
      'approval_level_started',
      'approval_decision',
      'approval_level_decided',
      'change_approved',
    ]);

    // The case's events are in strictly increasing seq order, and the whole deployment's chain verifies gap-free.
    const seqs = bigAudit.map((e) => e.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => a - b));
    const rows: AuditEventRow[] = await s.dataSource.query('SELECT * FROM audit_events ORDER BY seq');
    const verifier = new ChainVerifier();
    for (const row of rows) verifier.push(auditEventFromRow(row));
    expect(verifier.verdict()).toEqual({ ok: true, checked: rows.length, headSeq: rows.length, headHash: rows[rows.length - 1].hash });
    for (const e of bigAudit) expect(rows.some((r) => Number(r.seq) === e.seq && r.case_id === big.id)).toBe(true);

    // One task per duty and one notification per message: nothing was written twice by a replayed commit.
    const tasks = await countRows(
      `SELECT kind, assignee_id, count(*)::int AS n, count(completed_at)::int AS done FROM human_tasks WHERE case_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [big.id],
    );
    expect(tasks).toEqual([
      { kind: 'approve_change', assignee_id: 'bob', n: 1, done: 1 },
      { kind: 'approve_change', assignee_id: 'carol', n: 1, done: 1 },
      { kind: 'approve_change', assignee_id: 'dave', n: 1, done: 1 },
      { kind: 'approve_change', assignee_id: 'erin', n: 1, done: 1 },
      { kind: 'implement_change', assignee_id: 'ivan', n: 1, done: 0 },
    ]);
    const notifications = await countRows(
      `SELECT user_id, kind, count(*)::int AS n FROM notifications WHERE case_id = $1 GROUP BY 1, 2 ORDER BY 1, 2`,
      [big.id],
    );
    expect(notifications).toEqual([
      { user_id: 'alice', kind: 'change_approved', n: 1 },
      { user_id: 'bob', kind: 'approval_requested', n: 1 },
      { user_id: 'carol', kind: 'approval_requested', n: 1 },
      { user_id: 'dave', kind: 'approval_requested', n: 1 },
      { user_id: 'erin', kind: 'approval_requested', n: 1 },
      { user_id: 'ivan', kind: 'change_scheduled', n: 1 },
    ]);

    // One workflow run per case, and the read model shows exactly what the workflow holds.
    for (const c of [big, small]) {
      const runs: string[] = [];
      for await (const wf of s.temporal.workflow.list({ query: `WorkflowId = '${c.workflowId}'` })) runs.push(wf.runId);
      expect(runs).toHaveLength(1);
      const fromWorkflow = await s.temporal.workflow.getHandle(c.workflowId).query(viewQuery);
      expect(await view(c.id)).toEqual(fromWorkflow);
    }
    const [stored] = await countRows(`SELECT status FROM cases WHERE id = $1`, [big.id]);
    expect(stored.status).toBe('scheduled');
  });
});
