/**
 * Failure types a workflow's update validator uses to refuse an action. The API maps each to an HTTP status,
 * so the workflow stays the authority on who may do what, and when.
 */
export const CaseFailure = {
  forbidden: 'StewardForbidden',
  conflict: 'StewardConflict',
  invalid: 'StewardInvalid',
} as const;
export type CaseFailureType = (typeof CaseFailure)[keyof typeof CaseFailure];
