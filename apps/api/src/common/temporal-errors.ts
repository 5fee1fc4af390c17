import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { CaseFailure } from '@steward/domain';
import { StewardErrorCode, StewardException } from './steward.exception';

const CODES: Record<string, StewardErrorCode> = {
  [CaseFailure.forbidden]: StewardErrorCode.FORBIDDEN,
  [CaseFailure.conflict]: StewardErrorCode.CONFLICT,
  [CaseFailure.invalid]: StewardErrorCode.INVALID_INPUT,
};

/** Turns a workflow's refusal of an update (its validator's verdict) into the matching HTTP error. */
export function toHttpError(err: unknown): unknown {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const code = err.cause.type ? CODES[err.cause.type] : undefined;
    // A workflow's "invalid" refusal names the field it objects to, as the first detail.
    const field = (err.cause.details?.[0] as { field?: string } | undefined)?.field;
    if (code) return new StewardException(code, err.cause.message, field ? [{ field, messages: [err.cause.message] }] : []);
  }
  if (err instanceof Error && err.name === 'WorkflowNotFoundError') {
    return StewardException.conflict('the case has finished and accepts no more actions');
  }
  return err;
}
