import type { CaseActivities } from '../common/activities';

export interface PipActivities extends CaseActivities {
  /**
   * Holders of the `hr` role now, less `excluded` (the employee and the manager: segregation of duties), sorted.
   * Read whenever HR is needed, so a plan that runs for months reaches the HR staff of the day.
   */
  pipHrStaff(excluded: string[]): Promise<string[]>;
}
