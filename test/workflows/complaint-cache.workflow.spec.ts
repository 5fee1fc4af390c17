/**
 * More open complaints than the worker's sticky cache holds, as in production: every complaint's SLA clock
 * must still fire each ladder step exactly once, on a worker whose cache is a quarter of the open cases.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { CaseCommit } from '@steward/domain';
import { workerCacheOptions } from '@steward/temporal';
import { bundleWorkflows, CaseLedger, createTestEnvironment, ESCALATION_TARGETS, SETUP_TIMEOUT_MS, teardownEnvironment, withCaseWorker } from './harness';

jest.setTimeout(180_000);

const MIN = 60_000;
const CACHE = 5;
const COMPLAINTS = 20;
const COMMIT_MS = 50;

/** Polls (in real time) until the condition holds; names what was still missing when it gives up. */
async function until(condition: () => string | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let missing = condition(); missing !== null; missing = condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${missing}`);
    await delay(50);
  }
}

/** The SLA steps a complaint recorded: `sla_warning owner`, `sla_breached`, `sla_escalated lena` ... */
function slaSteps(ledger: CaseLedger): string[] {
  return ledger.events
    .filter((e) => e.action.startsWith('sla_') && e.data.clock === 'firstResponse')
    .map((e) => (e.action === 'sla_breached' ? e.action : `${e.action} ${String(e.data.userId ?? e.data.to)}`));
}

describe('complaints on a worker with a small sticky cache (time-skipping)', () => {
  let env: TestWorkflowEnvironment;
  let workflowBundle: WorkflowBundleWithSourceMap;

  beforeAll(async () => {
    [env, workflowBundle] = await Promise.all([createTestEnvironment(), bundleWorkflows()]);
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    await teardownEnvironment(env);
  });

  it(`${COMPLAINTS} complaints on a cache of ${CACHE}: each one opens, and its whole first-response ladder fires exactly once`, async () => {
    const ledgers = new Map<string, CaseLedger>();
    const ledgerOf = (caseId: string) => ledgers.get(caseId) ?? ledgers.set(caseId, new CaseLedger()).get(caseId)!;
    await withCaseWorker(
      env,
      workflowBundle,
      async ({ open, now, sleepUntil }) => {
        const t0 = await now();
        // All at once, as the API does under load: the cache is full long before the last one's intake is committed.
        const complaints = await Promise.all(Array.from({ length: COMPLAINTS }, () => open()));
        expect(complaints.map((c) => c.opened.status)).toEqual(complaints.map(() => 'open'));
        expect(new Set(complaints.map((c) => c.caseId)).size).toBe(COMPLAINTS);

        // P1: first response due in 15 min; the ladder warns at 75 %, then lena, sue and mike at 100, 150, 200 %.
        await sleepUntil(t0 + 31 * MIN);
        const expected = ['sla_warning sam', 'sla_breached', `sla_escalated ${ESCALATION_TARGETS.team_lead}`, `sla_escalated ${ESCALATION_TARGETS.supervisor}`, `sla_escalated ${ESCALATION_TARGETS.manager}`];
        await until(() => {
          const behind = complaints.filter((c) => slaSteps(ledgerOf(c.caseId)).length < expected.length);
          return behind.length === 0 ? null : `${behind.length} complaints still climbing the ladder`;
        }, 120_000);
        for (const c of complaints) {
          const ledger = ledgerOf(c.caseId);
          expect(slaSteps(ledger)).toEqual(expected);
          // Versions 1, 2, 3 ... with none twice: no workflow was evicted with its commit in flight and ran it again
          // (with as many task slots as cache slots, some are: the real commit is idempotent, but each costs a lost
          // task and a 10 s workflow task timeout).
          ledger.expectConsistent();
          expect((await c.state()).escalationLevel).toBeGreaterThan(0);
        }
      },
      {
        worker: workerCacheOptions(CACHE),
        activities: () => ({
          async commitCase(commit: CaseCommit) {
            // A commit takes a while, as Postgres does: workflows are often evicted with one in flight.
            await delay(COMMIT_MS);
            ledgerOf(commit.caseId).record(commit);
          },
        }),
      },
    );
  });
});
