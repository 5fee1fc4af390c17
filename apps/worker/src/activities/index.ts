import { ApprovalRequestActivitiesService } from './approval-request.activities';
import { CaseActivitiesService } from './case.activities';
import { ChangeRequestActivitiesService } from './change-request.activities';
import { ComplaintActivitiesService } from './complaint.activities';
import { DelegationActivitiesService } from './delegation.activities';
import { CrisisActivitiesService } from './crisis.activities';
import { PipActivitiesService } from './pip.activities';

/** Every activity service the worker hosts; a new case type adds its own here. */
export const ACTIVITY_PROVIDERS = [
  CaseActivitiesService,
  ChangeRequestActivitiesService,
  ComplaintActivitiesService,
  CrisisActivitiesService,
  PipActivitiesService,
  ApprovalRequestActivitiesService,
  DelegationActivitiesService,
];

export type { ActivityProvider } from './activity-provider';
