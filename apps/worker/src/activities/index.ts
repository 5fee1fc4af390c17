import { CaseActivitiesService } from './case.activities';
import { ChangeRequestActivitiesService } from './change-request.activities';
import { ComplaintActivitiesService } from './complaint.activities';
import { CrisisActivitiesService } from './crisis.activities';
import { PipActivitiesService } from './pip.activities';

/** Every activity service the worker hosts; a new case type adds its own here. */
export const ACTIVITY_PROVIDERS = [
  CaseActivitiesService,
  ChangeRequestActivitiesService,
  ComplaintActivitiesService,
  CrisisActivitiesService,
  PipActivitiesService,
];

export type { ActivityProvider } from './activity-provider';
