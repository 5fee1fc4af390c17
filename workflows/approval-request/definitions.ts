import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalLevel, ApprovalRequestStatus, ApprovalType, Decision, FieldValues } from '@steward/domain';

export const APPROVAL_REQUEST_WORKFLOW = 'approvalRequestWorkflow';
export const approvalRequestWorkflowId = (caseId: string) => `approval-request-${caseId}`;

export interface ApprovalRequestInput {
  caseId: string;
  requesterId: string;
  /** The request type's name and its definition as the types file had it at submission: the route is fixed then. */
  type: string;
  definition: ApprovalType;
  title: string;
  fields: FieldValues;
  policy: { reminderAfterMs: number; escalateAfterMs: number };
}

/** The API representation of an approval request; also what the read model stores. */
export interface ApprovalRequestView {
  id: string;
  workflowId: string;
  type: string;
  typeTitle: string;
  title: string;
  fields: FieldValues;
  status: ApprovalRequestStatus;
  requesterId: string;
  approvalLevels: ApprovalLevel[];
  /** Approval levels of earlier rounds, before each revision. */
  previousRounds: ApprovalLevel[][];
  currentLevel: string | null;
  revision: number;
  /** When the request was approved or rejected for good: the end of its approval cycle. */
  decidedAt: string | null;
  decidedBy: string | null;
  fulfilment: { role: string; assignees: string[]; note: string | null; by: string | null; at: string | null } | null;
  withdrawal: { reason: string; at: string } | null;
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
  title?: string;
  /** The complete, validated fields after the revision. */
  fields: FieldValues;
}
export interface WithdrawInput {
  actorId: string;
  reason: string;
}
export interface FulfilmentInput {
  actorId: string;
  /** The actor's roles as the directory has them now. */
  roles: string[];
  note: string;
}

/** Resolves once the submission is in Postgres, with the request as stored: the API's 201 body. */
export const submittedUpdate = defineUpdate<ApprovalRequestView>('approvalRequest.submitted');
export const decideUpdate = defineUpdate<ApprovalRequestView, [DecideInput]>('approvalRequest.decide');
export const reviseUpdate = defineUpdate<ApprovalRequestView, [ReviseInput]>('approvalRequest.revise');
export const withdrawUpdate = defineUpdate<ApprovalRequestView, [WithdrawInput]>('approvalRequest.withdraw');
export const fulfilmentUpdate = defineUpdate<ApprovalRequestView, [FulfilmentInput]>('approvalRequest.fulfilment');

// A Query handler returns a value: it must not mutate the Workflow state.
export const viewQuery = defineQuery<ApprovalRequestView>('approvalRequest.view');
