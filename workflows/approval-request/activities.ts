import type { ApprovalType, FieldValues, RoutePlan } from '@steward/domain';
import type { CaseActivities, DelegationActivities } from '../common/activities';

export interface ApprovalRoutePlanRequest {
  requesterId: string;
  definition: ApprovalType;
  fields: FieldValues;
}

export interface ApprovalRequestActivities extends CaseActivities, DelegationActivities {
  /** Resolves the type's route for these fields to directory users (levels whose `when` is false left out). */
  planApprovalRoute(request: ApprovalRoutePlanRequest): Promise<RoutePlan>;
  /** Holders of a role, from the directory: who fulfils an approved request. */
  roleHolders(role: string): Promise<string[]>;
}
