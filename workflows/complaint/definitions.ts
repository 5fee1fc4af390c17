import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApprovalLevel, CalendarSpec, Compensation, ComplaintClocks, ComplaintIntake, ComplaintStatus, PastCompensation, Priority, SlaPolicies } from '@steward/domain';
import type { ApprovalState } from '../common/approval-process';
import type { RecorderState } from '../common/case-recorder';
import type { EscalationTargets } from './activities';

export const COMPLAINT_WORKFLOW = 'complaintWorkflow';
export const complaintWorkflowId = (caseId: string) => `complaint-${caseId}`;

/**
 * A complaint continues as new past this many history events (the API passes it; the kit's default is 5000): a
 * worker whose cache cannot hold every open complaint replays one from its history at each step, so it stays short.
 * A complaint's whole life is typically 60-120 events, so only long-running, much-handled ones ever reach it.
 */
export const COMPLAINT_HISTORY_LIMIT = 1000;

export interface ComplaintInput {
  caseId: string;
  createdBy: string;
  intake: ComplaintIntake;
  /** Snapshot of the SLA policies at intake: a complaint keeps the rules it was opened under. */
  policies: SlaPolicies;
  compensationThreshold: number;
  approvalPolicy: { reminderAfterMs: number; escalateAfterMs: number };
  /** Continue as new past this many history events (tests set it low). */
  historyLimit?: number;
  /** Present when continuing as new: everything the previous run knew. */
  carried?: ComplaintCarried;
}

export interface ComplaintCarried {
  state: ComplaintState;
  recorder: RecorderState;
  approval: ApprovalState | null;
  participants: string[];
  /** The ladder above the owner, looked up at open and at each transfer (absent: runs that look up each step). */
  ladder?: ComplaintLadder;
}

/** Who each rung brings in above `ownerId`: while they own the complaint, a ladder step reads the directory no more. */
export interface ComplaintLadder {
  ownerId: string;
  targets: EscalationTargets;
}

/** The complaint's whole state: what the read model stores and what continue-as-new carries. */
export interface ComplaintState {
  id: string;
  workflowId: string;
  status: ComplaintStatus;
  customer: ComplaintIntake['customer'];
  channel: ComplaintIntake['channel'];
  subject: string;
  description: string;
  severity: ComplaintIntake['severity'];
  priority: Priority;
  ownerId: string;
  team: string;
  escalationLevel: number;
  /** Raw clocks; the API turns them into `sla` views at read time. */
  clocks: ComplaintClocks;
  /** The priority's calendar, by name and as specified: readers compute targets with it. */
  calendar: string;
  calendarSpec: CalendarSpec;
  breached: boolean;
  reopenCount: number;
  responses: { by: string; message: string; at: string; kind: 'first_response' | 'update' }[];
  transfers: { from: string; to: string; by: string; reason: string; at: string }[];
  pauses: { by: string; reason: string; at: string; resumedAt: string | null }[];
  priorityChanges: { from: Priority; to: Priority; severity: ComplaintIntake['severity']; by: string; reason: string; at: string }[];
  resolution: { summary: string; by: string; at: string; compensation: (Compensation & { status: 'not_required' | 'pending' | 'approved' | 'rejected' }) | null } | null;
  compensationApproval: ApprovalLevel[];
  /**
   * Compensation granted in earlier cycles (before each reopen): the approval threshold applies to their sum
   * with a new proposal. Absent in states carried from runs that did not keep it.
   */
  pastCompensation?: PastCompensation[];
  /** Who may not decide on the pending compensation: its owner and resolver when it was asked for. */
  compensationExcluded: string[];
  feedback: { satisfied: boolean; comment: string | null; by: string; at: string }[];
  firstResponseAt: string | null;
  resolvedAt: string | null;
  closedAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export interface Actor {
  actorId: string;
  /** From the directory, read by the API for this request. */
  roles: string[];
}

export type RespondInput = Actor & { message: string };
export type TransferInput = Actor & { toUserId: string; reason: string };
export type PauseInput = Actor & { reason: string };
export type ResumeInput = Actor;
export type PriorityInput = Actor & { severity: ComplaintIntake['severity']; reason: string };
export type ResolutionInput = Actor & { summary: string; compensation: Compensation | null };
export type CompensationDecisionInput = Actor & { decision: 'approve' | 'reject'; comment: string | null };
export type FeedbackInput = Actor & { satisfied: boolean; comment: string | null };

export const openedUpdate = defineUpdate<ComplaintState>('complaint.opened');
export const respondUpdate = defineUpdate<ComplaintState, [RespondInput]>('complaint.respond');
export const transferUpdate = defineUpdate<ComplaintState, [TransferInput]>('complaint.transfer');
export const pauseUpdate = defineUpdate<ComplaintState, [PauseInput]>('complaint.pause');
export const resumeUpdate = defineUpdate<ComplaintState, [ResumeInput]>('complaint.resume');
export const priorityUpdate = defineUpdate<ComplaintState, [PriorityInput]>('complaint.priority');
export const resolutionUpdate = defineUpdate<ComplaintState, [ResolutionInput]>('complaint.resolution');
export const compensationDecisionUpdate = defineUpdate<ComplaintState, [CompensationDecisionInput]>('complaint.compensationDecision');
export const feedbackUpdate = defineUpdate<ComplaintState, [FeedbackInput]>('complaint.feedback');

// A Query handler returns a value: it must not mutate the Workflow state.
export const complaintStateQuery = defineQuery<ComplaintState>('complaint.state');
