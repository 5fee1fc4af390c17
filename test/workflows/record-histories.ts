/**
 * Records the change-request histories that histories.spec.ts replays. Run it when a workflow change is
 * intended (and versioned, or safe for running workflows):
 *
 *   RECORD_HISTORIES=1 npx jest test/workflows/histories.spec.ts
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
import { CaseTestContext, createTestEnvironment, DAY, submission, teardownEnvironment, withCaseWorker } from './harness';

export const HISTORIES_DIR = join(__dirname, 'histories');

interface Scenario {
  /** File name part: change-request-<name>.json */
  name: string;
  /** Drives one change request and returns its handle once the interesting part has happened. */
  run(ctx: CaseTestContext): Promise<WorkflowHandle>;
}

const scenarios: Scenario[] = [
  {
    // Reminder, manager approval, the window timer, implementation, verification: closed.
    name: 'lifecycle',
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
    name: 'escalation',
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
    name: 'revise-withdraw',
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
];

async function expectStatus(view: Promise<{ status: string }>, status: string): Promise<void> {
  const actual = (await view).status;
  if (actual !== status) throw new Error(`expected status ${status}, got ${actual}`);
}

export function historyFileName(scenario: string): string {
  return `change-request-${scenario}.json`;
}

/** Runs every scenario on a fresh test server and (over)writes its history file. Returns the files written. */
export async function recordHistories(options: { workflowBundle: WorkflowBundleWithSourceMap; dir?: string }): Promise<string[]> {
  const dir = options.dir ?? HISTORIES_DIR;
  await fs.mkdir(dir, { recursive: true });
  let env: TestWorkflowEnvironment | undefined;
  const written: string[] = [];
  try {
    env = await createTestEnvironment();
    for (const scenario of scenarios) {
      const history = await withCaseWorker(env, options.workflowBundle, async (ctx) => (await scenario.run(ctx)).fetchHistory());
      const file = join(dir, historyFileName(scenario.name));
      await fs.writeFile(file, `${historyToJson(history)}\n`);
      written.push(file);
    }
  } finally {
    await teardownEnvironment(env);
  }
  return written;
}
