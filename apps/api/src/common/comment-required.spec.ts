import 'reflect-metadata';
import { ApprovalRequestDecisionDto } from '../approval-requests/dto/approval-request-actions.dto';
import { DecisionDto } from '../change-requests/dto/change-request-actions.dto';
import { CompensationDecisionDto } from '../complaints/dto/complaint-actions.dto';
import { StatementDecisionDto } from '../crises/dto/crisis-requests.dto';
import { PipAcknowledgementDto, PipDecisionDto } from '../pips/dto/pip-actions.dto';
import { StewardException } from './steward.exception';
import { createValidationPipe } from './validation';

/** Every decision whose refusal needs a comment: [dto, a body that needs one, the message, a body that does not]. */
const CASES = [
  [DecisionDto, { decision: 'reject' }, 'comment is required to reject or request changes', { decision: 'approve' }],
  [ApprovalRequestDecisionDto, { decision: 'request_changes' }, 'comment is required to reject or request changes', { decision: 'approve' }],
  [CompensationDecisionDto, { decision: 'reject' }, 'comment is required to reject', { decision: 'approve' }],
  [StatementDecisionDto, { decision: 'reject' }, 'comment is required to reject', { decision: 'approve' }],
  [PipDecisionDto, { decision: 'reject' }, 'comment is required to reject or request changes', { decision: 'approve' }],
  [PipAcknowledgementDto, { acknowledged: false }, 'comment is required to refuse the acknowledgement', { acknowledged: true }],
] as const;

async function problems(metatype: (typeof CASES)[number][0], body: unknown): Promise<unknown> {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype });
    return null;
  } catch (e) {
    if (!(e instanceof StewardException)) throw e;
    return { status: e.status, details: e.details };
  }
}

describe.each(CASES)('%p: a comment where one is required', (dto, needsOne, message, needsNone) => {
  it.each([
    ['missing', {}],
    ['null', { comment: null }],
    ['blank', { comment: '   ' }],
  ])('%s: 400 saying it is required', async (_, comment) => {
    expect(await problems(dto, { ...needsOne, ...comment })).toEqual({ status: 400, details: [{ field: 'comment', messages: [message] }] });
  });

  it('not a string, or too long: says so', async () => {
    expect(await problems(dto, { ...needsOne, comment: 5 })).toEqual({ status: 400, details: [{ field: 'comment', messages: ['comment must be a string'] }] });
    expect(await problems(dto, { ...needsOne, comment: 'x'.repeat(5001) })).toEqual({
      status: 400,
      details: [{ field: 'comment', messages: [expect.stringContaining('shorter than or equal to 5000')] }],
    });
  });

  it('accepted with one, and optional where none is needed', async () => {
    expect(await problems(dto, { ...needsOne, comment: 'Because' })).toBeNull();
    expect(await problems(dto, needsNone)).toBeNull();
  });
});
