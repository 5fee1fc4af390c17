import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalLevel, ChangeStatus, ChangeSubmission, Decision, RiskLevel } from '@steward/domain';
import type { ChangeApprovalPlan } from './activities';

export const CHANGE_REQUEST_WORKFLOW = 'changeRequestWorkflow';
export const changeRequestWorkflowId = (caseId: string) => `change-request-${caseId}`;

export interface ChangeRequestInput {
  caseId: string;
  requesterId: string;
  submission: ChangeSubmission;
  policy: { reminderAfterMs: number; escalateAfterMs: number };
  /**
   * The first round's approvers, as the API planned them when it accepted the submission (it must, to refuse
   * an unroutable one with a 400): the workflow then opens level 1 without a directory round trip. Revisions
   * plan again, and runs started without it plan through the activity.
   */
  plan?: Extract<ChangeApprovalPlan, { ok: true }>;
  /**
   * Who stands in for each approver of level 1, as the API read the delegations in force when it accepted the
   * submission (null: nobody). With it the first level opens without a delegation look-up of its own; without
   * it (runs started before the API read them) the workflow reads them as the level opens.
   */
  firstLevelDelegates?: Record<string, string | null>;
}

/** The API representation of a change request; also what the read model stores. */
export interface ChangeRequestView extends ChangeSubmission {
  id: string;
  workflowId: string;
  status: ChangeStatus;
  riskLevel: RiskLevel;
  requesterId: string;
  approvalLevels: ApprovalLevel[];
  /** Approval levels of earlier rounds, before each revision. */
  previousRounds: ApprovalLevel[][];
  currentLevel: string | null;
  revision: number;
  reviewerId: string | null;
  implementation: { startedAt: string | null; completedAt: string | null; failedAt: string | null; note: string | null };
  verification: { outcome: 'verified' | 'failed'; note: string | null; by: string; at: string } | null;
  review: { required: boolean; note: string | null; by: string | null; at: string | null };
  withdrawal: { reason: string; at: string } | null;
  windowOpenedAt: string | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DecideInput {
  actorId: string;
  decision: Decision;
  comment: string | null;
}
export interface ReviseInput {
  actorId: string;
  changes: Partial<ChangeSubmission>;
}
export interface WithdrawInput {
  actorId: string;
  reason: string;
}
export interface ImplementationInput {
  actorId: string;
  event: 'started' | 'completed' | 'failed';
  note: string | null;
}
export interface VerificationInput {
  actorId: string;
  outcome: 'verified' | 'failed';
  note: string | null;
}
export interface ReviewInput {
  actorId: string;
  note: string;
}

/** Resolves once the submission is in Postgres, with the case as stored: the API's 201 body. */
export const submittedUpdate = defineUpdate<ChangeRequestView>('changeRequest.submitted');
export const decideUpdate = defineUpdate<ChangeRequestView, [DecideInput]>('changeRequest.decide');
export const reviseUpdate = defineUpdate<ChangeRequestView, [ReviseInput]>('changeRequest.revise');
export const withdrawUpdate = defineUpdate<ChangeRequestView, [WithdrawInput]>('changeRequest.withdraw');
export const implementationUpdate = defineUpdate<ChangeRequestView, [ImplementationInput]>('changeRequest.implementation');
export const verificationUpdate = defineUpdate<ChangeRequestView, [VerificationInput]>('changeRequest.verification');
export const reviewUpdate = defineUpdate<ChangeRequestView, [ReviewInput]>('changeRequest.review');

// A Query handler returns a value: it must not mutate the Workflow state.
export const viewQuery = defineQuery<ChangeRequestView>('changeRequest.view');
