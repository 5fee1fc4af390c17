import { randomUUID } from 'node:crypto';
import { auditOf, changeBody, ChangeBody, decide, eventually } from '../support/change-requests';
import { startSteward, Steward } from '../support/steward';

/** `Idempotency-Key` on POST /change-requests: a retry returns the first response and starts nothing new. */

// Booting the API and bundling the worker's workflows takes a few seconds on a busy machine.
jest.setTimeout(60_000);

describe('POST /change-requests with Idempotency-Key', () => {
  let s: Steward;
  beforeAll(async () => {
    s = await startSteward();
  });
  afterAll(() => s.close());

  const post = (userId: string, key: string | null, body: ChangeBody) => {
    const req = s.http.post('/change-requests').set(s.as(userId));
    return (key === null ? req : req.set('Idempotency-Key', key)).send(body);
  };

  /** Every run (execution) Temporal lists for the case's workflow, once visibility shows at least one. */
  async function runsOf(caseId: string): Promise<string[]> {
    return eventually(async () => {
      const runs: string[] = [];
      for await (const wf of s.temporal.workflow.list({ query: `WorkflowId = 'change-request-${caseId}'` })) runs.push(wf.runId);
      expect(runs.length).toBeGreaterThan(0);
      return runs;
    }, { timeoutMs: 5_000 });
  }

  /** Read-model rows for cases with this (unique) title. */
  async function casesTitled(title: string): Promise<{ id: string; requester_id: string }[]> {
    return s.dataSource.query(`SELECT id, requester_id FROM cases WHERE case_type = 'change_request' AND view->>'title' = $1`, [title]);
  }

  it('answers a repeat (same key, caller and body) with the first response: 201, same id, one workflow, one submission', async () => {
    const key = `retry-${randomUUID()}`;
    const body = changeBody({ title: `Idempotent ${key}` });
    const first = await post('alice', key, body).expect(201);
    const second = await post('alice', key, body).expect(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body).toEqual(first.body);

    const handle = s.temporal.workflow.getHandle(`change-request-${first.body.id}`);
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(await runsOf(first.body.id)).toEqual([description.runId]);

    const submitted = (await auditOf(s, first.body.id)).filter((e) => e.action === 'change_submitted');
    expect(submitted).toHaveLength(1);
    expect(await casesTitled(body.title)).toHaveLength(1);
    const bobsTasks = (await s.http.get('/tasks').set(s.as('bob')).expect(200)).body.filter((t: { caseId: string }) => t.caseId === first.body.id);
    expect(bobsTasks).toHaveLength(1);
  });

  it('still answers a repeat with the first response after the case moved on', async () => {
    const key = `later-${randomUUID()}`;
    const body = changeBody({ title: `Idempotent later ${key}` });
    const first = await post('alice', key, body).expect(201);
    await decide(s, first.body.id, 'bob');
    const repeat = await post('alice', key, body).expect(201);
    expect(repeat.body).toMatchObject({ id: first.body.id, status: 'pending_approval' });
    expect(await casesTitled(body.title)).toHaveLength(1);
    const view = await s.http.get(`/change-requests/${first.body.id}`).set(s.as('alice')).expect(200);
    expect(view.body.status).toBe('scheduled');
  });

  it('gives 10 concurrent POSTs with the same key one case: all return the same id', async () => {
    const key = `burst-${randomUUID()}`;
    const body = changeBody({ title: `Burst ${key}` });
    const responses = await Promise.all(Array.from({ length: 10 }, () => post('alice', key, body)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(201));
    const ids = new Set(responses.map((r) => r.body.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];

    expect(await casesTitled(body.title)).toEqual([{ id, requester_id: 'alice' }]);
    expect(await runsOf(id)).toHaveLength(1);
    const keys = await s.dataSource.query(`SELECT case_id FROM idempotency_keys WHERE caller_id = 'alice' AND key = $1`, [key]);
    expect(keys).toEqual([{ case_id: id }]);
    const audit = await auditOf(s, id);
    expect(audit.filter((e) => e.action === 'change_submitted')).toHaveLength(1);
    expect(audit.filter((e) => e.action === 'approval_level_started')).toHaveLength(1);
  });

  it('treats the same key from a different caller as a different request', async () => {
    const key = `shared-${randomUUID()}`;
    const body = changeBody({ title: `Shared key ${key}` });
    const alices = await post('alice', key, body).expect(201);
    const carols = await post('carol', key, body).expect(201);
    expect(carols.body.id).not.toBe(alices.body.id);
    expect(carols.body).toMatchObject({ requesterId: 'carol', status: 'pending_approval' });
    expect(alices.body).toMatchObject({ requesterId: 'alice' });
    const rows = await casesTitled(body.title);
    expect(rows.map((r) => r.requester_id).sort()).toEqual(['alice', 'carol']);
  });

  it('refuses the same key with a different body from the same caller (422) and creates nothing', async () => {
    const key = `mismatch-${randomUUID()}`;
    const body = changeBody({ title: `Mismatch ${key}` });
    const first = await post('alice', key, body).expect(201);
    const other = { ...body, title: `Mismatch changed ${key}` };
    const res = await post('alice', key, other);
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ statusCode: 422, error: 'Unprocessable Entity', message: expect.any(String), details: expect.any(Array) });
    expect(await casesTitled(other.title)).toHaveLength(0);
    expect(await casesTitled(body.title)).toEqual([{ id: first.body.id, requester_id: 'alice' }]);
  });

  it('creates a new case for each POST without a key', async () => {
    const body = changeBody({ title: `No key ${randomUUID()}` });
    const a = await post('alice', null, body).expect(201);
    const b = await post('alice', null, body).expect(201);
    expect(a.body.id).not.toBe(b.body.id);
    expect(await casesTitled(body.title)).toHaveLength(2);
  });
});
