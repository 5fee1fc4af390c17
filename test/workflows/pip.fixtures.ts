/**
 * Fixtures for PIP workflow tests: the fake `pipHrStaff` activity (HR is hank, as in the demo directory), the
 * input the API starts a plan with (alice's plan, run by bob, whose manager is sue), and a handle whose methods
 * are the human actions, each an Update with the actor's demo roles.
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { Decision, GoalStatus, PipDraft, PipOutcome } from '@steward/domain';
import { DEFAULT_PIP_POLICY } from '@steward/domain';
import type { PipActivities } from '@steward/workflows/pip/activities';
import {
  PIP_WORKFLOW,
  pipAcknowledgementUpdate,
  pipCheckInUpdate,
  pipCommentUpdate,
  pipCreatedUpdate,
  pipDecisionUpdate,
  PipInput,
  pipMidpointReviewUpdate,
  pipOutcomeUpdate,
  pipRevisionUpdate,
  PipRevisionInput,
  PipState,
  pipStateQuery,
  pipWithdrawUpdate,
  pipWorkflowId,
} from '@steward/workflows/pip/definitions';
import { CaseTestContext, CaseWorkerOptions, DEMO_ROLES, POLICY } from './harness';

export const DAY = 86_400_000;

/** Roles of the people PIP tests use, beyond the harness's demo roles. */
const PIP_ROLES: Readonly<Record<string, string[]>> = { ...DEMO_ROLES, hank: ['hr'], audrey: ['auditor'] };

export const pipActor = (actorId: string, roles?: string[]) => ({ actorId, roles: roles ?? [...(PIP_ROLES[actorId] ?? [])] });

/** The fake HR roster and every look-up of it (the excluded users), in order. */
export interface FakePipActivities {
  hrStaff: string[];
  hrLookups: string[][];
  activities: Pick<PipActivities, 'pipHrStaff'>;
}

export function fakePipActivities(hrStaff: string[] = ['hank']): FakePipActivities {
  const fake: FakePipActivities = {
    hrStaff,
    hrLookups: [],
    activities: {
      async pipHrStaff(excluded) {
        fake.hrLookups.push(excluded);
        return fake.hrStaff.filter((id) => !excluded.includes(id)).sort();
      },
    },
  };
  return fake;
}

/** withCaseWorker's option that adds the PIP activities. */
export function withPipActivities(fake: FakePipActivities): CaseWorkerOptions {
  return { activities: () => ({ ...fake.activities }) };
}

/** alice's plan: two goals, 30 days (the policy's minimum), a check-in every 7 days. */
export function pipDraft(overrides: Partial<PipDraft> = {}): PipDraft {
  return {
    employeeId: 'alice',
    reason: 'Missed the Q3 delivery targets',
    goals: [
      { title: 'Ship the billing export', measure: 'Merged and released', target: 'By week 3' },
      { title: 'Code review turnaround', measure: 'Median hours to first review', target: '< 24 h' },
    ],
    resources: 'Pairing with ivan two afternoons a week',
    support: 'Weekly 1:1 with bob',
    duration: 'P30D',
    checkInEvery: 'P7D',
    ...overrides,
  };
}

export function pipInput(caseId: string, overrides: Partial<Omit<PipInput, 'caseId'>> = {}): PipInput {
  return {
    caseId,
    managerId: 'bob',
    managersManagerId: 'sue',
    draft: pipDraft(),
    policy: DEFAULT_PIP_POLICY,
    approvalPolicy: POLICY,
    ...overrides,
  };
}

/** A started plan and the actions on it, each returning the committed state. */
export class PipHandle {
  constructor(
    readonly handle: WorkflowHandle,
    readonly caseId: string,
    readonly created: PipState,
  ) {}

  state(): Promise<PipState> {
    return this.handle.query(pipStateQuery);
  }

  async runId(): Promise<string> {
    return (await this.handle.describe()).runId;
  }

  decide(actorId: string, decision: Decision, comment: string | null = decision === 'approve' ? null : 'Not yet'): Promise<PipState> {
    return this.handle.executeUpdate(pipDecisionUpdate, { args: [{ ...pipActor(actorId), decision, comment }] });
  }

  revise(actorId: string, changes: PipRevisionInput['changes']): Promise<PipState> {
    return this.handle.executeUpdate(pipRevisionUpdate, { args: [{ ...pipActor(actorId), changes }] });
  }

  acknowledge(actorId: string, acknowledged: boolean, comment: string | null = null): Promise<PipState> {
    return this.handle.executeUpdate(pipAcknowledgementUpdate, { args: [{ ...pipActor(actorId), acknowledged, comment }] });
  }

  checkIn(actorId: string, goals: { index: number; status: GoalStatus }[] = [{ index: 0, status: 'on_track' }], note = 'Progressing'): Promise<PipState> {
    return this.handle.executeUpdate(pipCheckInUpdate, { args: [{ ...pipActor(actorId), goals, note }] });
  }

  midpointReview(actorId: string, note = 'Half-way: one goal on track'): Promise<PipState> {
    return this.handle.executeUpdate(pipMidpointReviewUpdate, { args: [{ ...pipActor(actorId), note }] });
  }

  comment(actorId: string, note = 'I need more time with ivan'): Promise<PipState> {
    return this.handle.executeUpdate(pipCommentUpdate, { args: [{ ...pipActor(actorId), note }] });
  }

  outcome(actorId: string, outcome: PipOutcome, extension: string | null = null, note = 'Final review'): Promise<PipState> {
    return this.handle.executeUpdate(pipOutcomeUpdate, { args: [{ ...pipActor(actorId), outcome, note, extension }] });
  }

  withdraw(actorId: string, reason = 'Reorganisation'): Promise<PipState> {
    return this.handle.executeUpdate(pipWithdrawUpdate, { args: [{ ...pipActor(actorId), reason }] });
  }

  /** The final state, following continue-as-new; only once the plan has ended. */
  result(): Promise<PipState> {
    return this.handle.result();
  }
}

/** Starts a plan as the API does and waits until the draft (and HR's approval task) is committed. */
export async function startPip(ctx: CaseTestContext, overrides: Partial<Omit<PipInput, 'caseId'>> = {}): Promise<PipHandle> {
  const caseId = randomUUID();
  const handle = await ctx.start(PIP_WORKFLOW, pipWorkflowId(caseId), [pipInput(caseId, overrides)]);
  const created = await handle.executeUpdate(pipCreatedUpdate);
  return new PipHandle(handle, caseId, created);
}

/** Drives a plan to `active`: HR approves, alice acknowledges. */
export async function activePip(ctx: CaseTestContext, overrides: Partial<Omit<PipInput, 'caseId'>> = {}): Promise<PipHandle> {
  const pip = await startPip(ctx, overrides);
  await pip.decide('hank', 'approve');
  await pip.acknowledge('alice', true);
  return pip;
}
