/**
 * Crisis fixtures for the time-skipping tests: the crisis's own fake activities, a declaration as the API makes
 * it, and a handle whose methods are the human actions (each an Update that returns the committed state).
 */
import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import type { CaseCommit, CrisisDeclaration, CrisisPolicy, StakeholderGroup, StatementKind } from '@steward/domain';
import { DEFAULT_CRISIS_POLICY } from '@steward/domain';
import type { CrisisActivities } from '@steward/workflows/crisis/activities';
import {
  addActionUpdate,
  completeActionUpdate,
  CRISIS_WORKFLOW,
  CrisisInput,
  CrisisState,
  crisisStateQuery,
  crisisWorkflowId,
  declaredUpdate,
  draftStatementUpdate,
  postMortemDecisionUpdate,
  postMortemUpdate,
  recoveryUpdate,
  statementDecisionUpdate,
} from '@steward/workflows/crisis/definitions';
import type { CaseTestContext, CaseWorkerOptions } from './harness';
import { DEMO_ROLES } from './harness';

/** The demo directory's executives. */
export const EXECUTIVES: readonly string[] = ['grace'];

const ROLES: Readonly<Record<string, string[]>> = { ...DEMO_ROLES, priya: ['comms'], leo: ['legal'], audrey: ['auditor'] };
const actor = (actorId: string) => ({ actorId, roles: ROLES[actorId] ?? [] });

/** Fake crisis activities: the executives are read from `executives()` each time (a test may change them). */
export function crisisActivities(executives: () => readonly string[] = () => EXECUTIVES, lookups: number[] = []): CaseWorkerOptions['activities'] {
  const fakes: Pick<CrisisActivities, 'crisisExecutives'> = {
    async crisisExecutives() {
      lookups.push(Date.now());
      return [...executives()];
    },
  };
  return () => fakes;
}

/** sue (supervisor) declares; mike commands; priya speaks; leo is legal. */
export function declaration(overrides: Partial<CrisisDeclaration> = {}): CrisisDeclaration {
  return {
    title: 'Payment outage',
    description: 'Card payments fail for all customers since 08:00',
    severity: 'major',
    category: 'operational',
    commanderId: 'mike',
    commsLeadId: 'priya',
    legalId: 'leo',
    ...overrides,
  };
}

export const viewOf = (commit: CaseCommit): CrisisState => commit.view as CrisisState;

/** A declared crisis and the human actions on it. */
export class CrisisCase {
  constructor(
    readonly handle: WorkflowHandle,
    readonly caseId: string,
    readonly declared: CrisisState,
  ) {}

  state(): Promise<CrisisState> {
    return this.handle.query(crisisStateQuery);
  }

  draft(actorId: string, kind: StatementKind, audience: StakeholderGroup[], text = `A ${kind} statement`): Promise<CrisisState> {
    return this.handle.executeUpdate(draftStatementUpdate, { args: [{ ...actor(actorId), statementId: randomUUID(), kind, audience, text }] });
  }

  decide(actorId: string, statementId: string, decision: 'approve' | 'reject', comment: string | null = null): Promise<CrisisState> {
    return this.handle.executeUpdate(statementDecisionUpdate, { args: [{ ...actor(actorId), statementId, decision, comment }] });
  }

  /** Drafts a statement as the comms lead and has priya and leo approve it: published. Returns its id. */
  async publish(kind: StatementKind, audience: StakeholderGroup[], drafter = 'priya'): Promise<string> {
    const drafted = await this.draft(drafter, kind, audience);
    const id = drafted.statements.at(-1)!.id;
    await this.decide('priya', id, 'approve');
    const state = await this.decide('leo', id, 'approve');
    if (state.statements.find((s) => s.id === id)?.status !== 'published') throw new Error('statement not published');
    return id;
  }

  recover(actorId: string, note = 'Payments restored'): Promise<CrisisState> {
    return this.handle.executeUpdate(recoveryUpdate, { args: [{ ...actor(actorId), note }] });
  }

  addAction(actorId: string, title: string, ownerId: string, dueAt: number): Promise<CrisisState> {
    return this.handle.executeUpdate(addActionUpdate, { args: [{ ...actor(actorId), actionId: randomUUID(), title, ownerId, dueAt: new Date(dueAt).toISOString() }] });
  }

  completeAction(actorId: string, actionId: string, note: string | null = 'Done'): Promise<CrisisState> {
    return this.handle.executeUpdate(completeActionUpdate, { args: [{ ...actor(actorId), actionId, note }] });
  }

  submitPostMortem(actorId: string, lessons = ['Fail over the card gateway automatically']): Promise<CrisisState> {
    return this.handle.executeUpdate(postMortemUpdate, {
      args: [{ ...actor(actorId), summary: 'Four hours without card payments', rootCause: 'An expired gateway certificate', lessons }],
    });
  }

  decidePostMortem(actorId: string, decision: 'approve' | 'request_changes', comment: string | null = null): Promise<CrisisState> {
    return this.handle.executeUpdate(postMortemDecisionUpdate, { args: [{ ...actor(actorId), decision, comment }] });
  }

  /** The final state, following continue-as-new. Only once the crisis is closed. */
  async result(): Promise<CrisisState> {
    return (await this.handle.result()) as CrisisState;
  }
}

/** Declares a crisis as the API does (declared by sue) and waits until the declaration is committed. */
export async function declareCrisis(
  ctx: Pick<CaseTestContext, 'start'>,
  overrides: Partial<CrisisDeclaration> = {},
  options: { policy?: CrisisPolicy; historyLimit?: number; declaredBy?: string } = {},
): Promise<CrisisCase> {
  const caseId = randomUUID();
  const input: CrisisInput = {
    caseId,
    declaredBy: options.declaredBy ?? 'sue',
    declaration: declaration(overrides),
    policy: options.policy ?? DEFAULT_CRISIS_POLICY,
    historyLimit: options.historyLimit,
  };
  const handle = await ctx.start(CRISIS_WORKFLOW, crisisWorkflowId(caseId), [input]);
  const declared = await handle.executeUpdate(declaredUpdate);
  return new CrisisCase(handle, caseId, declared);
}
