/**
 * The complaint workflow on the time-skipping test server: SLA clocks in working time, the escalation ladder,
 * pause/resume, priority changes, reopening, compensation approval, transfers and continue-as-new. Activities
 * are fakes (owner sam; ladder lena, sue, mike; supervisor sue); everything the workflow commits lands in the
 * ledger. Time only moves through env.sleep (sleepUntil): the instants the workflow records (breaches) are
 * exact, and the test's own sleeps leave margins for the real milliseconds each step takes. A few tests hold an
 * activity back to let another Update in while a handler or a ladder step waits for the directory.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { CaseCommit } from '@steward/domain';
import { DEFAULT_SLA_POLICIES } from '@steward/domain';
import { ComplaintState, complaintStateQuery } from '@steward/workflows/complaint/definitions';
import {
  bundleWorkflows,
  complaintIntake,
  createTestEnvironment,
  ESCALATION_TARGETS,
  HOUR,
  refusal,
  SETUP_TIMEOUT_MS,
  SUPERVISORS,
  teardownEnvironment,
  withCaseWorker,
} from './harness';

jest.setTimeout(60_000);

const MIN = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();
const viewOf = (commit: CaseCommit) => commit.view as unknown as ComplaintState;
const at = (isoString: string | null | undefined) => Date.parse(isoString ?? '');

/** Polls (in real time) until the condition holds. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await delay(20);
  }
}

/** The next Monday at `hh:mm` Shanghai time (the default business calendar's zone) after `nowMs`. */
function nextShanghaiMonday(nowMs: number, hour: number, minute: number): number {
  const now = DateTime.fromMillis(nowMs, { zone: 'Asia/Shanghai' });
  let monday = now.set({ weekday: 1, hour, minute, second: 0, millisecond: 0 });
  if (monday.toMillis() <= nowMs) monday = monday.plus({ weeks: 1 });
  return monday.toMillis();
}

describe('complaint workflow (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTestEnvironment(), bundleWorkflows()]);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  it('P1 without a response: warns the owner at 75 %, breaches at 15 min and climbs the ladder to lena, sue and mike', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, sleepUntil, escalationLookups, ladderLookups }) => {
      const complaint = await open();
      const opened = complaint.opened;
      const t0 = at(opened.createdAt);
      const key = (k: string) => `${complaint.caseId}:task:${k}`;
      expect(opened).toMatchObject({
        status: 'open',
        priority: 'P1',
        ownerId: 'sam',
        team: 'service',
        calendar: 'always',
        escalationLevel: 0,
        breached: false,
        firstResponseAt: null,
      });
      expect(opened.clocks).toEqual({
        firstResponse: { budgetMs: 15 * MIN, spentMs: 0, since: opened.createdAt, breachedAt: null, doneAt: null, fired: 0 },
        update: null,
        resolution: { budgetMs: 4 * HOUR, spentMs: 0, since: opened.createdAt, breachedAt: null, doneAt: null, fired: 0 },
      });
      expect(ledger.actions).toEqual(['complaint_opened']);
      expect(ledger.event('complaint_opened')).toMatchObject({ actorId: 'tina', fromStatus: null, toStatus: 'open', data: expect.objectContaining({ priority: 'P1', ownerId: 'sam' }) });
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: key('c0:t0:respond'), assigneeId: 'sam', kind: 'respond_complaint', dueAt: iso(t0 + 15 * MIN) }),
      ]);
      expect(ledger.notifications.map((n) => [n.userId, n.kind])).toEqual([['sam', 'complaint_assigned']]);

      // 75 % of 15 min is 11 min 15 s: the owner is warned, nobody else is looked up.
      await sleepUntil(t0 + 11 * MIN);
      expect(ledger.actions).toEqual(['complaint_opened']);
      await sleepUntil(t0 + 11.5 * MIN);
      const warning = await ledger.waitForAction('sla_warning');
      expect(warning.events).toEqual([
        expect.objectContaining({
          actorId: 'system',
          action: 'sla_warning',
          fromStatus: 'open',
          toStatus: 'open',
          data: expect.objectContaining({ clock: 'firstResponse', at: 0.75, action: 'warn', to: 'owner', userId: 'sam' }),
        }),
      ]);
      expect(warning.notifications).toEqual([expect.objectContaining({ userId: 'sam', kind: 'sla_warning' })]);
      expect(warning.openTasks).toEqual([]);
      expect(viewOf(warning)).toMatchObject({ escalationLevel: 0, breached: false });
      expect(escalationLookups).toEqual([]);

      // 15 min: breached, and the first rung above the owner (team lead) in the same step.
      await sleepUntil(t0 + 14.5 * MIN);
      expect(ledger.actions).not.toContain('sla_breached');
      await sleepUntil(t0 + 15.5 * MIN);
      const breach = await ledger.waitForAction('sla_breached');
      expect(breach.events).toEqual([
        expect.objectContaining({ actorId: 'system', action: 'sla_breached', data: { clock: 'firstResponse', priority: 'P1', breachedAt: iso(t0 + 15 * MIN) } }),
        expect.objectContaining({
          actorId: 'system',
          action: 'sla_escalated',
          data: expect.objectContaining({ clock: 'firstResponse', at: 1, action: 'escalate', to: 'team_lead', userId: 'lena', escalationLevel: 1 }),
        }),
      ]);
      expect(breach.openTasks).toEqual([
        expect.objectContaining({ key: key('c0:esc:firstResponse:1:lena'), assigneeId: 'lena', kind: 'complaint_escalation' }),
      ]);
      expect(breach.notifications).toEqual([expect.objectContaining({ userId: 'lena', kind: 'sla_escalation' })]);
      expect(breach.readerRoles).toEqual(['agent', 'team_lead', 'supervisor']);
      expect(viewOf(breach)).toMatchObject({ escalationLevel: 1, breached: true, status: 'open' });
      expect(viewOf(breach).clocks.firstResponse).toMatchObject({ breachedAt: iso(t0 + 15 * MIN), fired: 2, doneAt: null });
      expect(breach.participants).toContain('lena');

      // 150 % (22 min 30 s): the supervisor.
      await sleepUntil(t0 + 22 * MIN);
      expect(ledger.events.filter((e) => e.action === 'sla_escalated')).toHaveLength(1);
      await sleepUntil(t0 + 23 * MIN);
      const second = await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.to === 'supervisor'));
      expect(second.events).toEqual([
        expect.objectContaining({ action: 'sla_escalated', data: expect.objectContaining({ at: 1.5, userId: 'sue', escalationLevel: 2 }) }),
      ]);
      // Recorded once the directory has answered, a moment after the rung was due.
      expect(at(second.events[0].at)).toBeGreaterThanOrEqual(t0 + 22.5 * MIN);
      expect(at(second.events[0].at)).toBeLessThan(t0 + 23 * MIN);
      expect(second.openTasks).toEqual([expect.objectContaining({ key: key('c0:esc:firstResponse:2:sue'), assigneeId: 'sue', kind: 'complaint_escalation' })]);
      expect(viewOf(second).escalationLevel).toBe(2);

      // 200 % (30 min): the manager, the top of the ladder.
      await sleepUntil(t0 + 29.5 * MIN);
      expect(ledger.events.filter((e) => e.action === 'sla_escalated')).toHaveLength(2);
      await sleepUntil(t0 + 30.5 * MIN);
      const third = await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.to === 'manager'));
      expect(third.events).toEqual([
        expect.objectContaining({ action: 'sla_escalated', data: expect.objectContaining({ at: 2, userId: 'mike', escalationLevel: 3 }) }),
      ]);
      // The ladder came with the owner at open: no step read the directory.
      expect(ladderLookups).toEqual(['sam']);
      expect(escalationLookups).toEqual([]);

      // Nothing more until the resolution clock's own warning at 3 h.
      await sleepUntil(t0 + 2 * HOUR);
      expect(ledger.actions).toEqual(['complaint_opened', 'sla_warning', 'sla_breached', 'sla_escalated', 'sla_escalated', 'sla_escalated']);
      const final = viewOf(ledger.latest);
      expect(final).toMatchObject({ status: 'open', escalationLevel: 3, breached: true });
      expect(final.clocks.firstResponse).toMatchObject({ breachedAt: iso(t0 + 15 * MIN), fired: 4, doneAt: null });
      expect(final.clocks.resolution).toMatchObject({ breachedAt: null, fired: 0 });
      expect(ledger.latest.status).toBe('open');
      expect(viewOf(ledger.latest)).toMatchObject({ breached: true, priority: 'P1', ownerId: 'sam', status: 'open' });
      expect([...ledger.latest.participants].sort()).toEqual(['lena', 'mike', 'sam', 'sue', 'tina']);
      expect(ledger.openTasks.map((t) => [t.assigneeId, t.kind])).toEqual([
        ['sam', 'respond_complaint'],
        ['lena', 'complaint_escalation'],
        ['sue', 'complaint_escalation'],
        ['mike', 'complaint_escalation'],
      ]);

      // The owner finally responds: the first response is done, breached rather than met.
      const responded = await complaint.respond('sam', 'Sorry for the wait, we are refunding the charge');
      const respondedAt = at(responded.firstResponseAt);
      expect(respondedAt).toBeGreaterThanOrEqual(t0 + 2 * HOUR);
      expect(responded).toMatchObject({ status: 'in_progress', escalationLevel: 3, breached: true });
      expect(responded.responses).toEqual([expect.objectContaining({ by: 'sam', kind: 'first_response' })]);
      expect(responded.clocks.firstResponse).toMatchObject({ breachedAt: iso(t0 + 15 * MIN), doneAt: responded.firstResponseAt, since: null });
      expect(responded.clocks.firstResponse.spentMs).toBe(respondedAt - t0);
      expect(responded.clocks.update).toEqual({ budgetMs: HOUR, spentMs: 0, since: responded.firstResponseAt, breachedAt: null, doneAt: null, fired: 0 });
      expect(ledger.event('first_response')).toMatchObject({ actorId: 'sam', fromStatus: 'open', toStatus: 'in_progress', data: expect.objectContaining({ slaMet: false }) });
      expect(ledger.latest.closeTasks.map((t) => [t.key, t.outcome]).sort()).toEqual(
        [
          [key('c0:esc:firstResponse:1:lena'), 'responded'],
          [key('c0:esc:firstResponse:2:sue'), 'responded'],
          [key('c0:esc:firstResponse:3:mike'), 'responded'],
          [key('c0:t0:respond'), 'responded'],
        ].sort(),
      );
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: key('c0:t0:resolve'), assigneeId: 'sam', kind: 'respond_complaint', title: expect.stringMatching(/^Resolve /), dueAt: iso(t0 + 4 * HOUR) }),
      ]);
      // The view the API reads says the same.
      expect(viewOf(ledger.latest)).toEqual(responded);
      expect(await complaint.state()).toEqual(responded);
    }));
  it('pausing stops every clock: nothing fires while the customer is awaited, and the resolution target keeps the time left', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, sleepUntil }) => {
      const complaint = await open();
      const t0 = at(complaint.opened.createdAt);
      await sleepUntil(t0 + 5 * MIN);
      const responded = await complaint.respond('sam', 'We have asked the bank');
      expect(responded.clocks.firstResponse).toMatchObject({ breachedAt: null, doneAt: responded.firstResponseAt });
      expect(ledger.event('first_response')?.data).toMatchObject({ slaMet: true });

      await sleepUntil(t0 + 10 * MIN);
      const paused = await complaint.pause('sam', 'Waiting for the bank statement');
      const pausedAt = at(paused.pauses[0]?.at);
      expect(paused.status).toBe('awaiting_customer');
      expect(paused.pauses).toEqual([{ by: 'sam', reason: 'Waiting for the bank statement', at: iso(pausedAt), resumedAt: null }]);
      expect(paused.clocks.resolution).toEqual({ budgetMs: 4 * HOUR, spentMs: pausedAt - t0, since: null, breachedAt: null, doneAt: null, fired: 0 });
      expect(paused.clocks.update).toMatchObject({ since: null, spentMs: pausedAt - at(responded.firstResponseAt), doneAt: null });
      expect(ledger.event('sla_paused')).toMatchObject({
        actorId: 'sam',
        fromStatus: 'in_progress',
        toStatus: 'awaiting_customer',
        data: { reason: 'Waiting for the bank statement' },
      });

      // Eight hours: twice the resolution target, eight times the update target. Nothing fires.
      const actionsWhilePaused = ledger.actions;
      await sleepUntil(pausedAt + 8 * HOUR);
      expect(ledger.actions).toEqual(actionsWhilePaused);
      const stillPaused = await complaint.state();
      expect(stillPaused.clocks).toEqual(paused.clocks);
      expect(stillPaused).toMatchObject({ status: 'awaiting_customer', breached: false, escalationLevel: 0 });

      const resumed = await complaint.resume('sam');
      const resumedAt = at(resumed.pauses[0]?.resumedAt);
      expect(resumedAt).toBeGreaterThanOrEqual(pausedAt + 8 * HOUR);
      expect(resumed.status).toBe('in_progress');
      expect(resumed.clocks.resolution).toEqual({ ...paused.clocks.resolution, since: iso(resumedAt) });
      expect(resumed.clocks.update).toEqual({ ...paused.clocks.update, since: iso(resumedAt) });
      expect(ledger.event('sla_resumed')).toMatchObject({ actorId: 'sam', fromStatus: 'awaiting_customer', toStatus: 'in_progress' });

      // The update clock (1 h) had 55 min left: it breaches then, with no ladder of its own.
      const updateLeft = HOUR - (paused.clocks.update?.spentMs ?? 0);
      await sleepUntil(resumedAt + updateLeft - MIN);
      expect(ledger.actions).toEqual([...actionsWhilePaused, 'sla_resumed']);
      await sleepUntil(resumedAt + updateLeft + MIN);
      const updateBreach = await ledger.waitForAction('sla_breached');
      expect(updateBreach.events).toEqual([
        expect.objectContaining({ action: 'sla_breached', data: { clock: 'update', priority: 'P1', breachedAt: iso(resumedAt + updateLeft) } }),
      ]);
      expect(updateBreach.notifications).toEqual([expect.objectContaining({ userId: 'sam', kind: 'sla_breached' })]);
      expect(viewOf(updateBreach)).toMatchObject({ breached: true, escalationLevel: 0 });

      // The resolution clock keeps what was spent before the pause: 75 % (3 h) and 100 % (4 h) of RUNNING time.
      const spent = paused.clocks.resolution.spentMs;
      await sleepUntil(resumedAt + 3 * HOUR - spent - MIN);
      expect(ledger.actions).not.toContain('sla_warning');
      await sleepUntil(resumedAt + 3 * HOUR - spent + MIN);
      await ledger.waitForAction('sla_warning');
      expect(ledger.event('sla_warning')?.data).toMatchObject({ clock: 'resolution', userId: 'sam' });
      await sleepUntil(resumedAt + 4 * HOUR - spent - MIN);
      expect(ledger.events.filter((e) => e.action === 'sla_breached' && e.data.clock === 'resolution')).toEqual([]);
      await sleepUntil(resumedAt + 4 * HOUR - spent + MIN);
      const breach = await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_breached' && e.data.clock === 'resolution'));
      expect(breach.events).toEqual([
        expect.objectContaining({ action: 'sla_breached', data: { clock: 'resolution', priority: 'P1', breachedAt: iso(resumedAt + 4 * HOUR - spent) } }),
        expect.objectContaining({ action: 'sla_escalated', data: expect.objectContaining({ clock: 'resolution', userId: 'lena', escalationLevel: 1 }) }),
      ]);
      expect(breach.openTasks).toEqual([expect.objectContaining({ assigneeId: 'lena', kind: 'complaint_escalation', key: `${complaint.caseId}:task:c0:esc:resolution:1:lena` })]);
      expect(viewOf(breach).clocks.resolution).toMatchObject({ spentMs: spent, since: iso(resumedAt), breachedAt: iso(resumedAt + 4 * HOUR - spent) });
    }));

  it('a priority change recomputes the targets from the new policy, keeping the working time spent: past the new budget, the breach fires at once', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, sleepUntil, now }) => {
      // Monday 08:30 in Shanghai, half an hour before the business calendar's working day starts.
      const monday0830 = nextShanghaiMonday(await now(), 8, 30);
      const monday0900 = monday0830 + 30 * MIN;
      await sleepUntil(monday0830);
      const complaint = await open({ intake: complaintIntake({ severity: 'medium', customer: { id: 'C-2002', name: 'Globex', tier: 'B' } }) });
      const opened = complaint.opened;
      expect(at(opened.createdAt)).toBeLessThan(monday0830 + MIN);
      expect(opened).toMatchObject({ priority: 'P3', calendar: 'business', calendarSpec: DEFAULT_SLA_POLICIES.calendars.business });
      expect(opened.clocks.firstResponse.budgetMs).toBe(4 * HOUR);
      expect(opened.clocks.resolution.budgetMs).toBe(40 * HOUR);
      // Four working hours from 08:30: 09:00-12:00, lunch, 13:00-14:00.
      expect(ledger.openTasks).toEqual([expect.objectContaining({ assigneeId: 'sam', dueAt: iso(monday0900 + 5 * HOUR) })]);

      // 09:20: twenty working minutes spent (the half hour before 09:00 does not count), far from P3's targets.
      await sleepUntil(monday0900 + 20 * MIN);
      expect(ledger.actions).toEqual(['complaint_opened']);
      await complaint.changePriority('lena', 'critical', 'The customer cannot trade');
      // The view committed with the change (the Update's own answer may already include the breach below).
      const changeCommit = await ledger.waitForAction('priority_changed');
      const changed = viewOf(changeCommit);
      const changedAt = at(changed.priorityChanges[0]?.at);
      const spent = changedAt - monday0900;
      expect(spent).toBeGreaterThanOrEqual(20 * MIN);
      expect(spent).toBeLessThan(21 * MIN);
      expect(changed).toMatchObject({ severity: 'critical', priority: 'P1', calendar: 'always', calendarSpec: { type: '24x7' }, status: 'open' });
      expect(changed.priorityChanges).toEqual([
        { from: 'P3', to: 'P1', severity: 'critical', by: 'lena', reason: 'The customer cannot trade', at: iso(changedAt) },
      ]);
      // Targets from P1, time spent kept (counted on the business calendar up to now, 24x7 from now on).
      expect(changed.clocks.firstResponse).toEqual({ budgetMs: 15 * MIN, spentMs: spent, since: iso(changedAt), breachedAt: null, doneAt: null, fired: 0 });
      expect(changed.clocks.resolution).toEqual({ budgetMs: 4 * HOUR, spentMs: spent, since: iso(changedAt), breachedAt: null, doneAt: null, fired: 0 });
      expect(ledger.event('priority_changed')).toMatchObject({
        actorId: 'lena',
        fromStatus: 'open',
        toStatus: 'open',
        data: { from: 'P3', to: 'P1', severity: 'critical', reason: 'The customer cannot trade' },
      });
      // (The breach's own commit may follow at once: look at the change's commit, not the latest.)
      expect(changeCommit.notifications).toEqual([expect.objectContaining({ userId: 'sam', kind: 'priority_changed' })]);

      // 20 min spent > 15 min: breached on the next timer, as of the change; the warning and the team lead with it.
      await sleepUntil(changedAt + 1000);
      const breach = await ledger.waitForAction('sla_breached');
      expect(breach.events.map((e) => [e.action, e.data.clock, e.data.to ?? null])).toEqual([
        ['sla_breached', 'firstResponse', null],
        ['sla_warning', 'firstResponse', 'owner'],
        ['sla_escalated', 'firstResponse', 'team_lead'],
      ]);
      expect(breach.events[0]?.data).toEqual({ clock: 'firstResponse', priority: 'P1', breachedAt: iso(changedAt) });
      expect(viewOf(breach)).toMatchObject({ breached: true, escalationLevel: 1 });

      // The rest of the ladder on the 24x7 calendar: 150 % at 22.5 min spent, 200 % at 30 min.
      await sleepUntil(changedAt + 22.5 * MIN - spent - 10_000);
      expect(ledger.events.filter((e) => e.action === 'sla_escalated')).toHaveLength(1);
      await sleepUntil(changedAt + 22.5 * MIN - spent + 10_000);
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.userId === 'sue'));
      await sleepUntil(changedAt + 30 * MIN - spent - 10_000);
      expect(ledger.events.filter((e) => e.action === 'sla_escalated')).toHaveLength(2);
      await sleepUntil(changedAt + 30 * MIN - spent + 10_000);
      const top = await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.userId === 'mike'));
      expect(viewOf(top)).toMatchObject({ escalationLevel: 3, priority: 'P1' });
      expect(viewOf(top).clocks.resolution).toMatchObject({ breachedAt: null, fired: 0 });
    }));

  it('refuses actions by the wrong person or at the wrong time, leaving no trace', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open }) => {
      const complaint = await open();
      const commitsBefore = ledger.commits.length;

      expect(await refusal(complaint.respond('tina'))).toMatchObject({ type: 'StewardForbidden', message: expect.stringMatching(/only the owner \(sam\)/) });
      expect(await refusal(complaint.respond('lena'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.resolve('tina'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.pause('tina'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.transfer('tina', 'tina'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.transfer('lena', 'sam'))).toMatchObject({ type: 'StewardInvalid', message: expect.stringMatching(/already owns/) });
      // Before the first response there is nothing to pause, resume or give feedback on.
      expect(await refusal(complaint.pause('sam'))).toMatchObject({ type: 'StewardConflict', message: expect.stringMatching(/while the complaint is open/) });
      expect(await refusal(complaint.resume('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.feedback('sam', true))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.decideCompensation('sue', 'approve'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.decideCompensation('sam', 'approve'))).toMatchObject({ type: 'StewardForbidden' });

      // Refused updates leave no trace: nothing committed, nothing in the history.
      expect(ledger.commits).toHaveLength(commitsBefore);
      const { events } = await complaint.handle.fetchHistory();
      const accepted = (events ?? []).flatMap((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? []);
      expect(accepted).toEqual(['complaint.opened']);

      expect((await complaint.respond('sam')).status).toBe('in_progress');
      expect(await refusal(complaint.resume('sam'))).toMatchObject({ type: 'StewardConflict', message: expect.stringMatching(/in_progress/) });
      expect(await refusal(complaint.feedback('sam', false))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.pause('tina'))).toMatchObject({ type: 'StewardForbidden' });
      // A team lead may pause anyone's complaint; paused, it can be neither paused again nor resolved.
      expect((await complaint.pause('lena')).status).toBe('awaiting_customer');
      expect(await refusal(complaint.pause('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.resolve('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect((await complaint.resume('sam')).status).toBe('in_progress');

      expect((await complaint.resolve('sam')).status).toBe('resolved');
      expect(await refusal(complaint.feedback('alice', true))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.respond('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect((await complaint.feedback('tina', true, 'Thanks')).status).toBe('closed');
      expect((await complaint.result()).status).toBe('closed');
      // A closed complaint's workflow has completed: there is nothing left to send an Update to.
      await expect(complaint.feedback('sam', false)).rejects.toThrow(WorkflowNotFoundError);
    }));
  it('reopens on unsatisfied feedback with fresh resolution and update clocks, and closes on satisfied feedback', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, sleepUntil }) => {
      const complaint = await open();
      const t0 = at(complaint.opened.createdAt);
      const key = (k: string) => `${complaint.caseId}:task:${k}`;
      await complaint.respond('sam');
      await sleepUntil(t0 + HOUR - MIN);
      await complaint.respond('sam', 'The refund is on its way');

      await sleepUntil(t0 + 90 * MIN);
      const resolved = await complaint.resolve('sam', null, 'Refunded the duplicate charge');
      const resolvedAt = at(resolved.resolvedAt);
      expect(resolved).toMatchObject({ status: 'resolved', resolution: expect.objectContaining({ by: 'sam', compensation: null }) });
      expect(resolved.clocks.resolution).toMatchObject({ doneAt: iso(resolvedAt), breachedAt: null, spentMs: resolvedAt - t0 });
      expect(resolved.clocks.update).toMatchObject({ doneAt: iso(resolvedAt), breachedAt: null });
      expect(ledger.event('complaint_resolved')).toMatchObject({ actorId: 'sam', fromStatus: 'in_progress', toStatus: 'resolved' });
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: key('c0:t0:resolve'), outcome: 'resolved' }));
      expect(ledger.openTasks).toEqual([expect.objectContaining({ key: key('c0:feedback'), assigneeId: 'sam', kind: 'collect_feedback' })]);

      // Resolved clocks do not run: nothing fires past the original resolution target.
      await sleepUntil(t0 + 5 * HOUR);
      expect(ledger.actions).not.toContain('sla_warning');

      const reopened = await complaint.feedback('sam', false, 'Still charged twice');
      const reopenedAt = at(reopened.feedback[0]?.at);
      expect(reopened).toMatchObject({ status: 'in_progress', reopenCount: 1, resolution: null, resolvedAt: null, closedAt: null });
      expect(reopened.feedback).toEqual([{ satisfied: false, comment: 'Still charged twice', by: 'sam', at: iso(reopenedAt) }]);
      expect(reopened.clocks.resolution).toEqual({ budgetMs: 4 * HOUR, spentMs: 0, since: iso(reopenedAt), breachedAt: null, doneAt: null, fired: 0 });
      expect(reopened.clocks.update).toEqual({ budgetMs: HOUR, spentMs: 0, since: iso(reopenedAt), breachedAt: null, doneAt: null, fired: 0 });
      // The first response stays as it was.
      expect(reopened.clocks.firstResponse).toEqual(resolved.clocks.firstResponse);
      expect(ledger.event('complaint_reopened')).toMatchObject({
        actorId: 'sam',
        fromStatus: 'resolved',
        toStatus: 'in_progress',
        data: { comment: 'Still charged twice', reopenCount: 1 },
      });
      expect(ledger.closedTasks).toContainEqual(expect.objectContaining({ key: key('c0:feedback'), outcome: 'unsatisfied' }));
      expect(ledger.openTasks).toEqual([
        expect.objectContaining({ key: key('c1:t0:resolve'), assigneeId: 'sam', title: expect.stringMatching(/^Resolve /), dueAt: iso(reopenedAt + 4 * HOUR) }),
      ]);
      expect(ledger.latest.notifications).toEqual([expect.objectContaining({ userId: 'sam', kind: 'complaint_reopened' })]);

      // The fresh clocks run: the update is overdue an hour after reopening, the resolution warning comes at 3 h.
      await sleepUntil(reopenedAt + HOUR + MIN);
      const overdue = await ledger.waitForAction('sla_breached');
      expect(overdue.events[0]?.data).toEqual({ clock: 'update', priority: 'P1', breachedAt: iso(reopenedAt + HOUR) });
      await sleepUntil(reopenedAt + 3 * HOUR + MIN);
      expect((await ledger.waitForAction('sla_warning')).events[0]?.data).toMatchObject({ clock: 'resolution', userId: 'sam' });

      const resolvedAgain = await complaint.resolve('sam', null, 'Refund confirmed by the bank');
      expect(resolvedAgain).toMatchObject({ status: 'resolved', reopenCount: 1 });
      expect(resolvedAgain.clocks.resolution).toMatchObject({ breachedAt: null, doneAt: resolvedAgain.resolvedAt });
      expect(ledger.openTasks).toEqual([expect.objectContaining({ key: key('c1:feedback'), kind: 'collect_feedback' })]);

      const closed = await complaint.feedback('tina', true, 'All good now');
      expect(closed).toMatchObject({ status: 'closed', reopenCount: 1 });
      expect(closed.closedAt).not.toBeNull();
      expect(closed.feedback.map((f) => f.satisfied)).toEqual([false, true]);
      expect(ledger.event('complaint_closed')).toMatchObject({ actorId: 'tina', fromStatus: 'resolved', toStatus: 'closed', data: { comment: 'All good now' } });
      expect(ledger.openTasks).toEqual([]);

      const result = await complaint.result();
      expect(result).toMatchObject({ status: 'closed', reopenCount: 1 });
      expect((await complaint.handle.describe()).status.name).toBe('COMPLETED');
      expect(ledger.latest.status).toBe('closed');
      expect(ledger.actions).toEqual([
        'complaint_opened',
        'first_response',
        'customer_update',
        'complaint_resolved',
        'complaint_reopened',
        'sla_breached',
        'sla_warning',
        'complaint_resolved',
        'complaint_closed',
      ]);
    }));

  it('compensation above the threshold waits for a supervisor: not the owner (segregation of duties), sue approves', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, approverLookups, managerLookups, supervisorLookups, sleepUntil }) => {
      const complaint = await open();
      const key = (k: string) => `${complaint.caseId}:task:${k}`;
      await complaint.respond('sam');

      const pending = await complaint.resolve('sam', { amount: 5000, currency: 'CNY' }, 'Refund plus goodwill credit');
      const requestedAt = at(pending.resolution?.at);
      expect(pending).toMatchObject({
        status: 'pending_compensation_approval',
        resolvedAt: null,
        resolution: { summary: 'Refund plus goodwill credit', by: 'sam', compensation: { amount: 5000, currency: 'CNY', status: 'pending' } },
      });
      // Still running: the resolution is not done until the compensation is decided.
      expect(pending.clocks.resolution).toMatchObject({ doneAt: null, since: pending.createdAt });
      expect(approverLookups).toEqual([['sam', 'sam']]);
      expect(ledger.event('compensation_requested')).toMatchObject({
        actorId: 'sam',
        fromStatus: 'in_progress',
        toStatus: 'pending_compensation_approval',
        data: expect.objectContaining({ compensation: { amount: 5000, currency: 'CNY' }, threshold: 1000 }),
      });
      expect(ledger.event('approval_level_started')).toMatchObject({ data: expect.objectContaining({ level: 'supervisor', approvers: ['sue'], round: 1 }) });
      expect(ledger.openTasks.map((t) => [t.key, t.assigneeId, t.kind])).toEqual([
        [key('c0:t0:resolve'), 'sam', 'respond_complaint'],
        [key('r1:l0:approve_compensation:sue'), 'sue', 'approve_compensation'],
      ]);
      expect(ledger.latest.notifications).toEqual([expect.objectContaining({ userId: 'sue', kind: 'approval_requested' })]);
      expect(ledger.latest.participants).toContain('sue');

      const commitsBefore = ledger.commits.length;
      expect(await refusal(complaint.decideCompensation('sam', 'approve'))).toMatchObject({
        type: 'StewardForbidden',
        message: expect.stringMatching(/segregation of duties/),
      });
      expect(await refusal(complaint.decideCompensation('tina', 'approve'))).toMatchObject({ type: 'StewardForbidden', message: expect.stringMatching(/not an approver/) });
      expect(await refusal(complaint.decideCompensation('lena', 'approve'))).toMatchObject({ type: 'StewardForbidden' });
      expect(await refusal(complaint.resolve('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect(await refusal(complaint.pause('sam'))).toMatchObject({ type: 'StewardConflict' });
      expect(ledger.commits).toHaveLength(commitsBefore);

      // The approval block's timers run as for change requests: a reminder at 1 h, the escalation at 2 h.
      await sleepUntil(requestedAt + HOUR + MIN);
      // The update clock, started by the same resolution, may breach in the same step: look at reminders only.
      const reminded = await ledger.waitForAction('approval_reminder_sent');
      expect(reminded.notifications.filter((n) => n.kind === 'approval_reminder')).toEqual([expect.objectContaining({ userId: 'sue', kind: 'approval_reminder' })]);
      await sleepUntil(requestedAt + 2 * HOUR + MIN);
      // The escalation looks for a supervisor above sue: her manager mike is none, so nobody joins (mike gets
      // no task and may not decide).
      const escalated = await ledger.waitForAction('approval_escalated');
      expect(supervisorLookups).toEqual([['sue']]);
      expect(managerLookups).toEqual([]);
      expect(escalated.events.find((e) => e.action === 'approval_escalated')?.data).toMatchObject({ level: 'supervisor', escalations: [] });
      expect(escalated.openTasks).toEqual([]);
      expect(await refusal(complaint.decideCompensation('mike', 'approve'))).toMatchObject({ type: 'StewardForbidden' });

      const approved = await complaint.decideCompensation('sue', 'approve', 'Goodwill is justified');
      const approvedAt = at(approved.resolvedAt);
      expect(approved).toMatchObject({ status: 'resolved', resolution: { compensation: { amount: 5000, currency: 'CNY', status: 'approved' } } });
      expect(approved.compensationApproval).toEqual([
        expect.objectContaining({
          name: 'supervisor',
          status: 'approved',
          approvers: ['sue'],
          decisions: [expect.objectContaining({ approverId: 'sue', decision: 'approve', comment: 'Goodwill is justified' })],
        }),
      ]);
      expect(approved.clocks.resolution).toMatchObject({ doneAt: iso(approvedAt), breachedAt: null });
      expect(ledger.actions.slice(-3)).toEqual(['approval_decision', 'approval_level_decided', 'compensation_approved']);
      expect(ledger.event('compensation_approved')).toMatchObject({ actorId: 'sue', fromStatus: 'pending_compensation_approval', toStatus: 'resolved' });
      expect(ledger.closedTasks.map((t) => [t.key, t.outcome])).toEqual(
        expect.arrayContaining([
          [key('r1:l0:approve_compensation:sue'), 'approve'],
          [key('c0:t0:resolve'), 'resolved'],
        ]),
      );
      expect(ledger.openTasks).toEqual([expect.objectContaining({ key: key('c0:feedback'), assigneeId: 'sam' })]);
      expect(await refusal(complaint.decideCompensation('sue', 'approve'))).toMatchObject({ type: 'StewardConflict' });
    }));

  it('after a reopen, a second payout at the threshold needs approval: the threshold applies to the complaint\'s cumulative compensation', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, approverLookups }) => {
      const complaint = await open();
      await complaint.respond('sam');
      // At the threshold (1000), alone: no approval needed.
      const first = await complaint.resolve('sam', { amount: 1000, currency: 'CNY' });
      expect(first).toMatchObject({ status: 'resolved', resolution: { compensation: { amount: 1000, status: 'not_required' } } });
      expect(approverLookups).toEqual([]);
      const reopened = await complaint.feedback('sam', false, 'Still charged twice');
      expect(reopened).toMatchObject({ status: 'in_progress', reopenCount: 1, pastCompensation: [{ amount: 1000, currency: 'CNY', status: 'not_required' }] });

      // The same amount again: 2000 in all, above the threshold.
      const second = await complaint.resolve('sam', { amount: 1000, currency: 'CNY' });
      expect(second).toMatchObject({ status: 'pending_compensation_approval', resolution: { compensation: { amount: 1000, status: 'pending' } } });
      expect(ledger.event('compensation_requested')).toMatchObject({
        data: expect.objectContaining({ threshold: 1000, compensation: { amount: 1000, currency: 'CNY' }, earlierCompensation: [{ amount: 1000, currency: 'CNY' }] }),
      });
      expect(ledger.openTasks.map((t) => [t.assigneeId, t.kind])).toContainEqual(['sue', 'approve_compensation']);
      const approved = await complaint.decideCompensation('sue', 'approve', 'Both refunds are due');
      expect(approved).toMatchObject({ status: 'resolved', resolution: { compensation: { status: 'approved' } } });

      // Approved ones count too: after another reopen even 1 CNY needs approval; no compensation resolves at once.
      await complaint.feedback('sam', false, 'Now the card is blocked');
      expect((await complaint.state()).pastCompensation?.map((p) => [p.amount, p.status])).toEqual([
        [1000, 'not_required'],
        [1000, 'approved'],
      ]);
      expect((await complaint.resolve('sam', { amount: 1, currency: 'CNY' })).status).toBe('pending_compensation_approval');
      await complaint.decideCompensation('sue', 'reject', 'Not for a blocked card');
      expect((await complaint.resolve('sam')).status).toBe('resolved');
    }));

  it('a rejected compensation sends the complaint back in progress; one below the threshold resolves at once', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, approverLookups }) => {
      const complaint = await open();
      const key = (k: string) => `${complaint.caseId}:task:${k}`;
      await complaint.respond('sam');
      await complaint.resolve('sam', { amount: 5000, currency: 'CNY' });

      const rejected = await complaint.decideCompensation('sue', 'reject', 'Too generous for a duplicate charge');
      expect(rejected).toMatchObject({
        status: 'in_progress',
        resolvedAt: null,
        resolution: { compensation: { amount: 5000, currency: 'CNY', status: 'rejected' } },
      });
      expect(rejected.compensationApproval).toEqual([
        expect.objectContaining({ status: 'rejected', decisions: [expect.objectContaining({ approverId: 'sue', decision: 'reject', comment: 'Too generous for a duplicate charge' })] }),
      ]);
      expect(rejected.clocks.resolution).toMatchObject({ doneAt: null });
      expect(ledger.event('compensation_rejected')).toMatchObject({
        actorId: 'sue',
        fromStatus: 'pending_compensation_approval',
        toStatus: 'in_progress',
        data: expect.objectContaining({ comment: 'Too generous for a duplicate charge' }),
      });
      expect(ledger.latest.notifications).toEqual([
        expect.objectContaining({ userId: 'sam', kind: 'compensation_rejected', message: expect.stringContaining('Too generous') }),
      ]);
      expect(ledger.openTasks.map((t) => [t.key, t.assigneeId])).toEqual([[key('c0:t0:resolve'), 'sam']]);

      // 500 is below the threshold of 1000: no approval, resolved at once.
      const resolved = await complaint.resolve('sam', { amount: 500, currency: 'CNY' }, 'Refund plus a smaller credit');
      expect(resolved).toMatchObject({
        status: 'resolved',
        resolution: { summary: 'Refund plus a smaller credit', compensation: { amount: 500, currency: 'CNY', status: 'not_required' } },
      });
      expect(resolved.compensationApproval).toHaveLength(1);
      expect(approverLookups).toEqual([['sam', 'sam']]);
      expect(ledger.event('complaint_resolved')).toMatchObject({ data: expect.objectContaining({ compensation: { amount: 500, currency: 'CNY' } }) });
      expect(ledger.openTasks).toEqual([expect.objectContaining({ key: key('c0:feedback') })]);
      expect(ledger.actions).toEqual([
        'complaint_opened',
        'first_response',
        'compensation_requested',
        'approval_level_started',
        'approval_decision',
        'approval_level_decided',
        'compensation_rejected',
        'complaint_resolved',
      ]);
    }));
  it('continues as new past the history limit, carrying state, recorder versions, open tasks and a pending approval', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, sleepUntil, now }) => {
      const complaint = await open({ historyLimit: 40 });
      const t0 = at(complaint.opened.createdAt);
      const workflowId = complaint.handle.workflowId;
      const runs = [complaint.firstRunId];
      /** After each step: a new run starts from exactly the state its predecessor ended with, and all of it is committed. */
      const checkRuns = async () => {
        const runId = await complaint.runId();
        if (runId !== runs.at(-1)) {
          const ended = await env.client.workflow.getHandle(workflowId, runs.at(-1)).query(complaintStateQuery);
          expect(await complaint.state()).toEqual(ended);
          runs.push(runId);
        }
        expect(viewOf(ledger.latest)).toEqual(await complaint.state());
      };

      await sleepUntil(t0 + 16 * MIN);
      await ledger.waitForAction('sla_escalated');
      await checkRuns();
      expect(await complaint.respond('sam', 'Sorry for the wait')).toMatchObject({ status: 'in_progress', escalationLevel: 1 });
      await checkRuns();
      for (const reason of ['Waiting for the statement', 'Waiting for the card number', 'Waiting for the signed form']) {
        await complaint.pause('sam', reason);
        await checkRuns();
        await sleepUntil((await now()) + 10 * MIN);
        await complaint.resume('sam');
        await checkRuns();
      }
      await complaint.respond('sam', 'The refund is approved on our side');
      await checkRuns();
      expect(await complaint.resolve('sam', { amount: 5000, currency: 'CNY' })).toMatchObject({ status: 'pending_compensation_approval' });
      await checkRuns();
      await sleepUntil((await now()) + HOUR + MIN);
      await ledger.waitForAction('approval_reminder_sent');
      await checkRuns();
      const approved = await complaint.decideCompensation('sue', 'approve', 'Fine');
      expect(approved).toMatchObject({ status: 'resolved', resolution: { compensation: { status: 'approved' } } });
      await checkRuns();

      // Several runs, the first ended by continue-as-new.
      expect(runs.length).toBeGreaterThanOrEqual(3);
      const firstHistory = await env.client.workflow.getHandle(workflowId, complaint.firstRunId).fetchHistory();
      expect(firstHistory.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId).toBe(runs[1]);
      // Each run committed in turn, and the recorder's versions and keys carried on across runs.
      const commitRuns = ledger.commits.map((c) => c.runId).filter((r, i, all) => r !== all[i - 1]);
      expect(commitRuns).toEqual(runs);
      const counters = [...ledger.events.map((e) => e.key), ...ledger.notifications.map((n) => n.key)].map((k) => Number(k.split(':').at(-1)));
      expect(new Set(counters).size).toBe(counters.length);
      expect(ledger.events.map((e) => Number(e.key.split(':').at(-1)))).toEqual([...counters.slice(0, ledger.events.length)].sort((a, b) => a - b));
      // Tasks opened by one run were closed by a later one: the owner's resolve task, sue's approval.
      const openedIn = (key: string) => ledger.commits.find((c) => c.openTasks.some((t) => t.key === key))?.runId;
      const closedIn = (key: string) => ledger.commits.find((c) => c.closeTasks.some((t) => t.key === key))?.runId;
      for (const task of ['c0:t0:resolve', 'r1:l0:approve_compensation:sue']) {
        const key = `${complaint.caseId}:task:${task}`;
        expect(runs.indexOf(closedIn(key) ?? '')).toBeGreaterThan(runs.indexOf(openedIn(key) ?? ''));
      }

      // Nothing was lost on the way: responses, pauses, clocks, escalation.
      const paused = approved.pauses.reduce((sum, p) => sum + at(p.resumedAt) - at(p.at), 0);
      expect(approved.pauses.map((p) => p.reason)).toEqual(['Waiting for the statement', 'Waiting for the card number', 'Waiting for the signed form']);
      expect(paused).toBeGreaterThanOrEqual(30 * MIN);
      expect(approved.responses.map((r) => r.kind)).toEqual(['first_response', 'update']);
      expect(approved).toMatchObject({ escalationLevel: 1, breached: true });
      expect(approved.clocks.firstResponse).toMatchObject({ breachedAt: iso(t0 + 15 * MIN), fired: 2 });
      expect(approved.clocks.resolution).toMatchObject({ doneAt: approved.resolvedAt, breachedAt: null, spentMs: at(approved.resolvedAt) - t0 - paused });

      // And the complaint carries on to its end.
      const closed = await complaint.feedback('sam', true, 'Thanks');
      expect(closed.status).toBe('closed');
      expect(await complaint.result()).toEqual(closed);
      expect(ledger.openTasks).toEqual([]);
    }));

  it('continue-as-new waits for an Update still in flight instead of abandoning it', async () => {
    // The history length of a freshly opened complaint: with that limit, the next wake-up continues as new.
    const idle = await withCaseWorker(env, workflowBundle, async ({ open }) => (await (await open()).handle.fetchHistory()).events?.length ?? 0);
    let release!: () => void;
    const directoryAnswers = new Promise<void>((resolve) => (release = resolve));
    await withCaseWorker(
      env,
      workflowBundle,
      async ({ ledger, open, approverLookups }) => {
        const complaint = await open({ historyLimit: idle });
        // However this ends, the held-back activity is let go, so the worker can shut down.
        try {
          // The resolution reads the directory first (held back here) ...
          const resolving = complaint.resolve('sam', { amount: 5000, currency: 'CNY' });
          resolving.catch(() => undefined); // awaited below; a failure before that must not go unhandled
          await until(() => approverLookups.length === 1);
          // ... while the first response wakes the main loop, which is now past the history limit.
          expect(await complaint.respond('sam')).toMatchObject({ status: 'in_progress' });
          expect(await complaint.runId()).toBe(complaint.firstRunId);
          release();
          const pending = await resolving;
          expect(pending).toMatchObject({ status: 'pending_compensation_approval', resolution: { compensation: { status: 'pending' } } });
          await until(async () => (await complaint.runId()) !== complaint.firstRunId);
          expect(await complaint.state()).toEqual(pending);
          expect(viewOf(ledger.latest)).toEqual(pending);
          expect(ledger.actions).toEqual(['complaint_opened', 'first_response', 'compensation_requested', 'approval_level_started']);
          expect((await complaint.decideCompensation('sue', 'approve')).status).toBe('resolved');
        } finally {
          release();
        }
      },
      {
        activities: (fakes) => ({
          async compensationApprovers(excluded) {
            fakes.approverLookups.push(excluded);
            await directoryAnswers;
            return SUPERVISORS.filter((id) => !excluded.includes(id));
          },
        }),
      },
    );
  });
  it('a transfer is checked again once the new owner\'s ladder is read: a transfer to the same agent accepted meanwhile wins', async () => {
    let release!: () => void;
    const directoryAnswers = new Promise<void>((resolve) => (release = resolve));
    await withCaseWorker(
      env,
      workflowBundle,
      async ({ ledger, open, ladderLookups }) => {
        const complaint = await open();
        try {
          // Both transfers to tina are accepted and wait for her ladder (held back here).
          const first = complaint.transfer('lena', 'tina', 'Sam is at lunch');
          const second = complaint.transfer('sam', 'tina', 'Tina knows the customer');
          await until(() => ladderLookups.length === 3);
          release();
          const outcomes = await Promise.allSettled([first, second]);
          expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
          const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(refused).toBeDefined();
          // Which refusal depends on whether the winner had committed when the loser was checked: tina already
          // owns it (checked again after the look-up), or sam no longer owns it (checked on arrival).
          expect([
            { type: 'StewardInvalid', already: true },
            { type: 'StewardForbidden', already: false },
          ]).toContainEqual(await refusal(Promise.reject(refused!.reason)).then((r) => ({ type: r.type, already: /already owns/.test(r.message) })));
          expect(ledger.actions.filter((a) => a === 'complaint_transferred')).toHaveLength(1);
          const state = await complaint.state();
          expect(state).toMatchObject({ ownerId: 'tina', transfers: [expect.objectContaining({ from: 'sam', to: 'tina' })] });
          expect(viewOf(ledger.latest)).toEqual(state);
        } finally {
          release();
        }
      },
      {
        activities: (fakes) => ({
          async escalationTargets(ownerId) {
            fakes.ladderLookups.push(ownerId);
            await directoryAnswers;
            return { ...ESCALATION_TARGETS };
          },
        }),
      },
    );
  });

  it('transfers hand the owner\'s task over, also back to an earlier owner, and the ladder follows the new owner', () =>
    withCaseWorker(env, workflowBundle, async ({ ledger, open, escalationLookups, ladderLookups, sleepUntil }) => {
      const complaint = await open();
      const t0 = at(complaint.opened.createdAt);
      const key = (k: string) => `${complaint.caseId}:task:${k}`;
      const toTina = await complaint.transfer('lena', 'tina', 'Sam is at lunch');
      expect(toTina).toMatchObject({ ownerId: 'tina', transfers: [expect.objectContaining({ from: 'sam', to: 'tina', by: 'lena' })] });
      expect(ledger.event('complaint_transferred')).toMatchObject({ actorId: 'lena', data: { from: 'sam', to: 'tina', reason: 'Sam is at lunch' } });
      expect(ledger.latest.notifications.map((n) => [n.userId, n.kind])).toEqual([
        ['tina', 'complaint_assigned'],
        ['sam', 'complaint_transferred'],
      ]);
      expect(ledger.openTasks.map((t) => [t.key, t.assigneeId])).toEqual([[key('c0:t1:respond'), 'tina']]);
      expect(await refusal(complaint.respond('sam'))).toMatchObject({ type: 'StewardForbidden' });

      // The warning goes to the owner of the moment.
      await sleepUntil(t0 + 12 * MIN);
      expect((await ledger.waitForAction('sla_warning')).notifications).toEqual([expect.objectContaining({ userId: 'tina', kind: 'sla_warning' })]);
      expect((await complaint.respond('tina')).status).toBe('in_progress');
      const back = await complaint.transfer('tina', 'sam', 'Back from lunch');
      expect(back.ownerId).toBe('sam');
      expect(ledger.closedTasks.map((t) => [t.key, t.outcome])).toEqual([
        [key('c0:t0:respond'), 'transferred'],
        [key('c0:t1:respond'), 'responded'],
        [key('c0:t1:resolve'), 'transferred'],
      ]);
      expect(ledger.openTasks.map((t) => [t.key, t.assigneeId])).toEqual([[key('c0:t2:resolve'), 'sam']]);

      // The resolution breach at 4 h is escalated above sam, who owns it now.
      await sleepUntil(t0 + 4 * HOUR + MIN);
      const escalated = await ledger.waitForAction('sla_escalated');
      expect(escalated.events.find((e) => e.action === 'sla_escalated')).toMatchObject({ data: expect.objectContaining({ userId: ESCALATION_TARGETS.team_lead }) });
      // Each owner's ladder was read when they got the complaint; the step itself read nothing.
      expect(ladderLookups).toEqual(['sam', 'tina', 'sam']);
      expect(escalationLookups).toEqual([]);
      expect((await complaint.resolve('sam')).status).toBe('resolved');
      expect(ledger.openTasks.map((t) => [t.key, t.assigneeId])).toEqual([[key('c0:feedback'), 'sam']]);
    }));
  it('a resolution that waited for the directory is checked again: a pause accepted meanwhile wins', async () => {
    let release!: () => void;
    const directoryAnswers = new Promise<void>((resolve) => (release = resolve));
    await withCaseWorker(
      env,
      workflowBundle,
      async ({ ledger, open, approverLookups }) => {
        const complaint = await open();
        try {
          await complaint.respond('sam');
          const resolving = complaint.resolve('sam', { amount: 5000, currency: 'CNY' });
          resolving.catch(() => undefined); // awaited below; a failure before that must not go unhandled
          await until(() => approverLookups.length === 1);
          const paused = await complaint.pause('lena', 'The customer is sending the receipts');
          expect(paused.status).toBe('awaiting_customer');
          release();
          expect(await refusal(resolving)).toMatchObject({ type: 'StewardConflict', message: expect.stringMatching(/awaiting_customer/) });

          // Nothing of the refused resolution remains: still paused, no approval asked for.
          const state = await complaint.state();
          expect(state).toMatchObject({ status: 'awaiting_customer', resolution: null, compensationApproval: [] });
          expect(state.clocks.resolution.since).toBeNull();
          expect(ledger.actions).toEqual(['complaint_opened', 'first_response', 'sla_paused']);
          expect(ledger.openTasks.map((t) => t.kind)).toEqual(['respond_complaint']);
          expect(viewOf(ledger.latest)).toEqual(state);

          const resumed = await complaint.resume('sam');
          expect(resumed.clocks.resolution.since).not.toBeNull();
          expect(await complaint.resolve('sam', { amount: 5000, currency: 'CNY' })).toMatchObject({ status: 'pending_compensation_approval' });
        } finally {
          release();
        }
      },
      {
        activities: (fakes) => ({
          async compensationApprovers(excluded) {
            fakes.approverLookups.push(excluded);
            await directoryAnswers;
            return SUPERVISORS.filter((id) => !excluded.includes(id));
          },
        }),
      },
    );
  });
});
