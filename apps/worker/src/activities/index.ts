import { ApprovalRequestActivitiesService } from './approval-request.activities';
import { CaseActivitiesService } from './case.activities';
import { ChangeRequestActivitiesService } from './change-request.activities';
import { ComplaintActivitiesService } from './complaint.activities';
import { DelegationActivitiesService } from './delegation.activities';

/** Every activity service the worker hosts; a new case type adds its own here. */
export const ACTIVITY_PROVIDERS = [CaseActivitiesService, ChangeRequestActivitiesService, ComplaintActivitiesService, ApprovalRequestActivitiesService, DelegationActivitiesService];

export type { ActivityProvider } from './activity-provider';
