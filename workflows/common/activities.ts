import type { CaseCommit, LevelSpec } from '@steward/domain';

/** What the worker offers workflows. Workflows import this as a type only; the worker implements it. */
export interface CaseActivities {
  /** Writes the case's read model, tasks, notifications and audit events in one transaction. Idempotent. */
  commitCase(commit: CaseCommit): Promise<void>;
  /** Each user's manager from the directory (null when they have none). */
  managersOf(userIds: string[]): Promise<Record<string, string | null>>;
}

export interface ChangeApprovalPlanRequest {
  requesterId: string;
  implementerId: string;
  type: 'standard' | 'normal' | 'emergency';
  riskLevel: string;
}

export type ChangeApprovalPlan =
  | { ok: true; levels: LevelSpec[]; reviewerId: string | null }
  | { ok: false; problem: string };

export type EscalationRole = 'team_lead' | 'supervisor' | 'manager';

export interface ComplaintActivities extends CaseActivities {
  /** The agent of the team with the fewest open complaints (ties: alphabetical). */
  pickComplaintOwner(team: string): Promise<string>;
  /** Who the ladder brings in above the owner, from the directory's teams and reporting lines. */
  escalationTarget(ownerId: string, role: EscalationRole): Promise<string | null>;
  /** Supervisors who may approve compensation, less those excluded by segregation of duties. */
  compensationApprovers(excluded: string[]): Promise<string[]>;
}

export interface ChangeRequestActivities extends CaseActivities {
  /** Resolves the approval route to people, applying segregation of duties. */
  planChangeApprovals(request: ChangeApprovalPlanRequest): Promise<ChangeApprovalPlan>;
}
