/**
 * Records the workflow histories that histories.spec.ts replays. Run it when a workflow change is intended
 * (and versioned, or safe for running workflows):
 *
 *   RECORD_HISTORIES=1 npx jest test/workflows/histories.spec.ts
 *
 * or only some of them, by file-name prefix (the others stay byte-identical), e.g.
 *
 *   RECORD_HISTORIES=complaint npx jest test/workflows/histories.spec.ts
 *
 * Each scenario runs on the time-skipping test server with the fake activities, and its history is saved,
 * pretty-printed, in Temporal's JSON history format (as `temporal workflow show --output json` writes it), so
 * a history downloaded from a real cluster can be dropped into the same folder.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { historyToJSON as historyToJson } from '@temporalio/common/lib/proto-utils';
import { approvalRequestWorker, purchase, submitRequest } from './approval-request.fixtures';
import { CaseTestContext, CaseWorkerOptions, complaintIntake, createTestEnvironment, DAY, HOUR, submission, teardownEnvironment, withCaseWorker } from './harness';
import { crisisActivities, declareCrisis } from './crisis.fixtures';
import { activePip, fakePipActivities, pipDraft, startPip, withPipActivities } from './pip.fixtures';

export const HISTORIES_DIR = join(__dirname, 'histories');

interface Scenario {
  /** The file name without .json: <workflow>-<scenario>. */
  name: string;
  /** Drives one case and returns its handle once the interesting part has happened. */
  run(ctx: CaseTestContext): Promise<WorkflowHandle>;
  /** A case type's own fake activities, added to the harness's (see withCaseWorker). */
  activities?: CaseWorkerOptions['activities'];
}

const MIN = 60_000;

const scenarios: Scenario[] = [
  {
    // Reminder, manager approval, the window timer, implementation, verification: closed.
    name: 'change-request-lifecycle',
    async run({ env, ledger, submit, now }) {
      const cr = await submit(submission((await now()) + DAY));
      await env.sleep('61 minutes');
      await ledger.waitForAction('approval_reminder_sent');
      await cr.decide('bob', 'approve', 'Fine by me');
      await env.sleep('1 day');
      await ledger.waitForAction('change_window_opened');
      await cr.implementation('ivan', 'started');
      await cr.implementation('ivan', 'completed', 'done');
      await cr.verify('alice', 'verified');
      await expectStatus(cr.result(), 'closed');
      return cr.handle;
    },
  },
  {
    // Reminder, escalation to bob's manager (managersOf), sue approves: left waiting for its window, as a
    // running workflow would be when new code is deployed.
    name: 'change-request-escalation',
    async run({ env, ledger, submit, now }) {
      const cr = await submit(submission((await now()) + DAY));
      await env.sleep('121 minutes');
      await ledger.waitForAction('approval_escalated');
      await expectStatus(cr.decide('sue', 'approve', 'Approving for bob'), 'scheduled');
      return cr.handle;
    },
  },
  {
    // Changes requested, a revision to high risk (re-planned with the CAB), manager approval, withdrawal.
    name: 'change-request-revise-withdraw',
    async run({ submit, now }) {
      const cr = await submit(submission((await now()) + DAY));
      await cr.decide('bob', 'request_changes', 'Add a canary step first');
      await expectStatus(cr.revise('alice', { impact: 'high', probability: 'medium' }), 'pending_approval');
      await cr.decide('bob', 'approve');
      await cr.withdraw('alice', 'Superseded by the platform migration');
      await expectStatus(cr.result(), 'withdrawn');
      return cr.handle;
    },
  },
  {
    // A P1 nobody answers: warning, breach and the ladder up to the supervisor; a late first response, a pause
    // and resume, a customer update, resolution and satisfied feedback: closed.
    name: 'complaint-lifecycle',
    async run({ env, ledger, open }) {
      const complaint = await open();
      await env.sleep(23 * MIN);
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.to === 'supervisor'));
      await complaint.respond('sam', 'Sorry for the wait, we are on it');
      await complaint.pause('sam', 'Waiting for the bank statement');
      await env.sleep('1 hour');
      await complaint.resume('lena');
      await complaint.respond('sam', 'The refund is on its way');
      await complaint.resolve('sam', null, 'Refunded the duplicate charge');
      await expectStatus(complaint.feedback('sam', true, 'Thanks'), 'closed');
      await expectStatus(complaint.result(), 'closed');
      return complaint.handle;
    },
  },
  {
    // A P2 raised to P1; compensation above the threshold, reminded and approved by sue; unsatisfied feedback
    // reopens it; resolved again with a compensation below the threshold: left waiting for feedback.
    name: 'complaint-compensation-reopen',
    async run({ env, ledger, open }) {
      const complaint = await open({ intake: complaintIntake({ severity: 'medium' }) });
      await complaint.changePriority('lena', 'critical', 'The customer cannot trade');
      await complaint.respond('sam');
      await expectStatus(complaint.resolve('sam', { amount: 5000, currency: 'CNY' }), 'pending_compensation_approval');
      await env.sleep(HOUR + MIN);
      await ledger.waitForAction('approval_reminder_sent');
      await expectStatus(complaint.decideCompensation('sue', 'approve', 'Goodwill is justified'), 'resolved');
      await expectStatus(complaint.feedback('sam', false, 'Still charged twice'), 'in_progress');
      await expectStatus(complaint.resolve('sam', { amount: 500, currency: 'CNY' }, 'Refund confirmed by the bank'), 'resolved');
      return complaint.handle;
    },
  },
  {
    // A major crisis: the employees' notice goes overdue, a reminder, the holding statement drafted by the
    // commander and approved by priya and leo, a missed update, a rejected and a published update, recovery, an
    // action, the post-mortem sent back and approved, the final statement, the action done: closed.
    name: 'crisis-lifecycle',
    activities: crisisActivities(),
    async run(ctx) {
      const { env, ledger, now } = ctx;
      const crisis = await declareCrisis(ctx);
      await env.sleep('13 hours');
      await ledger.waitForAction('holding_statement_reminder');
      await crisis.publish('holding', ['employees', 'customers', 'partners', 'media'], 'mike');
      await env.sleep('4 hours');
      await ledger.waitForAction('update_missed');
      const draft = await crisis.draft('priya', 'update', ['suppliers']);
      await expectStatus(crisis.decide('leo', draft.statements.at(-1)!.id, 'reject', 'Not agreed with the suppliers yet'), 'active');
      await crisis.publish('update', ['suppliers', 'regulators']);
      await expectStatus(crisis.recover('mike'), 'recovering');
      const withAction = await crisis.addAction('mike', 'Call back key accounts', 'sam', (await now()) + DAY);
      await expectStatus(crisis.submitPostMortem('mike'), 'post_mortem_review');
      await expectStatus(crisis.decidePostMortem('grace', 'request_changes', 'Add the timeline'), 'recovering');
      await crisis.submitPostMortem('mike', ['Alert on certificate expiry', 'Timeline 08:00-12:00']);
      await expectStatus(crisis.decidePostMortem('grace', 'approve', 'Good'), 'recovering');
      await crisis.publish('final', ['employees', 'customers']);
      await expectStatus(crisis.completeAction('sam', withAction.actions[0].id), 'closed');
      await expectStatus(crisis.result(), 'closed');
      return crisis.handle;
    },
  },
  {
    // A general crisis nobody speaks for: both reminders, the notices overdue, the holding deadline breached
    // (grace's task), an action overdue; left running, as a crisis would be when new code is deployed.
    name: 'crisis-overdue',
    activities: crisisActivities(),
    async run(ctx) {
      const { env, ledger, now } = ctx;
      const crisis = await declareCrisis(ctx, { severity: 'general', commanderId: 'sue' }, { declaredBy: 'mike' });
      await crisis.addAction('sue', 'Brief the staff', 'ivan', (await now()) + 6 * HOUR);
      await env.sleep('25 hours');
      await ledger.waitForAction('holding_statement_overdue');
      await ledger.waitForAction('crisis_action_overdue');
      return crisis.handle;
    },
  },
  // --- PIPs: HR is hank (fake pipHrStaff); bob runs alice's plan; bob's manager sue approves separations.
  {
    // Changes requested and revised, approved, no acknowledgement (starts at the deadline), a missed check-in
    // and a recorded one, the mid-point review, the final review escalated, one extension, a separation
    // rejected by sue, then approved by hank and sue: separated.
    name: 'pip-lifecycle',
    activities: withPipActivities(fakePipActivities()).activities,
    async run(ctx) {
      const { env, ledger } = ctx;
      const pip = await startPip(ctx);
      await expectStatus(pip.decide('hank', 'request_changes', 'Add dates to the goals'), 'changes_requested');
      await expectStatus(pip.revise('bob', { reason: 'Missed the Q3 delivery targets (dated goals)' }), 'pending_hr_approval');
      await expectStatus(pip.decide('hank', 'approve'), 'awaiting_acknowledgement');
      await env.sleep(5 * DAY + HOUR);
      await ledger.waitForAction('pip_started_without_acknowledgement');
      await env.sleep(9 * DAY);
      await ledger.waitForAction('pip_check_in_missed');
      await env.sleep(5 * DAY);
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'pip_check_in_due' && e.data.number === 2));
      await pip.checkIn('bob', [{ index: 0, status: 'met' }, { index: 1, status: 'at_risk' }], 'Export shipped');
      await env.sleep(DAY);
      await ledger.waitForAction('pip_midpoint_reached');
      await pip.midpointReview('hank', 'On track overall');
      await pip.comment('alice', 'Reviews are slow because of on-call');
      await env.sleep(21 * DAY);
      await ledger.waitForAction('pip_final_review_escalated');
      await expectStatus(pip.outcome('bob', 'extended', 'P14D', 'Close'), 'pending_extension_approval');
      await expectStatus(pip.decide('hank', 'approve'), 'active');
      await env.sleep(15 * DAY);
      await ledger.waitFor(() => ledger.events.filter((e) => e.action === 'pip_ended').length === 2);
      await expectStatus(pip.outcome('bob', 'failed', null, 'Goals not met'), 'pending_separation_approval');
      await pip.decide('hank', 'approve');
      await expectStatus(pip.decide('sue', 'reject', 'One more review'), 'pending_final_review');
      await expectStatus(pip.outcome('bob', 'failed', null, 'Still not met'), 'pending_separation_approval');
      await pip.decide('hank', 'approve');
      await expectStatus(pip.decide('sue', 'approve'), 'separated');
      await expectStatus(pip.result(), 'separated');
      return pip.handle;
    },
  },
  {
    // A 60-day plan with a check-in every 5 days continues as new (history limit 30) while active: the history of
    // the run that carries the state, left with its timers running, as a deployment would find it.
    name: 'pip-continue-as-new',
    activities: withPipActivities(fakePipActivities()).activities,
    async run(ctx) {
      const { env, ledger } = ctx;
      const pip = await activePip(ctx, { historyLimit: 30, draft: pipDraft({ duration: 'P60D', checkInEvery: 'P5D' }) });
      const firstRun = await pip.runId();
      for (let n = 1; n <= 4; n += 1) {
        await env.sleep(5 * DAY);
        await ledger.waitFor((c) => c.events.some((e) => e.action === 'pip_check_in_due' && e.data.number === n));
        await pip.checkIn('bob', [{ index: 0, status: 'on_track' }], `Check-in ${n}`);
      }
      if ((await pip.runId()) === firstRun) throw new Error('expected the plan to have continued as new');
      return pip.handle;
    },
  },
  {
    // A purchase of 150 000 CNY: bob has delegated to mike, who approves for him; fiona approves; the executive
    // level times out (grace has no manager: audited, still waiting) and grace approves; fulfilment task left open.
    name: 'approval-request-purchase',
    activities: (() => {
      const worker = approvalRequestWorker();
      worker.fakes.delegations.set('bob', 'mike');
      return worker.activities;
    })(),
    async run(ctx) {
      const req = await submitRequest(ctx, { fields: purchase(150_000) });
      await req.decide('mike', 'approve', 'For bob, who is away');
      await req.decide('fiona', 'approve');
      await ctx.env.sleep('3 days');
      await ctx.ledger.waitForAction('approval_timed_out');
      await expectStatus(req.decide('grace', 'approve'), 'approved');
      return req.handle;
    },
  },
  {
    // An expense nobody decides: the manager level's timeout approves it as system; then fulfilled.
    name: 'approval-request-expense-timeout',
    activities: approvalRequestWorker().activities,
    async run(ctx) {
      const fields = { amount: { value: 300, currency: 'CNY' }, category: 'meals', incurredOn: '2026-11-20', description: 'Team dinner' };
      const req = await submitRequest(ctx, { type: 'expense', fields });
      await ctx.env.sleep('5 days');
      await ctx.ledger.waitForAction('approval_request_approved');
      await expectStatus(req.fulfil('fiona', 'Reimbursed with the December payroll'), 'fulfilled');
      await expectStatus(req.result(), 'fulfilled');
      return req.handle;
    },
  },
  {
    // A payout at the threshold, reopened, the same payout again: the cumulative sum needs sue's approval; the
    // stalled approval escalates to the next supervisor above sue (there is none: nobody joins), then sue approves.
    name: 'complaint-hardening-cumulative-compensation',
    async run({ env, ledger, open }) {
      const complaint = await open();
      await complaint.respond('sam');
      await expectStatus(complaint.resolve('sam', { amount: 1000, currency: 'CNY' }), 'resolved');
      await expectStatus(complaint.feedback('sam', false, 'Still charged twice'), 'in_progress');
      await expectStatus(complaint.resolve('sam', { amount: 1000, currency: 'CNY' }), 'pending_compensation_approval');
      await env.sleep(2 * HOUR + MIN);
      await ledger.waitForAction('approval_escalated');
      await expectStatus(complaint.decideCompensation('sue', 'approve', 'Both refunds are due'), 'resolved');
      return complaint.handle;
    },
  },
  {
    // The ladder is looked up with the owner at open and again at the transfer to tina: the warning, the breach
    // and the climb to lena and sue each fire in one workflow task without an activity. Then closed.
    name: 'complaint-ladder-at-open',
    async run({ env, ledger, open }) {
      const complaint = await open();
      await complaint.transfer('lena', 'tina', 'Sam is at lunch');
      await env.sleep(23 * MIN);
      await ledger.waitFor((c) => c.events.some((e) => e.action === 'sla_escalated' && e.data.to === 'supervisor'));
      await complaint.respond('tina', 'Sorry for the wait, we are on it');
      await complaint.resolve('tina', null, 'Refunded the duplicate charge');
      await expectStatus(complaint.feedback('tina', true, 'Thanks'), 'closed');
      await expectStatus(complaint.result(), 'closed');
      return complaint.handle;
    },
  },
];

/**
 * Runs recorded after commits became local activities (and the API began planning the first round): the same
 * lifecycles as the first two scenarios, in the new shape, so that both shapes keep replaying.
 */
const scenario = (name: string) => scenarios.find((s) => s.name === name)!;
scenarios.push(
  { ...scenario('change-request-lifecycle'), name: 'change-request-local-commit' },
  { ...scenario('complaint-lifecycle'), name: 'complaint-local-commit' },
  // Level 1's delegates come with the input, as the API reads them: the submission's task has one local activity.
  { ...scenario('change-request-lifecycle'), name: 'change-request-planned-delegates' },
);

async function expectStatus(view: Promise<{ status: string }>, status: string): Promise<void> {
  const actual = (await view).status;
  if (actual !== status) throw new Error(`expected status ${status}, got ${actual}`);
}

export function historyFileName(scenario: string): string {
  return `${scenario}.json`;
}

/**
 * Runs the scenarios on a fresh test server and (over)writes their history files: all of them, or those whose
 * file name starts with one of `only`. Returns the files written.
 */
export async function recordHistories(options: { workflowBundle: WorkflowBundleWithSourceMap; dir?: string; only?: string[] }): Promise<string[]> {
  const dir = options.dir ?? HISTORIES_DIR;
  await fs.mkdir(dir, { recursive: true });
  const chosen = scenarios.filter((s) => !options.only || options.only.some((prefix) => s.name.startsWith(prefix)));
  if (chosen.length === 0) throw new Error(`no history scenario starts with ${options.only?.join(' or ')}`);
  let env: TestWorkflowEnvironment | undefined;
  const written: string[] = [];
  try {
    env = await createTestEnvironment();
    for (const scenario of chosen) {
      const history = await withCaseWorker(env, options.workflowBundle, async (ctx) => (await scenario.run(ctx)).fetchHistory(), {
        activities: scenario.activities,
      });
      const file = join(dir, historyFileName(scenario.name));
      await fs.writeFile(file, `${historyToJson(history)}\n`);
      written.push(file);
    }
  } finally {
    await teardownEnvironment(env);
  }
  return written;
}
