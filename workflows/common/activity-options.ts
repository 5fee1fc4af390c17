import { ActivityOptions, proxyActivities } from '@temporalio/workflow';

/**
 * Every case activity reads or writes Postgres. Unlimited retries: the read model must eventually hold every
 * step, even across a database outage, and every activity is idempotent.
 */
export const CASE_ACTIVITY_OPTIONS: ActivityOptions = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
};

/** A case type's activities, typed by the interface its worker module implements. */
export function caseActivities<A extends object>(): A {
  return proxyActivities<A>(CASE_ACTIVITY_OPTIONS) as A;
}
