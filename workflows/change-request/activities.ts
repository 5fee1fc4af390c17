import type { LevelSpec } from '@steward/domain';
import type { CaseActivities } from '../common/activities';

export interface ChangeApprovalPlanRequest {
  requesterId: string;
  implementerId: string;
  type: 'standard' | 'normal' | 'emergency';
  riskLevel: string;
}

export type ChangeApprovalPlan =
  | { ok: true; levels: LevelSpec[]; reviewerId: string | null }
  | { ok: false; problem: string };

export interface ChangeRequestActivities extends CaseActivities {
  /** Resolves the approval route to people, applying segregation of duties. */
  planChangeApprovals(request: ChangeApprovalPlanRequest): Promise<ChangeApprovalPlan>;
}
