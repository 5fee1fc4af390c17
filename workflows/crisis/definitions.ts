import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type {
  CrisisAction,
  CrisisDeclaration,
  CrisisNotice,
  CrisisPolicy,
  CrisisSeverity,
  CrisisStatement,
  CrisisStatus,
  PostMortem,
  StakeholderGroup,
  StatementKind,
} from '@steward/domain';
import type { RecorderState } from '../common/case-recorder';

export const CRISIS_WORKFLOW = 'crisisWorkflow';
export const crisisWorkflowId = (caseId: string) => `crisis-${caseId}`;

export interface CrisisInput {
  caseId: string;
  declaredBy: string;
  declaration: CrisisDeclaration;
  /** Snapshot of the policy at declaration: a crisis keeps the deadlines it was declared under. */
  policy: CrisisPolicy;
  /** Continue as new past this many history events (tests set it low). */
  historyLimit?: number;
  /** Present when continuing as new: everything the previous run knew. */
  carried?: CrisisCarried;
}

export interface CrisisCarried {
  state: CrisisState;
  recorder: RecorderState;
  participants: string[];
}

/** The crisis's whole state: what the read model stores and what continue-as-new carries. */
export interface CrisisState {
  id: string;
  workflowId: string;
  status: CrisisStatus;
  title: string;
  description: string;
  severity: CrisisSeverity;
  category: string;
  declaredBy: string;
  commanderId: string;
  commsLeadId: string;
  legalId: string;
  declaredAt: string;
  /** 黄金24小时: the first published holding statement meets it. */
  holdingStatementDueAt: string;
  holdingStatementId: string | null;
  holdingStatementPublishedAt: string | null;
  /** Set when the deadline passed with no holding statement published. */
  holdingStatementOverdueAt: string | null;
  /** Reminders sent to the comms lead so far (of the policy's holdingReminders). */
  holdingRemindersSent: number;
  notices: CrisisNotice[];
  statements: CrisisStatement[];
  /** The update cadence of this severity (ISO 8601). */
  updateEvery: string;
  /** While active after the holding statement: when the next update statement is due; otherwise null. */
  nextUpdateDueAt: string | null;
  /** Cadence periods so far (each has its own crisis_update_due task). */
  updatePeriods: number;
  updatesMissed: number;
  recovery: { note: string; by: string; at: string } | null;
  actions: CrisisAction[];
  postMortem: PostMortem | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Actor {
  actorId: string;
  /** From the directory, read by the API for this request. */
  roles: string[];
}

/** `statementId` and `actionId` come from the API, so the caller knows which statement or action it made. */
export type DraftStatementInput = Actor & { statementId: string; kind: StatementKind; audience: StakeholderGroup[]; text: string };
export type StatementDecisionInput = Actor & { statementId: string; decision: 'approve' | 'reject'; comment: string | null };
export type RecoveryInput = Actor & { note: string };
export type AddActionInput = Actor & { actionId: string; title: string; ownerId: string; dueAt: string };
export type CompleteActionInput = Actor & { actionId: string; note: string | null };
export type PostMortemInput = Actor & { summary: string; rootCause: string; lessons: string[] };
export type PostMortemDecisionInput = Actor & { decision: 'approve' | 'request_changes'; comment: string | null };

export const declaredUpdate = defineUpdate<CrisisState>('crisis.declared');
export const draftStatementUpdate = defineUpdate<CrisisState, [DraftStatementInput]>('crisis.draftStatement');
export const statementDecisionUpdate = defineUpdate<CrisisState, [StatementDecisionInput]>('crisis.statementDecision');
export const recoveryUpdate = defineUpdate<CrisisState, [RecoveryInput]>('crisis.recovery');
export const addActionUpdate = defineUpdate<CrisisState, [AddActionInput]>('crisis.addAction');
export const completeActionUpdate = defineUpdate<CrisisState, [CompleteActionInput]>('crisis.completeAction');
export const postMortemUpdate = defineUpdate<CrisisState, [PostMortemInput]>('crisis.postMortem');
export const postMortemDecisionUpdate = defineUpdate<CrisisState, [PostMortemDecisionInput]>('crisis.postMortemDecision');

// A Query handler returns a value: it must not mutate the Workflow state.
export const crisisStateQuery = defineQuery<CrisisState>('crisis.state');
