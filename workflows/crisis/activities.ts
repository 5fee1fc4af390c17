import type { CaseActivities } from '../common/activities';

export interface CrisisActivities extends CaseActivities {
  /** Every holder of the `executive` role, read from the directory now (alerts, overdue holding statements, post-mortem review). */
  crisisExecutives(): Promise<string[]>;
}
