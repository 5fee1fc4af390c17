/**
 * The approval building block as the change-request workflow uses it: reminder, escalation to the stalled
 * approver's manager, and segregation of duties. Time only moves through env.sleep.
 */
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows, createTestEnvironment, DAY, refusal, SETUP_TIMEOUT_MS, submission, teardownEnvironment, withCaseWorker } from './harness';

jest.setTimeout(60_000);

describe('change request approval (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTestEnvironment(), bundleWorkflows()]);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  it('reminds the pending approver after an hour, once, without escalating', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const cr = await submit(submission(await now()));
      expect(cr.submitted).toMatchObject({ status: 'pending_approval', riskLevel: 'low', currentLevel: 'manager', revision: 1 });
      expect(cr.submitted.approvalLevels).toEqual([expect.objectContaining({ name: 'manager', rule: 'any', approvers: ['bob'], status: 'pending' })]);
      expect(ledger.actions).toEqual(['change_submitted', 'approval_level_started']);
      expect(ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'bob', kind: 'approve_change' })]);

      await env.sleep('59 minutes');
      expect(ledger.actions).not.toContain('approval_reminder_sent');

      await env.sleep('2 minutes');
      const reminder = await ledger.waitForAction('approval_reminder_sent');
      expect(reminder.notifications).toEqual([expect.objectContaining({ userId: 'bob', kind: 'approval_reminder' })]);
      expect(reminder.events).toEqual([
        expect.objectContaining({ action: 'approval_reminder_sent', actorId: 'system', data: expect.objectContaining({ level: 'manager', approvers: ['bob'] }) }),
      ]);
      expect(reminder.status).toBe('pending_approval');

      // Nearly two hours after submission: still the one reminder and no escalation.
      await env.sleep('58 minutes');
      expect(ledger.actions.filter((a) => a === 'approval_reminder_sent')).toHaveLength(1);
      expect(ledger.actions).not.toContain('approval_escalated');
      const view = await cr.view();
      expect(view.approvalLevels[0]).toMatchObject({ approvers: ['bob'], escalations: [], status: 'pending' });
    }));

  it("escalates to the stalled approver's manager after two hours; the manager decides and the approver no longer can", () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, managerLookups, submit, now }) => {
      // The window opens tomorrow, so nothing but the decisions below commits after the escalation.
      const cr = await submit(submission((await now()) + DAY));

      await env.sleep('121 minutes');
      const escalation = await ledger.waitForAction('approval_escalated');
      expect(managerLookups).toEqual([['bob']]);
      expect(escalation.events).toEqual([
        expect.objectContaining({ action: 'approval_escalated', data: expect.objectContaining({ level: 'manager', escalations: [{ from: 'bob', to: 'sue' }] }) }),
      ]);
      expect(escalation.openTasks).toEqual([expect.objectContaining({ assigneeId: 'sue', kind: 'approve_change' })]);
      expect(escalation.notifications).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: 'sue', kind: 'approval_requested' }),
          expect.objectContaining({ userId: 'bob', kind: 'approval_escalated' }),
        ]),
      );
      // The reminder came first, an hour earlier.
      expect(ledger.actions.indexOf('approval_reminder_sent')).toBeLessThan(ledger.actions.indexOf('approval_escalated'));

      const escalated = await cr.view();
      expect(escalated.approvalLevels[0].approvers).toEqual(['bob', 'sue']);
      expect(escalated.approvalLevels[0].escalations).toEqual([expect.objectContaining({ from: 'bob', to: 'sue' })]);
      expect(ledger.latest.participants).toContain('sue');
      expect(ledger.openTasks.map((t) => t.assigneeId).sort()).toEqual(['bob', 'sue']);

      const approved = await cr.decide('sue', 'approve', 'Looks fine, bob is away');
      expect(approved.status).toBe('scheduled');
      expect(approved.approvalLevels[0]).toMatchObject({
        status: 'approved',
        decisions: [expect.objectContaining({ approverId: 'sue', decision: 'approve', onBehalfOf: 'bob' })],
      });
      expect(ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'ivan', kind: 'implement_change' })]);

      const commitsBefore = ledger.commits.length;
      expect(await refusal(cr.decide('bob', 'approve'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(cr.decide('sue', 'reject'))).toMatchObject({ type: 'StewardConflict' });
      expect(ledger.commits).toHaveLength(commitsBefore);
    }));

  it('refuses decisions by the requester, the implementer and anyone who is not an approver', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, submit, now }) => {
      const cr = await submit(submission(await now()));
      const commitsBefore = ledger.commits.length;

      expect(await refusal(cr.decide('alice', 'approve'))).toMatchObject({ type: 'StewardForbidden', message: expect.stringMatching(/segregation of duties/) });
      expect(await refusal(cr.decide('ivan', 'approve'))).toMatchObject({ type: 'StewardForbidden', message: expect.stringMatching(/segregation of duties/) });
      expect(await refusal(cr.decide('eve', 'approve'))).toMatchObject({ type: 'StewardForbidden', message: expect.stringMatching(/not an approver/) });
      expect(await refusal(cr.decide('alice', 'request_changes', 'never mind'))).toMatchObject({ type: 'StewardForbidden' });

      // Refused updates leave no trace: nothing committed, nothing decided, nothing in the history.
      expect(ledger.commits).toHaveLength(commitsBefore);
      expect((await cr.view()).approvalLevels[0].decisions).toEqual([]);
      const { events } = await cr.handle.fetchHistory();
      const accepted = (events ?? []).flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []);
      expect(accepted).toEqual(['changeRequest.submitted']);

      const approved = await cr.decide('bob', 'approve');
      expect(approved.status).toBe('scheduled');
      expect(await refusal(cr.decide('alice', 'approve'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(cr.decide('eve', 'approve'))).toMatchObject({ type: 'StewardForbidden' });
    }));
});
