import { randomUUID } from 'node:crypto';
import { DirectoryService } from '@steward/directory';
import { DEFAULT_SLA_POLICIES } from '@steward/domain';
import {
  COMPLAINT_WORKFLOW,
  ComplaintInput,
  ComplaintState,
  complaintWorkflowId,
  openedUpdate,
} from '@steward/workflows/complaint/definitions';
import { CaseActions } from '../../apps/api/src/cases/case-actions.service';
import { notificationsOf, tasksOf } from '../support/change-requests';
import { act, complaintAudit, complaintBody, ComplaintBody, ComplaintView, expectError, getComplaint, listAll, openComplaint, openLoad } from '../support/complaints';
import { startSteward, Steward } from '../support/steward';
import { eventually, waitFor } from '../support/wait';

/**
 * Contract promises on complaints beyond the everyday flows: Idempotency-Key on POST /complaints, a
 * COMPENSATION_APPROVAL_THRESHOLD other than the default, and the Temporal history of a complaint whose
 * workflow continued as new (every run, chained).
 */

jest.setTimeout(120_000);

describe('complaint contract', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward({ COMPENSATION_APPROVAL_THRESHOLD: '50' });
  });
  afterAll(() => s?.close());

  /** Every run Temporal lists for the complaint's workflow, once visibility shows at least `atLeast`. */
  const runsOf = (id: string, atLeast = 1) =>
    waitFor(
      async () => {
        const runs: string[] = [];
        for await (const wf of s.temporal.workflow.list({ query: `WorkflowId = '${complaintWorkflowId(id)}'` })) runs.push(wf.runId);
        return runs.length >= atLeast && runs;
      },
      { timeoutMs: 10_000, what: `${atLeast} run(s) of complaint ${id} in visibility` },
    );

  describe('POST /complaints with Idempotency-Key', () => {
    const post = (userId: string, key: string, body: ComplaintBody) => s.http.post('/complaints').set(s.as(userId)).set('Idempotency-Key', key).send(body);

    it('answers a repeat (same key, caller and body) with the first response: same id, one workflow, one intake, one owner', async () => {
      const key = `complaint-${randomUUID()}`;
      const body = complaintBody({ subject: `Idempotent ${key}` });
      const loadBefore = await openLoad(s);
      const first = await post('sam', key, body).expect(201);
      const second = await post('sam', key, body).expect(201);
      expect(second.body).toEqual(first.body);

      expect(await runsOf(first.body.id)).toHaveLength(1);
      expect((await complaintAudit(s, first.body.id)).filter((e) => e.action === 'complaint_opened')).toHaveLength(1);
      expect((await listAll(s, '')).filter((c) => c.subject === body.subject)).toHaveLength(1);
      // Only one complaint was assigned: one owner's load went up by one.
      expect(await openLoad(s)).toEqual({ ...loadBefore, [first.body.ownerId]: loadBefore[first.body.ownerId] + 1 });
      const assigned = (await notificationsOf(s, first.body.ownerId)).filter((n) => n.caseId === first.body.id && n.kind === 'complaint_assigned');
      expect(assigned).toHaveLength(1);
    });

    it('still answers a repeat with the first response after the complaint moved on', async () => {
      const key = `complaint-later-${randomUUID()}`;
      const body = complaintBody({ subject: `Idempotent later ${key}` });
      const first = await post('sam', key, body).expect(201);
      await act(s, first.body.id, 'responses', first.body.ownerId, { message: 'On it' });
      const repeat = await post('sam', key, body).expect(201);
      expect(repeat.body).toEqual(first.body);
      expect((await getComplaint(s, first.body.id)).status).toBe('in_progress');
    });

    it('gives concurrent POSTs with the same key one complaint', async () => {
      const key = `complaint-burst-${randomUUID()}`;
      const body = complaintBody({ subject: `Burst ${key}` });
      const responses = await Promise.all(Array.from({ length: 5 }, () => post('tina', key, body)));
      expect(responses.map((r) => r.status)).toEqual(Array(5).fill(201));
      const ids = new Set(responses.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(await runsOf([...ids][0])).toHaveLength(1);
      expect((await listAll(s, '')).filter((c) => c.subject === body.subject)).toHaveLength(1);
    });

    it('treats the same key from another caller as another request', async () => {
      const key = `complaint-shared-${randomUUID()}`;
      const body = complaintBody({ subject: `Shared ${key}` });
      const sams = await post('sam', key, body).expect(201);
      const tinas = await post('tina', key, body).expect(201);
      expect(tinas.body.id).not.toBe(sams.body.id);
      expect((await listAll(s, '')).filter((c) => c.subject === body.subject)).toHaveLength(2);
    });

    it('refuses the same key with another body from the same caller (422) and opens nothing', async () => {
      const key = `complaint-mismatch-${randomUUID()}`;
      const body = complaintBody({ subject: `Mismatch ${key}` });
      const first = await post('sam', key, body).expect(201);
      const other = { ...body, subject: `Mismatch changed ${key}` };
      const res = await post('sam', key, other);
      expect({ status: res.status, body: res.body }).toEqual({
        status: 422,
        body: { statusCode: 422, error: 'Unprocessable Entity', message: expect.any(String), details: expect.any(Array) },
      });
      const subjects = (await listAll(s, '')).map((c) => c.subject);
      expect(subjects).not.toContain(other.subject);
      expect(subjects.filter((x) => x === body.subject)).toHaveLength(1);
      expect(await runsOf(first.body.id)).toHaveLength(1);
    });

    it('refuses a malformed key, naming Idempotency-Key', async () => {
      const res = await post('sam', 'x'.repeat(300), complaintBody());
      expectError(res, 400);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain('Idempotency-Key');
    });
  });

  describe('COMPENSATION_APPROVAL_THRESHOLD=50', () => {
    const resolveWith = async (amount: number): Promise<ComplaintView> => {
      const c = await openComplaint(s, 'lena', { subject: `Compensation ${amount}` });
      return act(s, c.id, 'resolution', c.ownerId, { summary: 'Refund', compensation: { amount, currency: 'CNY' } });
    };

    it('sends 60 to a supervisor', async () => {
      const c = await resolveWith(60);
      expect(c.status).toBe('pending_compensation_approval');
      expect(c.resolution?.compensation).toEqual({ amount: 60, currency: 'CNY', status: 'pending' });
      expect(await tasksOf(s, 'sue')).toContainEqual(expect.objectContaining({ caseId: c.id, kind: 'approve_compensation' }));
    });

    it('resolves 40 and 50 (not above the threshold) at once, with nothing for a supervisor', async () => {
      for (const amount of [40, 50]) {
        const c = await resolveWith(amount);
        expect(c.status).toBe('resolved');
        expect(c.resolution?.compensation).toEqual({ amount, currency: 'CNY', status: 'not_required' });
        expect((await tasksOf(s, 'sue')).filter((t) => t.caseId === c.id)).toEqual([]);
      }
    });
  });

  describe('GET /cases/complaint/:id/history of a complaint that continued as new', () => {
    let id: string;
    let runIds: string[];

    beforeAll(async () => {
      // The API has no knob for the workflow's history limit (tests only, like the workflow tests' historyLimit):
      // the case is created through the API's own CaseActions, with the complaint input the API would build
      // plus a low historyLimit. Everything after that goes over HTTP.
      const sam = (await s.app.get(DirectoryService).findUser('sam'))!;
      const intake = complaintBody({ subject: 'Long-lived complaint' });
      const view = await s.app.get(CaseActions).create<ComplaintInput, ComplaintState, ComplaintState>(sam, undefined, {
        caseType: 'complaint',
        workflowType: COMPLAINT_WORKFLOW,
        workflowId: complaintWorkflowId,
        createdUpdate: openedUpdate,
        request: intake,
        input: (caseId) => ({
          caseId,
          createdBy: 'sam',
          intake,
          policies: DEFAULT_SLA_POLICIES,
          compensationThreshold: 50,
          approvalPolicy: { reminderAfterMs: s.config.approvalReminderAfterMs, escalateAfterMs: s.config.approvalEscalateAfterMs },
          historyLimit: 40,
        }),
      }, (stored) => stored);
      id = view.id;
      const handle = s.temporal.workflow.getHandle(complaintWorkflowId(id));
      runIds = [(await handle.describe()).runId];
      const owner = view.ownerId;
      await act(s, id, 'responses', owner, { message: 'Looking into it' });
      // Pause and resume until the workflow has continued as new twice (each action adds to the history).
      for (let i = 0; runIds.length < 3 && i < 30; i++) {
        await act(s, id, 'pause', owner, { reason: `Waiting for the customer (${i})` });
        await act(s, id, 'resume', owner);
        const current = (await handle.describe()).runId;
        if (current !== runIds.at(-1)) runIds.push(current);
      }
      expect(runIds).toHaveLength(3);
    });

    it('returns every run, oldest first, each continued from the one before, the last still running', async () => {
      const body = await eventually(
        async () => {
          const res = await s.http.get(`/cases/complaint/${id}/history`).set(s.as('audrey')).expect(200);
          expect(res.body.runs.map((r: { runId: string }) => r.runId)).toEqual(runIds);
          return res.body;
        },
        { timeoutMs: 15_000 },
      );
      expect(body).toMatchObject({ caseType: 'complaint', caseId: id, workflowId: complaintWorkflowId(id) });
      type Event = { eventType: string; workflowExecutionStartedEventAttributes?: { continuedExecutionRunId?: string } };
      const runs = body.runs as { runId: string; status: string; closeTime: string | null; history: { events: Event[] } }[];
      expect(runs.map((r) => r.status)).toEqual(['CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'RUNNING']);
      runs.forEach((run, i) => {
        const events = run.history.events;
        expect(events[0].eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
        const from = events[0].workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
        expect(from || null).toBe(i === 0 ? null : runs[i - 1].runId);
        if (i < runs.length - 1) {
          expect(events.at(-1)!.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
          expect(run.closeTime).not.toBeNull();
        } else {
          expect(run.closeTime).toBeNull();
        }
      });
      // Every run that wrote to the audit trail is in the history.
      const writers = new Set((await s.http.get(`/audit/events?caseId=${id}&limit=200`).set(s.as('audrey')).expect(200)).body.items.map((e: { runId: string }) => e.runId));
      expect([...writers].every((r) => runIds.includes(r as string))).toBe(true);
      expect(writers.size).toBeGreaterThanOrEqual(2);
    });

    it('keeps the case whole across the runs: GET shows every pause, and the next action still lands', async () => {
      const view = await getComplaint(s, id);
      expect(view).toMatchObject({ id, status: 'in_progress', reopenCount: 0 });
      expect((view.pauses as unknown[]).length).toBeGreaterThanOrEqual(2);
      const resolved = await act(s, id, 'resolution', view.ownerId, { summary: 'Sorted' });
      expect(resolved.status).toBe('resolved');
    });
  });
});
