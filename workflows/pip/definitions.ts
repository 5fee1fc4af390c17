import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Decision, GoalStatus, PipApprovalKind, PipDraft, PipGoal, PipOutcome, PipPolicy, PipStatus } from '@steward/domain';
import type { ApprovalState } from '../common/approval-process';
import type { RecorderState } from '../common/case-recorder';

export const PIP_WORKFLOW = 'pipWorkflow';
export const pipWorkflowId = (caseId: string) => `pip-${caseId}`;

export interface PipInput {
  caseId: string;
  /** The employee's manager (from the directory) when the plan was drafted: they run the plan. */
  managerId: string;
  /** The manager's own manager: a reader of the plan and, for a separation, its second approver. */
  managersManagerId: string | null;
  draft: PipDraft;
  /** Snapshot of the PIP policy at drafting: a plan keeps the rules it was drafted under. */
  policy: PipPolicy;
  approvalPolicy: { reminderAfterMs: number; escalateAfterMs: number };
  /** Continue as new past this many history events (tests set it low). */
  historyLimit?: number;
  /** Present when continuing as new: everything the previous run knew. */
  carried?: PipCarried;
}

export interface PipCarried {
  state: PipState;
  recorder: RecorderState;
  participants: string[];
}

/** The approval the plan waits for (or last waited for), with the approval process's own state. */
export interface PipApproval {
  kind: PipApprovalKind;
  /** Numbers every approval of the plan (plan rounds, extension, separation rounds): task keys stay unique. */
  round: number;
  process: ApprovalState;
  outcome: 'pending' | 'approved' | 'rejected' | 'changes_requested' | 'cancelled';
}

export interface PipCheckIn {
  /** 1-based number of a scheduled check-in; null for one the manager recorded between them. */
  number: number | null;
  dueAt: string | null;
  status: 'due' | 'recorded' | 'missed' | 'cancelled';
  recordedAt: string | null;
  by: string | null;
  goals: { index: number; status: GoalStatus }[];
  note: string | null;
}

export interface PipNote {
  by: string;
  note: string;
  at: string;
}

/** The plan's whole state: what the read model stores and what continue-as-new carries. */
export interface PipState {
  id: string;
  workflowId: string;
  status: PipStatus;
  employeeId: string;
  managerId: string;
  managersManagerId: string | null;
  reason: string;
  goals: PipGoal[];
  resources: string;
  support: string;
  duration: string;
  checkInEvery: string;
  policy: PipPolicy;
  /** Plan revisions after HR asked for changes (0 = as first drafted). */
  revision: number;
  approval: PipApproval | null;
  /** Finished approvals, oldest first. */
  previousApprovals: PipApproval[];
  acknowledgement: { status: 'pending' | 'acknowledged' | 'refused' | 'none'; dueAt: string; comment: string | null; at: string | null } | null;
  startsAt: string | null;
  endsAt: string | null;
  checkIns: PipCheckIn[];
  /** Half-way: `reviewers` are the manager and the HR staff given a review task when it opened. */
  midpoint: { dueAt: string; openedAt: string | null; reviewers: string[]; reviews: PipNote[] } | null;
  comments: PipNote[];
  finalReview: { round: number; dueAt: string; escalatedAt: string | null } | null;
  outcomes: { outcome: PipOutcome; note: string; extension: string | null; by: string; at: string }[];
  /** The extension granted (a plan gets at most one). */
  extension: string | null;
  withdrawal: { by: string; reason: string; at: string } | null;
  closedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Actor {
  actorId: string;
  /** From the directory, read by the API for this request. */
  roles: string[];
}

export type PipDecisionInput = Actor & { decision: Decision; comment: string | null };
export type PipRevisionInput = Actor & { changes: Partial<Omit<PipDraft, 'employeeId'>> };
export type PipAcknowledgementInput = Actor & { acknowledged: boolean; comment: string | null };
export type PipCheckInInput = Actor & { goals: { index: number; status: GoalStatus }[]; note: string };
export type PipNoteInput = Actor & { note: string };
export type PipOutcomeInput = Actor & { outcome: PipOutcome; note: string; extension: string | null };
export type PipWithdrawInput = Actor & { reason: string };

/** Resolves once the draft is in Postgres, with the plan as stored: the API's 201 body. */
export const pipCreatedUpdate = defineUpdate<PipState>('pip.created');
export const pipDecisionUpdate = defineUpdate<PipState, [PipDecisionInput]>('pip.decide');
export const pipRevisionUpdate = defineUpdate<PipState, [PipRevisionInput]>('pip.revise');
export const pipAcknowledgementUpdate = defineUpdate<PipState, [PipAcknowledgementInput]>('pip.acknowledge');
export const pipCheckInUpdate = defineUpdate<PipState, [PipCheckInInput]>('pip.checkIn');
export const pipMidpointReviewUpdate = defineUpdate<PipState, [PipNoteInput]>('pip.midpointReview');
export const pipCommentUpdate = defineUpdate<PipState, [PipNoteInput]>('pip.comment');
export const pipOutcomeUpdate = defineUpdate<PipState, [PipOutcomeInput]>('pip.outcome');
export const pipWithdrawUpdate = defineUpdate<PipState, [PipWithdrawInput]>('pip.withdraw');

// A Query handler returns a value: it must not mutate the Workflow state.
export const pipStateQuery = defineQuery<PipState>('pip.state');

