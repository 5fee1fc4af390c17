/**
 * The change-request workflow's lifecycle on the time-skipping test server: the request-changes loop, the
 * wait for the change window, emergency changes with their post-implementation review, withdrawal and failure.
 * Activities are fakes; everything the workflow commits lands in the test's ledger.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  bundleWorkflows,
  CAB,
  createTestEnvironment,
  DAY,
  refusal,
  SETUP_TIMEOUT_MS,
  submission,
  submitChange,
  teardownEnvironment,
  withCaseWorker,
} from './harness';

jest.setTimeout(60_000);

describe('change request workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTestEnvironment(), bundleWorkflows()]);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  it('loops through requested changes: the revision re-plans for its new risk and approval restarts at the manager', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, planRequests, submit, now }) => {
      const cr = await submit(submission((await now()) + DAY));
      expect(cr.submitted).toMatchObject({ riskLevel: 'low', revision: 1 });
      await env.sleep('61 minutes');
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'approval_reminder_sent' && e.data.round === 1));

      const sentBack = await cr.decide('bob', 'request_changes', 'Add a canary step first');
      expect(sentBack).toMatchObject({ status: 'changes_requested', currentLevel: null, revision: 1 });
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: `${cr.caseId}:task:r1:revise`, assigneeId: 'alice', kind: 'revise_change', dueAt: null }),
      ]);
      expect(ledger.latest.notifications).toEqual([
        expect.objectContaining({ userId: 'alice', kind: 'changes_requested', message: expect.stringContaining('Add a canary step first') }),
      ]);
      expect(ledger.event('changes_requested')).toMatchObject({ actorId: 'bob', fromStatus: 'pending_approval', toStatus: 'changes_requested' });

      // While the change is with alice, nobody decides, and only alice may revise.
      expect(await refusal(cr.decide('bob', 'approve'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(cr.revise('bob', { impact: 'low' }))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(cr.revise('alice', { plannedEnd: '2000-01-01T00:00:00.000Z' }))).toMatchObject({ type: 'StewardInvalid' });

      const revised = await cr.revise('alice', { impact: 'high', probability: 'medium', description: 'Renew the edge certificates, canary first' });
      expect(revised).toMatchObject({
        status: 'pending_approval',
        riskLevel: 'high',
        impact: 'high',
        probability: 'medium',
        revision: 2,
        currentLevel: 'manager',
      });
      expect(revised.approvalLevels.map((l) => [l.name, l.status, l.approvers])).toEqual([
        ['manager', 'pending', ['bob']],
        ['cab', 'waiting', CAB],
      ]);
      expect(revised.previousRounds).toEqual([
        [
          expect.objectContaining({
            name: 'manager',
            status: 'changes_requested',
            decisions: [expect.objectContaining({ approverId: 'bob', decision: 'request_changes', comment: 'Add a canary step first' })],
          }),
        ],
      ]);
      // The first round came planned with the input (as the API plans it); the revision plans again.
      expect(planRequests.map((r) => r.riskLevel)).toEqual(['high']);
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: `${cr.caseId}:task:r1:revise`, outcome: 'revised' }));
      expect(ledger.event('change_revised')).toMatchObject({ actorId: 'alice', fromStatus: 'changes_requested', toStatus: 'pending_approval', data: expect.objectContaining({ round: 2, riskLevel: 'high' }) });
      expect(ledger.openTasks).toEqual([expect.objectContaining({ key: `${cr.caseId}:task:r2:l0:approve_change:bob`, assigneeId: 'bob' })]);

      // The new round has its own clock: its reminder comes an hour after the revision.
      await env.sleep('61 minutes');
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'approval_reminder_sent' && e.data.round === 2));

      const managerApproved = await cr.decide('bob', 'approve');
      expect(managerApproved).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
      expect(ledger.openTasks.map((t) => t.assigneeId).sort()).toEqual(CAB);
      expect(await refusal(cr.decide('bob', 'approve'))).toMatchObject({ type: 'StewardConflict' });

      expect(await cr.decide('carol', 'approve')).toMatchObject({ status: 'pending_approval', currentLevel: 'cab' });
      expect(await refusal(cr.decide('carol', 'approve'))).toMatchObject({ type: 'StewardConflict', message: expect.stringMatching(/already decided/) });
      const scheduled = await cr.decide('dave', 'approve', 'Canary plan is fine');
      expect(scheduled).toMatchObject({ status: 'scheduled', currentLevel: null });
      expect(scheduled.approvalLevels.map((l) => l.status)).toEqual(['approved', 'approved']);
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: `${cr.caseId}:task:r2:l1:approve_change:erin`, outcome: 'level_decided' }));
      expect(ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'ivan', kind: 'implement_change' })]);
    }));

  it('waits for the change window, then runs implementation and verification to closed', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const plannedStart = (await now()) + 3 * DAY;
      const change = submission(plannedStart);
      const cr = await submit(change);

      const scheduled = await cr.decide('bob', 'approve');
      expect(scheduled).toMatchObject({ status: 'scheduled', windowOpenedAt: null });
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ assigneeId: 'ivan', kind: 'implement_change', dueAt: change.plannedStart }),
      ]);

      expect(await refusal(cr.implementation('ivan', 'started'))).toMatchObject({ type: 'StewardConflict', message: expect.stringMatching(/plannedStart/) });
      expect(await refusal(cr.implementation('alice', 'started'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(cr.implementation('ivan', 'completed'))).toMatchObject({ type: 'StewardConflict' });
      // Approved with no reminder due: nothing happens until the window opens.
      await env.sleep('2 days');
      expect(ledger.actions).not.toContain('change_window_opened');
      expect(ledger.actions).not.toContain('approval_reminder_sent');

      await env.sleep('1 day');
      const opened = await ledger.waitForAction('change_window_opened');
      expect(opened.events).toEqual([
        expect.objectContaining({ actorId: 'system', fromStatus: 'scheduled', toStatus: 'scheduled', data: { plannedStart: change.plannedStart } }),
      ]);
      expect(opened.notifications).toEqual([expect.objectContaining({ userId: 'ivan', kind: 'change_window_open' })]);
      const view = await cr.view();
      expect(Date.parse(view.windowOpenedAt ?? '')).toBeGreaterThanOrEqual(plannedStart);

      expect(await cr.implementation('ivan', 'started', 'Starting with edge-1')).toMatchObject({ status: 'in_progress' });
      expect(await refusal(cr.withdraw('alice', 'too late'))).toMatchObject({ type: 'StewardConflict' });
      const implemented = await cr.implementation('ivan', 'completed', 'All edges renewed');
      expect(implemented).toMatchObject({ status: 'implemented', implementation: expect.objectContaining({ note: 'All edges renewed' }) });
      expect(implemented.implementation.startedAt).not.toBeNull();
      expect(implemented.implementation.completedAt).not.toBeNull();
      expect(ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'alice', kind: 'verify_change', dueAt: change.plannedEnd })]);
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: `${cr.caseId}:task:implement`, outcome: 'completed' }));

      expect(await refusal(cr.verify('ivan', 'verified'))).toMatchObject({ type: 'StewardForbidden' });
      const closed = await cr.verify('alice', 'verified', 'Certificates valid until next year');
      expect(closed).toMatchObject({ status: 'closed', verification: expect.objectContaining({ outcome: 'verified', by: 'alice' }) });
      expect(closed.closedAt).not.toBeNull();

      const result = await cr.result();
      expect(result.status).toBe('closed');
      expect(ledger.latest.status).toBe('closed');
      expect(ledger.openTasks).toEqual([]);
      expect(ledger.actions).toEqual([
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
      ]);
      expect(ledger.latest.notifications.map((n) => [n.userId, n.kind])).toEqual([
        ['alice', 'change_closed'],
        ['ivan', 'change_closed'],
      ]);
    }));

  it('approves an emergency change with one CAB member and closes it only after the post-implementation review', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const cr = await submit(
        submission(await now(), { type: 'emergency', title: 'Patch the exploited TLS library', probability: 'high', impact: 'high' }),
      );
      expect(cr.submitted).toMatchObject({ riskLevel: 'very_high', reviewerId: 'bob', review: { required: true, by: null } });
      expect(cr.submitted.approvalLevels).toEqual([expect.objectContaining({ name: 'cab', rule: 'n_of_m', required: 1, approvers: CAB })]);

      const scheduled = await cr.decide('erin', 'approve', 'Go');
      expect(scheduled.status).toBe('scheduled');
      expect(ledger.closedTasks.filter((t) => t.outcome === 'level_decided').map((t) => t.key).sort()).toEqual([
        `${cr.caseId}:task:r1:l0:approve_change:carol`,
        `${cr.caseId}:task:r1:l0:approve_change:dave`,
      ]);
      // The window (plannedStart = submission time) has passed already: it opens at once.
      await ledger.waitForAction('change_window_opened');

      await cr.implementation('ivan', 'started');
      const implemented = await cr.implementation('ivan', 'completed');
      expect(implemented.status).toBe('implemented');
      expect(ledger.openTasks.map((t) => [t.assigneeId, t.kind])).toEqual([
        ['alice', 'verify_change'],
        ['bob', 'review_change'],
      ]);
      expect(ledger.latest.notifications).toContainEqual(expect.objectContaining({ userId: 'bob', kind: 'review_requested' }));

      const verified = await cr.verify('alice', 'verified');
      expect(verified).toMatchObject({ status: 'implemented', verification: expect.objectContaining({ outcome: 'verified' }), closedAt: null });
      expect(await refusal(cr.verify('alice', 'verified'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(cr.review('alice', 'all good'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(cr.review('erin', 'all good'))).toMatchObject({ type: 'StewardForbidden' });

      const closed = await cr.review('bob', 'Justified emergency; follow-up ticket filed');
      expect(closed).toMatchObject({ status: 'closed', review: { required: true, by: 'bob', note: 'Justified emergency; follow-up ticket filed' } });
      expect((await cr.result()).status).toBe('closed');
      expect(ledger.actions.slice(-3)).toEqual(['change_verified', 'post_implementation_review', 'change_closed']);
      expect(ledger.openTasks).toEqual([]);
    }));

  it('opens a planned submission in one workflow task: the commit is a local activity, no activity task is scheduled', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, planRequests, delegationLookups, submit, now }) => {
      const cr = await submit(submission((await now()) + DAY));
      expect(cr.submitted).toMatchObject({ status: 'pending_approval', currentLevel: 'manager' });
      expect(ledger.commits).toHaveLength(1);
      expect(planRequests).toEqual([]);
      const events = (await cr.handle.fetchHistory()).events ?? [];
      expect(events.filter((e) => e.workflowTaskCompletedEventAttributes)).toHaveLength(1);
      expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toEqual([]);
      // One local activity, the commit: level 1's delegates came with the input, as the API read them.
      expect(events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity')).toHaveLength(1);
      expect(delegationLookups).toEqual([]);
    }));

  it('seats the delegate the API found in force on level 1, without a look-up of its own', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, delegationLookups, taskQueue, now }) => {
      const cr = await submitChange(env, taskQueue, submission((await now()) + DAY), 'alice', { planned: true, delegates: { bob: 'grace' } });
      expect(cr.submitted.approvalLevels[0]).toMatchObject({ name: 'manager', approvers: ['grace'], delegations: [expect.objectContaining({ from: 'bob', to: 'grace' })] });
      expect(ledger.openTasks.map((t) => t.assigneeId)).toEqual(['grace']);
      expect(delegationLookups).toEqual([]);
      await cr.withdraw('alice', 'done with the test');
    }));

  it('reads delegations as level 1 opens when the input brings none (runs started before the API read them)', () =>
    withCaseWorker(env, workflowBundle, async ({ delegationLookups, taskQueue, now }) => {
      const cr = await submitChange(env, taskQueue, submission((await now()) + DAY), 'alice', { planned: false });
      expect(cr.submitted.currentLevel).toBe('manager');
      expect(delegationLookups).toEqual([['bob']]);
      await cr.withdraw('alice', 'done with the test');
    }));

  it('plans through the directory activity when the input brings no plan (runs started before the API planned)', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, planRequests, taskQueue, now }) => {
      const cr = await submitChange(env, taskQueue, submission((await now()) + DAY), 'alice', { planned: false });
      expect(planRequests).toEqual([expect.objectContaining({ requesterId: 'alice', riskLevel: 'low' })]);
      expect(cr.submitted.approvalLevels.map((l) => [l.name, l.status, l.approvers])).toEqual([['manager', 'pending', ['bob']]]);
      expect(ledger.openTasks.map((t) => t.assigneeId)).toEqual(['bob']);
      await cr.withdraw('alice', 'done with the test');
    }));

  it('withdraws a pending change: approval tasks close and the workflow completes', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const cr = await submit(submission((await now()) + DAY));
      expect(ledger.openTasks.map((t) => t.assigneeId)).toEqual(['bob']);

      expect(await refusal(cr.withdraw('bob', 'not mine'))).toMatchObject({ type: 'StewardForbidden' });
      const withdrawn = await cr.withdraw('alice', 'Superseded by the platform migration');
      expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawal: expect.objectContaining({ reason: 'Superseded by the platform migration' }) });
      expect(withdrawn.closedAt).not.toBeNull();
      expect(withdrawn.approvalLevels.map((l) => l.status)).toEqual(['cancelled']);
      expect(ledger.closedTasks).toEqual([expect.objectContaining({ key: `${cr.caseId}:task:r1:l0:approve_change:bob`, outcome: 'withdrawn' })]);
      expect(ledger.openTasks).toEqual([]);
      expect(ledger.latest.notifications.map((n) => [n.userId, n.kind]).sort()).toEqual([
        ['bob', 'change_withdrawn'],
        ['ivan', 'change_withdrawn'],
      ]);
      expect(ledger.event('change_withdrawn')).toMatchObject({ actorId: 'alice', fromStatus: 'pending_approval', toStatus: 'withdrawn' });

      expect((await cr.result()).status).toBe('withdrawn');
      expect((await cr.handle.describe()).status.name).toBe('COMPLETED');
    }));

  it('fails the change when implementation fails, recording the rollback plan', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const change = submission(await now());
      const cr = await submit(change);
      await cr.decide('bob', 'approve');
      await ledger.waitForAction('change_window_opened');
      await cr.implementation('ivan', 'started');

      const failed = await cr.implementation('ivan', 'failed', 'Handshake errors on edge-2');
      expect(failed).toMatchObject({ status: 'failed', implementation: expect.objectContaining({ note: 'Handshake errors on edge-2' }) });
      expect(failed.implementation.failedAt).not.toBeNull();
      expect(failed.closedAt).not.toBeNull();
      expect(ledger.event('implementation_failed')).toMatchObject({
        actorId: 'ivan',
        fromStatus: 'in_progress',
        toStatus: 'failed',
        data: { note: 'Handshake errors on edge-2', rollbackPlan: change.rollbackPlan },
      });
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: `${cr.caseId}:task:implement`, outcome: 'failed' }));
      expect(ledger.openTasks).toEqual([]);
      expect(ledger.latest.notifications.map((n) => n.userId).sort()).toEqual(['alice', 'bob']);
      expect(ledger.latest.notifications).toContainEqual(
        expect.objectContaining({ kind: 'change_failed', message: expect.stringContaining(change.rollbackPlan) }),
      );
      expect((await cr.result()).status).toBe('failed');
    }));
});
