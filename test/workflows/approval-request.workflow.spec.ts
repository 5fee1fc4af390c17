/**
 * Approval requests on the time-skipping test server: routes from the types file, segregation of duties,
 * per-level timeouts (escalate, approve, reject, escalate without a manager), delegation (also for change
 * requests, through ApprovalProcess), revision and fulfilment. Time only moves through env.sleep.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { ApprovalType } from '@steward/domain';
import { approvalRequestWorker, createLoadTolerantTestEnvironment, purchase, submitRequest } from './approval-request.fixtures';
import { bundleWorkflows, DAY, HOUR, refusal, SETUP_TIMEOUT_MS, submission, submitChange, teardownEnvironment, withCaseWorker } from './harness';

jest.setTimeout(90_000);

const FORBIDDEN = 'StewardForbidden';
const CONFLICT = 'StewardConflict';
/** Reminders and policy escalation far away, so only a level's own timeout acts. */
const QUIET = { reminderAfterMs: 30 * DAY, escalateAfterMs: 60 * DAY };

describe('approval request workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    // The bundle first: webpack and the test server's JVM starting together on a busy machine miss its 5 s limit.
    workflowBundle = await bundleWorkflows();
    env = await createLoadTolerantTestEnvironment();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  it('a small purchase needs only the manager; approved, it goes to finance to fulfil; the requester never decides', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(5000) });
        expect(req.submitted).toMatchObject({ status: 'pending_approval', type: 'purchase', requesterId: 'alice', currentLevel: 'manager', revision: 1 });
        expect(req.submitted.approvalLevels).toEqual([expect.objectContaining({ name: 'manager', approvers: ['bob'], status: 'pending' })]);
        expect(ctx.ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'bob', kind: 'approve_request' })]);

        expect(await refusal(req.decide('alice', 'approve'))).toMatchObject({ type: FORBIDDEN, message: expect.stringContaining('segregation of duties') });
        expect(await refusal(req.decide('fiona', 'approve'))).toMatchObject({ type: FORBIDDEN });
        expect(await refusal(req.fulfil('fiona', 'ordered'))).toMatchObject({ type: CONFLICT });

        const approved = await req.decide('bob', 'approve', 'Go ahead');
        expect(approved).toMatchObject({ status: 'approved', decidedBy: 'bob', fulfilment: { role: 'finance', assignees: ['fiona'] } });
        expect(approved.decidedAt).not.toBeNull();
        expect(ctx.ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'fiona', kind: 'fulfil_request' })]);
        expect(ctx.ledger.latest.readerRoles).toEqual(['finance']);

        expect(await refusal(req.decide('bob', 'approve'))).toMatchObject({ type: CONFLICT });
        expect(await refusal(req.fulfil('bob', 'done'))).toMatchObject({ type: FORBIDDEN });
        const fulfilled = await req.fulfil('fiona', 'PO 4711 sent to Lenovo');
        expect(fulfilled).toMatchObject({ status: 'fulfilled', fulfilment: { by: 'fiona', note: 'PO 4711 sent to Lenovo' } });
        expect((await req.result()).status).toBe('fulfilled');
        expect(ctx.ledger.openTasks).toEqual([]);
        expect(ctx.ledger.actions).toEqual([
          'approval_request_submitted',
          'approval_level_started',
          'approval_decision',
          'approval_level_decided',
          'approval_request_approved',
          'approval_request_fulfilled',
        ]);
      },
      worker,
    );
  });

  it('a large purchase climbs manager, finance and executive; no one decides on two levels', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(150_000), policy: QUIET });
        expect(req.submitted.approvalLevels.map((l) => [l.name, l.approvers])).toEqual([
          ['manager', ['bob']],
          ['finance', ['fiona']],
          ['executive', ['grace']],
        ]);
        expect(req.submitted.approvalLevels[2].timeout).toEqual({ after: 'P3D', afterMs: 3 * DAY, onTimeout: 'escalate' });
        await req.decide('bob', 'approve');
        expect(await refusal(req.decide('bob', 'approve'))).toMatchObject({ type: FORBIDDEN, message: expect.stringContaining('already decided on this request') });
        expect((await req.decide('fiona', 'approve')).currentLevel).toBe('executive');
        const approved = await req.decide('grace', 'approve');
        expect(approved).toMatchObject({ status: 'approved', decidedBy: 'grace' });
        expect(approved.approvalLevels.map((l) => l.status)).toEqual(['approved', 'approved', 'approved']);
      },
      worker,
    );
  });

  it('levels whose condition is false are left out: a mid-sized purchase goes to manager and finance only', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(10_001) });
        expect(req.submitted.approvalLevels.map((l) => l.name)).toEqual(['manager', 'finance']);
      },
      worker,
    );
  });

  it('an executive level that times out with escalate: grace has no manager, so the timeout is audited and the level keeps waiting', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(150_000), policy: QUIET });
        await req.decide('bob', 'approve');
        await req.decide('fiona', 'approve');
        await env.sleep(3 * DAY - HOUR);
        expect(ctx.ledger.actions).not.toContain('approval_timed_out');
        await env.sleep(2 * HOUR);
        const timedOut = await ctx.ledger.waitForAction('approval_timed_out');
        expect(timedOut.events.find((e) => e.action === 'approval_timed_out')).toMatchObject({
          actorId: 'system',
          data: expect.objectContaining({ level: 'executive', onTimeout: 'escalate', escalations: [], withoutManager: ['grace'], keepsWaiting: true }),
        });
        const view = await req.view();
        expect(view).toMatchObject({ status: 'pending_approval', currentLevel: 'executive' });
        expect(view.approvalLevels[2]).toMatchObject({ approvers: ['grace'], status: 'pending' });
        // It fired once: nothing more happens, and grace can still decide.
        await env.sleep(3 * DAY);
        expect(ctx.ledger.actions.filter((a) => a === 'approval_timed_out')).toHaveLength(1);
        expect((await req.decide('grace', 'approve')).status).toBe('approved');
      },
      worker,
    );
  });

  it("a level that times out with escalate brings in the stalled approver's manager, who then decides", () => {
    const worker = approvalRequestWorker();
    const definition: ApprovalType = {
      title: 'Training',
      fields: { course: { type: 'string', required: true } },
      route: [{ name: 'director', approvers: 'requester.manager.manager', rule: 'any', timeout: 'PT4H', onTimeout: 'escalate' }],
    };
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { type: 'training', definition, fields: { course: 'Kubernetes' }, policy: QUIET });
        expect(req.submitted.approvalLevels[0].approvers).toEqual(['sue']);
        await env.sleep(4 * HOUR + 60_000);
        const timedOut = await ctx.ledger.waitForAction('approval_timed_out');
        expect(timedOut.events[0].data).toMatchObject({ level: 'director', onTimeout: 'escalate', escalations: [{ from: 'sue', to: 'mike' }] });
        expect(ctx.ledger.openTasks.map((t) => t.assigneeId).sort()).toEqual(['mike', 'sue']);
        const approved = await req.decide('mike', 'approve');
        expect(approved.status).toBe('approved');
        expect(approved.approvalLevels[0].decisions).toEqual([expect.objectContaining({ approverId: 'mike', onBehalfOf: 'sue' })]);
        // Without a fulfil role the approved request is finished: sue's task closed with the level.
        expect(ctx.ledger.openTasks).toEqual([]);
        expect((await req.result()).status).toBe('approved');
      },
      worker,
    );
  });

  it('a level that times out with approve is approved by system (an expense nobody looked at for five days)', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const fields = { amount: { value: 300, currency: 'CNY' }, category: 'meals', incurredOn: '2026-11-20', description: 'Team dinner' };
        const req = await submitRequest(ctx, { type: 'expense', fields, policy: QUIET });
        await env.sleep(5 * DAY + HOUR);
        const approved = await ctx.ledger.waitForAction('approval_request_approved');
        expect(approved.status).toBe('approved');
        expect(approved.events.map((e) => [e.action, e.actorId])).toEqual(
          expect.arrayContaining([
            ['approval_timed_out', 'system'],
            ['approval_level_decided', 'system'],
            ['approval_request_approved', 'system'],
          ]),
        );
        const view = await req.view();
        expect(view).toMatchObject({ status: 'approved', decidedBy: 'system' });
        expect(view.approvalLevels[0].decisions).toEqual([expect.objectContaining({ approverId: 'system', decision: 'approve' })]);
        expect(ctx.ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'fiona', kind: 'fulfil_request' })]);
        expect(await refusal(req.decide('bob', 'approve'))).toMatchObject({ type: CONFLICT });
      },
      worker,
    );
  });

  it('a level that times out with reject rejects the request as system', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const fields = { system: 'billing-db', accessLevel: 'admin', reason: 'On-call rotation' };
        const req = await submitRequest(ctx, { type: 'access', fields, policy: QUIET });
        expect(req.submitted.approvalLevels.map((l) => l.name)).toEqual(['manager', 'administrator']);
        await req.decide('bob', 'approve');
        await env.sleep(2 * DAY + HOUR);
        const rejected = await ctx.ledger.waitForAction('approval_request_rejected');
        expect(rejected.events.find((e) => e.action === 'approval_request_rejected')).toMatchObject({ actorId: 'system', toStatus: 'rejected' });
        expect((await req.result()).status).toBe('rejected');
        expect(ctx.ledger.openTasks).toEqual([]);
      },
      worker,
    );
  });

  it("while bob has delegated to mike, bob's approval goes to mike, on bob's behalf; bob no longer decides", () => {
    const worker = approvalRequestWorker();
    worker.fakes.delegations.set('bob', 'mike');
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(5000) });
        expect(req.submitted.approvalLevels[0]).toMatchObject({ approvers: ['mike'], delegations: [expect.objectContaining({ from: 'bob', to: 'mike' })] });
        expect(worker.fakes.delegationLookups).toEqual([['bob']]);
        expect(ctx.ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'mike', onBehalfOf: 'bob', kind: 'approve_request' })]);
        expect(ctx.ledger.event('approval_level_started')?.data).toMatchObject({ approvers: ['mike'], delegations: [{ from: 'bob', to: 'mike' }] });
        expect(ctx.ledger.latest.participants).toEqual(expect.arrayContaining(['alice', 'bob', 'mike']));
        expect(await refusal(req.decide('bob', 'approve'))).toMatchObject({ type: FORBIDDEN, message: expect.stringContaining('delegated to mike') });
        const approved = await req.decide('mike', 'approve', 'For bob');
        expect(approved.status).toBe('approved');
        expect(approved.approvalLevels[0].decisions).toEqual([expect.objectContaining({ approverId: 'mike', onBehalfOf: 'bob' })]);
        expect(ctx.ledger.event('approval_decision')).toMatchObject({ actorId: 'mike', data: expect.objectContaining({ onBehalfOf: 'bob' }) });
      },
      worker,
    );
  });

  it('a delegate never decides on their own request: the approval stays with the delegator', () => {
    const worker = approvalRequestWorker();
    worker.fakes.delegations.set('bob', 'alice');
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(5000), requesterId: 'alice' });
        expect(req.submitted.approvalLevels[0]).toMatchObject({ approvers: ['bob'] });
        expect(req.submitted.approvalLevels[0].delegations).toBeUndefined();
        expect(await refusal(req.decide('alice', 'approve'))).toMatchObject({ type: FORBIDDEN });
        expect((await req.decide('bob', 'approve')).status).toBe('approved');
      },
      worker,
    );
  });

  it('changes requested, a revision re-plans the route from the new fields, and the requester withdraws', () => {
    const worker = approvalRequestWorker();
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const req = await submitRequest(ctx, { fields: purchase(5000) });
        const back = await req.decide('bob', 'request_changes', 'Get a second quote');
        expect(back.status).toBe('changes_requested');
        expect(await refusal(req.revise('bob', purchase(9000)))).toMatchObject({ type: FORBIDDEN });
        const revised = await req.revise('alice', purchase(20_000), 'Five laptops (second quote)');
        expect(revised).toMatchObject({ status: 'pending_approval', revision: 2, title: 'Five laptops (second quote)' });
        expect(revised.approvalLevels.map((l) => l.name)).toEqual(['manager', 'finance']);
        expect(revised.previousRounds).toHaveLength(1);
        expect(worker.fakes.planRequests).toBe(2);
        const withdrawn = await req.withdraw('alice', 'Bought second-hand instead');
        expect(withdrawn.status).toBe('withdrawn');
        expect((await req.result()).status).toBe('withdrawn');
        expect(ctx.ledger.openTasks).toEqual([]);
      },
      worker,
    );
  });

  it("delegation applies to complaints' compensation too: sue's approval goes to mike, who decides for her", () => {
    const worker = approvalRequestWorker();
    worker.fakes.delegations.set('sue', 'mike');
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const complaint = await ctx.open();
        await complaint.respond('sam');
        await complaint.resolve('sam', { amount: 5000, currency: 'CNY' });
        expect(ctx.ledger.openTasks.filter((t) => t.kind === 'approve_compensation')).toEqual([
          expect.objectContaining({ assigneeId: 'mike', onBehalfOf: 'sue' }),
        ]);
        expect(await refusal(complaint.decideCompensation('sue', 'approve'))).toMatchObject({ type: FORBIDDEN });
        expect((await complaint.decideCompensation('mike', 'approve', 'For sue')).status).toBe('resolved');
        expect(ctx.ledger.event('approval_decision')).toMatchObject({ actorId: 'mike', data: expect.objectContaining({ onBehalfOf: 'sue' }) });
      },
      worker,
    );
  });

  it('delegation applies to change requests too: the manager level goes to the delegate the workflow looks up', () => {
    const worker = approvalRequestWorker();
    worker.fakes.delegations.set('bob', 'sue');
    return withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        // Without the delegates the API reads (runs started before it did): the workflow looks them up itself.
        const cr = await submitChange(env, ctx.taskQueue, submission((await ctx.now()) + DAY), 'alice', { planned: true, delegates: 'looked-up-by-the-workflow' });
        expect(cr.submitted.approvalLevels[0]).toMatchObject({ approvers: ['sue'], delegations: [expect.objectContaining({ from: 'bob', to: 'sue' })] });
        expect(ctx.ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'sue', onBehalfOf: 'bob', kind: 'approve_change' })]);
        const approved = await cr.decide('sue', 'approve');
        expect(approved.status).toBe('scheduled');
        expect(approved.approvalLevels[0].decisions).toEqual([expect.objectContaining({ approverId: 'sue', onBehalfOf: 'bob' })]);
      },
      worker,
    );
  });
});
