import { ApplicationFailure } from '@temporalio/workflow';
import { CaseFailure } from '@steward/domain';

/**
 * Refusals an Update validator throws. The API maps each failure type to an HTTP status (403, 409, 400), so
 * the workflow stays the authority on who may do what, and when.
 */
export const forbidden = (message: string) => ApplicationFailure.create({ type: CaseFailure.forbidden, message, nonRetryable: true });

export const conflict = (message: string) => ApplicationFailure.create({ type: CaseFailure.conflict, message, nonRetryable: true });

/** `field` is the request field the API names in the 400's details. */
export const invalid = (field: string, message: string) =>
  ApplicationFailure.create({ type: CaseFailure.invalid, message, details: [{ field }], nonRetryable: true });
