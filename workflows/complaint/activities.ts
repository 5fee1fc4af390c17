import type { CaseActivities } from '../common/activities';

export type EscalationRole = 'team_lead' | 'supervisor' | 'manager';

/** Whom each rung of the ladder above an owner brings in (null: nobody holds that place). */
export type EscalationTargets = Record<EscalationRole, string | null>;

export interface ComplaintActivities extends CaseActivities {
  /** The agent of the team with the fewest open complaints (ties: alphabetical). */
  pickComplaintOwner(team: string): Promise<string>;
  /** Who the ladder brings in above the owner, from the directory's teams and reporting lines. */
  escalationTarget(ownerId: string, role: EscalationRole): Promise<string | null>;
  /** pickComplaintOwner and the new owner's whole ladder, in one look-up: a ladder step then needs none. */
  complaintAssignment(team: string): Promise<{ ownerId: string; ladder: EscalationTargets }>;
  /** Every rung above this owner (escalationTarget for each role), for a transfer. */
  escalationTargets(ownerId: string): Promise<EscalationTargets>;
  /** Supervisors who may approve compensation, less those excluded by segregation of duties. */
  compensationApprovers(excluded: string[]): Promise<string[]>;
  /** For each user, the nearest supervisor above them in the reporting line (null: none). */
  supervisorsAbove(userIds: string[]): Promise<Record<string, string | null>>;
}
