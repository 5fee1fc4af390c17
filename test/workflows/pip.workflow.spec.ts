/**
 * The PIP workflow on the time-skipping test server: HR approval with segregation of duties, the request-changes
 * loop, the acknowledgement deadline, check-ins (one missed), the mid-point review, the final review and its
 * escalation, one extension only, a separation that needs both approvals, withdrawal and continue-as-new.
 * Activities are fakes (HR is hank; bob's manager is sue); everything the workflow commits lands in the ledger.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CaseCommit } from '@steward/domain';
import type { PipState } from '@steward/workflows/pip/definitions';
import { bundleWorkflows, CaseLedger, createTestEnvironment, HOUR, refusal, SETUP_TIMEOUT_MS, teardownEnvironment, withCaseWorker } from './harness';
import { activePip, DAY, fakePipActivities, FakePipActivities, pipDraft, startPip, withPipActivities } from './pip.fixtures';

jest.setTimeout(90_000);

const iso = (ms: number) => new Date(ms).toISOString();
const at = (s: string | null | undefined) => Date.parse(s ?? '');
const FORBIDDEN = 'StewardForbidden';
const CONFLICT = 'StewardConflict';
const INVALID = 'StewardInvalid';

function isPipState(view: object): view is PipState {
  return 'employeeId' in view && 'checkIns' in view;
}

function viewOf(commit: CaseCommit): PipState {
  if (!isPipState(commit.view)) throw new Error('not a PIP view');
  return commit.view;
}

/** Open tasks as [assignee, kind] pairs, sorted; HR's missed-check-in follow-ups left out unless asked for. */
function openTasks(ledger: CaseLedger, withMissedCheckIns = false): string[][] {
  return ledger.openTasks
    .filter((t) => withMissedCheckIns || t.kind !== 'pip_missed_check_in')
    .map((t) => [t.assigneeId, t.kind])
    .sort((a, b) => a.join().localeCompare(b.join()));
}

describe('PIP workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;
  let hr: FakePipActivities;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTestEnvironment(), bundleWorkflows()]);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  beforeEach(() => {
    hr = fakePipActivities();
  });

  it('drafted by the manager, approved by HR only: neither the manager (even holding hr) nor the employee decides', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger } = ctx;
        const pip = await startPip(ctx);
        expect(pip.created).toMatchObject({ status: 'pending_hr_approval', employeeId: 'alice', managerId: 'bob', managersManagerId: 'sue', revision: 0 });
        expect(pip.created.approval).toMatchObject({ kind: 'plan', round: 1, outcome: 'pending' });
        expect(pip.created.approval?.process.levels).toEqual([expect.objectContaining({ name: 'hr', rule: 'any', approvers: ['hank'], status: 'pending' })]);
        expect(ledger.latest).toMatchObject({ caseType: 'pip', requesterId: 'bob', readerRoles: ['hr'], participants: ['alice', 'bob', 'sue', 'hank'] });
        expect(openTasks(ledger)).toEqual([['hank', 'approve_pip']]);
        expect(hr.hrLookups[0]).toEqual(['alice', 'bob']);

        expect(await refusal(pip.handle.executeUpdate('pip.decide', { args: [{ actorId: 'bob', roles: ['manager', 'hr'], decision: 'approve', comment: null }] }))).toEqual({
          type: FORBIDDEN,
          message: 'segregation of duties: nobody decides on a plan about themselves or one they run',
        });
        expect((await refusal(pip.decide('alice', 'approve'))).type).toBe(FORBIDDEN);
        expect((await refusal(pip.decide('sue', 'approve'))).type).toBe(FORBIDDEN);
        expect((await refusal(pip.acknowledge('alice', true))).type).toBe(CONFLICT);

        const approved = await pip.decide('hank', 'approve');
        const ackDue = at(approved.updatedAt) + 5 * DAY;
        expect(approved).toMatchObject({ status: 'awaiting_acknowledgement', acknowledgement: { status: 'pending', dueAt: iso(ackDue) } });
        expect(approved.approval?.outcome).toBe('approved');
        expect(openTasks(ledger)).toEqual([['alice', 'acknowledge_pip']]);
        expect(ledger.openTasks[0].dueAt).toBe(iso(ackDue));
        expect((await refusal(pip.decide('hank', 'approve'))).type).toBe(CONFLICT);
        // Tasks and notifications reach only the people who may read the plan.
        const allowed = ['alice', 'bob', 'sue', 'hank'];
        expect([...ledger.openedTasks.map((t) => t.assigneeId), ...ledger.notifications.map((n) => n.userId)].filter((id) => !allowed.includes(id))).toEqual([]);
      },
      withPipActivities(hr),
    ));

  it('request changes, a revision checked against the policy, a new HR round; a rejection ends the plan', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger } = ctx;
        const pip = await startPip(ctx);
        expect(await pip.decide('hank', 'request_changes', 'Goals need measures')).toMatchObject({ status: 'changes_requested' });
        expect(openTasks(ledger)).toEqual([['bob', 'revise_pip']]);
        expect((await refusal(pip.revise('hank', { reason: 'x' }))).type).toBe(FORBIDDEN);
        expect(await refusal(pip.revise('bob', { checkInEvery: 'P30D' }))).toEqual({ type: INVALID, message: 'checkInEvery must be shorter than duration' });
        expect((await refusal(pip.revise('bob', { duration: 'P200D' }))).type).toBe(INVALID);

        const revised = await pip.revise('bob', { duration: 'P60D', goals: [...pipDraft().goals, { title: 'On-call hand-offs', measure: 'Written', target: 'Every week' }] });
        expect(revised).toMatchObject({ status: 'pending_hr_approval', revision: 1, duration: 'P60D' });
        expect(revised.goals).toHaveLength(3);
        expect(revised.approval).toMatchObject({ kind: 'plan', round: 2 });
        expect(revised.previousApprovals).toHaveLength(1);
        expect(openTasks(ledger)).toEqual([['hank', 'approve_pip']]);

        const rejected = await pip.decide('hank', 'reject', 'Not a performance matter');
        expect(rejected).toMatchObject({ status: 'rejected' });
        expect(ledger.openTasks).toEqual([]);
        expect((await pip.result()).status).toBe('rejected');
      },
      withPipActivities(hr),
    ));

  it('without an acknowledgement by the deadline the plan starts anyway, from the deadline, and HR is told', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, sleepUntil } = ctx;
        const pip = await startPip(ctx);
        const approved = await pip.decide('hank', 'approve');
        const deadline = at(approved.acknowledgement?.dueAt);
        await sleepUntil(deadline - HOUR);
        expect((await pip.state()).status).toBe('awaiting_acknowledgement');
        await sleepUntil(deadline + HOUR);
        const started = await ledger.waitForAction('pip_started_without_acknowledgement');
        expect(viewOf(started)).toMatchObject({
          status: 'active',
          acknowledgement: { status: 'none' },
          startsAt: iso(deadline),
          endsAt: iso(deadline + 30 * DAY),
          midpoint: { dueAt: iso(deadline + 15 * DAY) },
        });
        expect(started.events[0]).toMatchObject({ actorId: 'system', fromStatus: 'awaiting_acknowledgement', toStatus: 'active' });
        expect(started.notifications.map((n) => [n.userId, n.kind])).toEqual(expect.arrayContaining([['hank', 'pip_not_acknowledged']]));
        expect(started.closeTasks).toEqual([expect.objectContaining({ outcome: 'expired' })]);
        expect((await refusal(pip.acknowledge('alice', true))).type).toBe(CONFLICT);
      },
      withPipActivities(hr),
    ));

  it('a refusal to acknowledge needs a comment, is recorded, and the plan goes ahead', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const pip = await startPip(ctx);
        await pip.decide('hank', 'approve');
        expect(await refusal(pip.acknowledge('alice', false))).toEqual({ type: INVALID, message: 'comment is required to refuse the acknowledgement' });
        expect((await refusal(pip.acknowledge('bob', true))).type).toBe(FORBIDDEN);
        const refused = await pip.acknowledge('alice', false, 'The targets were never agreed');
        expect(refused).toMatchObject({ status: 'active', acknowledgement: { status: 'refused', comment: 'The targets were never agreed' } });
        expect(at(refused.startsAt)).toBe(at(refused.acknowledgement?.at));
        expect(ctx.ledger.event('pip_acknowledgement_refused')).toMatchObject({ actorId: 'alice', data: expect.objectContaining({ comment: 'The targets were never agreed' }) });
      },
      withPipActivities(hr),
    ));

  it('check-ins fall due every 7 days; one not recorded within the grace is missed and HR gets a task; the mid-point opens reviews', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, sleepUntil } = ctx;
        const pip = await activePip(ctx);
        const start = at((await pip.state()).startsAt);
        expect((await refusal(pip.midpointReview('bob'))).type).toBe(CONFLICT);

        await sleepUntil(start + 7 * DAY + HOUR);
        const due1 = await ledger.waitFor((c) => c.events.some((e) => e.action === 'pip_check_in_due' && e.data.number === 1));
        expect(due1.openTasks).toEqual([expect.objectContaining({ assigneeId: 'bob', kind: 'pip_check_in', dueAt: iso(start + 9 * DAY) })]);
        expect(viewOf(due1).checkIns).toEqual([expect.objectContaining({ number: 1, dueAt: iso(start + 7 * DAY), status: 'due' })]);

        await sleepUntil(start + 9 * DAY + HOUR);
        const missed = await ledger.waitForAction('pip_check_in_missed');
        expect(missed.events[0]).toMatchObject({ actorId: 'system', data: expect.objectContaining({ number: 1 }) });
        expect(missed.openTasks).toEqual([expect.objectContaining({ assigneeId: 'hank', kind: 'pip_missed_check_in' })]);
        expect(missed.closeTasks).toEqual([expect.objectContaining({ outcome: 'missed' })]);
        expect(viewOf(missed).checkIns[0].status).toBe('missed');

        await sleepUntil(start + 14 * DAY + HOUR);
        await ledger.waitFor((c) => c.events.some((e) => e.action === 'pip_check_in_due' && e.data.number === 2));
        expect(await refusal(pip.checkIn('bob', [{ index: 0, status: 'met' }, { index: 2, status: 'at_risk' }]))).toEqual({
          type: INVALID,
          message: 'goals[1].index must be between 0 and 1 (the plan has 2 goals)',
        });
        expect((await refusal(pip.checkIn('hank'))).type).toBe(FORBIDDEN);
        expect((await refusal(pip.checkIn('alice'))).type).toBe(FORBIDDEN);
        const recorded = await pip.checkIn('bob', [{ index: 0, status: 'met' }, { index: 1, status: 'at_risk' }], 'Export shipped');
        expect(recorded.checkIns.map((c) => [c.number, c.status])).toEqual([[1, 'missed'], [2, 'recorded']]);

        await sleepUntil(start + 15 * DAY + HOUR);
        const midpoint = await ledger.waitForAction('pip_midpoint_reached');
        expect(midpoint.openTasks.map((t) => [t.assigneeId, t.kind])).toEqual([['bob', 'pip_midpoint_review'], ['hank', 'pip_midpoint_review']]);
        expect((await refusal(pip.midpointReview('alice'))).type).toBe(FORBIDDEN);
        await pip.midpointReview('hank', 'HR: on track overall');
        // Recording check-in 2 closed HR's follow-up of the missed one; hank's review closed HR's mid-point task.
        expect(openTasks(ledger, true)).toEqual([['bob', 'pip_midpoint_review']]);
        const reviewed = await pip.midpointReview('bob', 'Manager: goal 2 at risk');
        expect(reviewed.midpoint?.reviews.map((r) => r.by)).toEqual(['hank', 'bob']);
        expect(await pip.comment('alice', 'Reviews are slow because of on-call')).toMatchObject({ comments: [expect.objectContaining({ by: 'alice' })] });
        expect((await refusal(pip.comment('bob'))).type).toBe(FORBIDDEN);
      },
      withPipActivities(hr),
    ));

  it('at the end the manager reviews; overdue escalates to HR; one extension only, approved by HR, moves the end', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, sleepUntil } = ctx;
        const pip = await activePip(ctx);
        const end = at((await pip.state()).endsAt);
        expect((await refusal(pip.outcome('bob', 'passed'))).type).toBe(CONFLICT);

        await sleepUntil(end + HOUR);
        const ended = await ledger.waitForAction('pip_ended');
        expect(viewOf(ended)).toMatchObject({ status: 'pending_final_review', finalReview: { round: 1, dueAt: iso(end + 5 * DAY), escalatedAt: null } });
        expect(ended.openTasks).toContainEqual(expect.objectContaining({ assigneeId: 'bob', kind: 'pip_final_review', dueAt: iso(end + 5 * DAY) }));
        // Nobody wrote the mid-point review: it may still be written until the outcome.
        expect(openTasks(ledger)).toEqual([['bob', 'pip_final_review'], ['bob', 'pip_midpoint_review'], ['hank', 'pip_midpoint_review']]);

        await sleepUntil(end + 5 * DAY + HOUR);
        const escalated = await ledger.waitForAction('pip_final_review_escalated');
        expect(escalated.openTasks).toEqual([expect.objectContaining({ assigneeId: 'hank', kind: 'pip_final_review' })]);

        expect((await refusal(pip.outcome('hank', 'passed'))).type).toBe(FORBIDDEN);
        expect(await refusal(pip.outcome('bob', 'extended', 'P31D'))).toMatchObject({ type: INVALID, message: expect.stringMatching(/^extension must be at most/) });
        expect((await refusal(pip.outcome('bob', 'extended'))).type).toBe(INVALID);
        const requested = await pip.outcome('bob', 'extended', 'P14D', 'Close: two more weeks');
        expect(requested).toMatchObject({ status: 'pending_extension_approval', approval: { kind: 'extension', outcome: 'pending' } });
        expect(openTasks(ledger)).toEqual([['hank', 'approve_pip']]);
        expect((await refusal(pip.decide('bob', 'approve'))).type).toBe(FORBIDDEN);
        const extended = await pip.decide('hank', 'approve');
        expect(extended).toMatchObject({ status: 'active', extension: 'P14D', endsAt: iso(end + 14 * DAY) });

        await sleepUntil(end + 14 * DAY + HOUR);
        await ledger.waitFor((c) => c.events.filter((e) => e.action === 'pip_ended').length > 0 && viewOf(c).finalReview?.round === 2);
        expect(await refusal(pip.outcome('bob', 'extended', 'P7D'))).toEqual({ type: CONFLICT, message: 'a plan is extended once; this one already was (by P14D)' });
        const passed = await pip.outcome('bob', 'passed', null, 'All goals met');
        expect(passed).toMatchObject({ status: 'passed', outcomes: [expect.objectContaining({ outcome: 'extended' }), expect.objectContaining({ outcome: 'passed' })] });
        expect(ledger.openTasks).toEqual([]);
        expect((await pip.result()).status).toBe('passed');
      },
      withPipActivities(hr),
    ));

  it('a failed plan needs HR and then the manager\'s manager, different people; a rejection returns it to the final review', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        hr.hrStaff = ['hank', 'sue'];
        const { ledger, sleepUntil } = ctx;
        const pip = await activePip(ctx);
        await sleepUntil(at((await pip.state()).endsAt) + HOUR);
        await ledger.waitForAction('pip_ended');

        const failed = await pip.outcome('bob', 'failed', null, 'Goals not met');
        expect(failed).toMatchObject({ status: 'pending_separation_approval', approval: { kind: 'separation', round: 2 } });
        // sue holds hr too, but gives the second approval: she stays out of the first.
        expect(failed.approval?.process.levels.map((l) => [l.name, l.approvers, l.status])).toEqual([
          ['hr', ['hank'], 'pending'],
          ['managers_manager', ['sue'], 'waiting'],
        ]);
        expect(await refusal(pip.decide('sue', 'approve'))).toEqual({ type: CONFLICT, message: 'HR decides the separation first; yours is the second approval (status pending_separation_approval)' });
        expect((await pip.decide('hank', 'approve')).status).toBe('pending_separation_approval');
        expect((await refusal(pip.decide('hank', 'approve'))).type).toBe(FORBIDDEN);
        expect(openTasks(ledger)).toEqual([['sue', 'approve_pip']]);
        const rejected = await pip.decide('sue', 'reject', 'Give the new goals a chance');
        expect(rejected).toMatchObject({ status: 'pending_final_review', finalReview: { round: 2 } });
        expect(openTasks(ledger)).toEqual([['bob', 'pip_final_review']]);

        const again = await pip.outcome('bob', 'failed', null, 'Still not met');
        expect(again.approval).toMatchObject({ kind: 'separation', round: 3 });
        expect(again.approval?.process.levels.map((l) => l.status)).toEqual(['pending', 'waiting']);
        await pip.decide('hank', 'approve', 'HR agrees');
        const separated = await pip.decide('sue', 'approve', 'Agreed');
        expect(separated).toMatchObject({ status: 'separated' });
        expect(separated.previousApprovals.map((a) => [a.kind, a.outcome])).toEqual([['plan', 'approved'], ['separation', 'rejected']]);
        expect(ledger.openTasks).toEqual([]);
        expect((await pip.result()).status).toBe('separated');
      },
      withPipActivities(hr),
    ));

  it('a stalled HR approver is reminded, then escalated to someone who may see the plan (not their manager outside HR)', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, env: e, managerLookups } = ctx;
        const pip = await startPip(ctx);
        await e.sleep(HOUR + 60_000);
        await ledger.waitForAction('approval_reminder_sent');
        await e.sleep(HOUR);
        const escalated = await ledger.waitForAction('approval_escalated');
        expect(managerLookups).toContainEqual(['hank']);
        expect(escalated.events.find((ev) => ev.action === 'approval_escalated')?.data).toMatchObject({ escalations: [expect.objectContaining({ from: 'hank', to: 'sue' })] });
        expect(escalated.openTasks).toEqual([expect.objectContaining({ assigneeId: 'sue', kind: 'approve_pip' })]);
        expect((await pip.decide('sue', 'approve', 'For HR')).status).toBe('awaiting_acknowledgement');
      },
      withPipActivities(hr),
    ));

  it('the manager or HR withdraws before an outcome; the employee cannot', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, sleepUntil } = ctx;
        const pip = await activePip(ctx);
        await sleepUntil(at((await pip.state()).startsAt) + 7 * DAY + HOUR);
        await ledger.waitForAction('pip_check_in_due');
        expect((await refusal(pip.withdraw('alice'))).type).toBe(FORBIDDEN);
        expect((await refusal(pip.withdraw('sue'))).type).toBe(FORBIDDEN);
        const withdrawn = await pip.withdraw('hank', 'Role eliminated');
        expect(withdrawn).toMatchObject({ status: 'withdrawn', withdrawal: { by: 'hank', reason: 'Role eliminated' } });
        expect(withdrawn.checkIns.map((c) => c.status)).toEqual(['cancelled']);
        expect(ledger.openTasks).toEqual([]);
        expect(ledger.latest.notifications.map((n) => n.userId).sort()).toEqual(['alice', 'bob', 'sue']);
        expect((await pip.result()).status).toBe('withdrawn');
        // The run has ended: nothing more is accepted (the API answers 409 to the plan's readers).
        await expect(pip.comment('alice')).rejects.toThrow(WorkflowNotFoundError);
      },
      withPipActivities(hr),
    ));

  it('continues as new past the history limit and keeps its whole state, timers included', () =>
    withCaseWorker(
      env,
      workflowBundle,
      async (ctx) => {
        const { ledger, sleepUntil } = ctx;
        const pip = await startPip(ctx, { historyLimit: 30, draft: pipDraft({ duration: 'P60D', checkInEvery: 'P5D' }) });
        const runs = new Set<string>([await pip.runId()]);
        const check = async () => {
          runs.add(await pip.runId());
          expect(viewOf(ledger.latest)).toEqual(await pip.state());
        };
        await pip.decide('hank', 'approve');
        await check();
        await pip.acknowledge('alice', true, 'Understood');
        const start = at((await pip.state()).startsAt);
        for (let n = 1; n <= 6; n += 1) {
          await sleepUntil(start + n * 5 * DAY + HOUR);
          await ledger.waitFor((c) => c.events.some((e) => e.action === 'pip_check_in_due' && e.data.number === n));
          if (n !== 3) await pip.checkIn('bob', [{ index: 0, status: 'on_track' }], `Check-in ${n}`);
          await pip.comment('alice', `Comment ${n}`);
          await check();
        }
        await ledger.waitForAction('pip_check_in_missed');
        expect(runs.size).toBeGreaterThan(1);
        const state = await pip.state();
        expect(state.checkIns.map((c) => c.status)).toEqual(['recorded', 'recorded', 'missed', 'recorded', 'recorded', 'recorded']);
        expect(state.comments).toHaveLength(6);
        expect(state.midpoint?.openedAt).not.toBeNull();
        // The timers of the new run are the old run's: the end still falls on startsAt + 60 days.
        await sleepUntil(start + 60 * DAY + HOUR);
        const ended = await ledger.waitForAction('pip_ended');
        expect(at(ended.events.find((e) => e.action === 'pip_ended')?.at)).toBeGreaterThanOrEqual(start + 60 * DAY);
        await pip.outcome('bob', 'passed', null, 'Done');
        const final = await pip.result();
        expect(final).toMatchObject({ status: 'passed', acknowledgement: { status: 'acknowledged', comment: 'Understood' } });
        expect(final.checkIns).toHaveLength(11);
      },
      withPipActivities(hr),
    ));
});
