import 'reflect-metadata';
import { ValidationPipe } from '@nestjs/common';
import { DecisionDto } from '../change-requests/dto/change-request-actions.dto';
import { SubmitChangeRequestDto } from '../change-requests/dto/submit-change-request.dto';
import { StewardErrorCode, StewardException } from './steward.exception';
import { createValidationPipe } from './validation';

type Metatype = typeof SubmitChangeRequestDto | typeof DecisionDto;

const validBody = {
  title: '  Upgrade billing-db to Postgres 18  ',
  description: 'Minor version upgrade with a failover.',
  type: 'normal',
  probability: 'low',
  impact: 'medium',
  affectedSystems: ['billing-db'],
  plannedStart: '2026-12-01T22:00:00Z',
  plannedEnd: '2026-12-01T23:00:00Z',
  rollbackPlan: 'Fail back to the old primary.',
  implementerId: 'carol',
};

describe('createValidationPipe', () => {
  let pipe: ValidationPipe;
  beforeEach(() => {
    pipe = createValidationPipe();
  });

  const validate = (body: unknown, metatype: Metatype): Promise<unknown> => pipe.transform(body, { type: 'body', metatype });

  /** The StewardException the pipe rejects `body` with; fails the test when it accepts it. */
  async function refusal(body: unknown, metatype: Metatype): Promise<StewardException> {
    const outcome = await validate(body, metatype).then(
      (value) => new Error(`expected the body to be refused, but it was accepted as ${JSON.stringify(value)}`),
      (error: unknown) => error,
    );
    if (outcome instanceof StewardException) return outcome;
    throw outcome;
  }

  const fields = (error: StewardException) => error.details.map((d) => d.field);

  describe('with SubmitChangeRequestDto', () => {
    it('accepts a valid body and returns a SubmitChangeRequestDto', async () => {
      const result = await validate(validBody, SubmitChangeRequestDto);
      expect(result).toBeInstanceOf(SubmitChangeRequestDto);
      expect(result).toMatchObject({ type: 'normal', affectedSystems: ['billing-db'], implementerId: 'carol' });
    });

    it('trims text fields', async () => {
      expect(await validate(validBody, SubmitChangeRequestDto)).toMatchObject({ title: 'Upgrade billing-db to Postgres 18' });
    });

    it('normalises planned times to ISO 8601 UTC with milliseconds', async () => {
      const result = await validate(
        { ...validBody, plannedStart: '2026-12-01T23:30:00+01:00', plannedEnd: '2026-12-01T23:00:00Z' },
        SubmitChangeRequestDto,
      );
      expect(result).toMatchObject({ plannedStart: '2026-12-01T22:30:00.000Z', plannedEnd: '2026-12-01T23:00:00.000Z' });
    });

    it('refuses an unknown field, naming it', async () => {
      const error = await refusal({ ...validBody, priority: 'urgent' }, SubmitChangeRequestDto);
      expect(error.code).toBe(StewardErrorCode.INVALID_INPUT);
      expect(error.status).toBe(400);
      expect(fields(error)).toEqual(['priority']);
      expect(error.message).toContain('priority');
    });

    it('refuses a plannedEnd before plannedStart, naming plannedEnd', async () => {
      const error = await refusal({ ...validBody, plannedEnd: '2026-12-01T21:00:00Z' }, SubmitChangeRequestDto);
      expect(error.details).toEqual([{ field: 'plannedEnd', messages: ['plannedEnd must be after plannedStart'] }]);
    });

    it('refuses a plannedEnd equal to plannedStart', async () => {
      const error = await refusal({ ...validBody, plannedEnd: validBody.plannedStart }, SubmitChangeRequestDto);
      expect(fields(error)).toEqual(['plannedEnd']);
    });

    it('refuses an empty affectedSystems list, naming it', async () => {
      const error = await refusal({ ...validBody, affectedSystems: [] }, SubmitChangeRequestDto);
      expect(fields(error)).toEqual(['affectedSystems']);
    });

    it('refuses a title that is only whitespace', async () => {
      const error = await refusal({ ...validBody, title: '   ' }, SubmitChangeRequestDto);
      expect(fields(error)).toEqual(['title']);
    });

    it('refuses a type outside standard/normal/emergency', async () => {
      const error = await refusal({ ...validBody, type: 'urgent' }, SubmitChangeRequestDto);
      expect(fields(error)).toEqual(['type']);
    });

    it('gives one message per field and names every bad field', async () => {
      const error = await refusal({ ...validBody, title: '', impact: 'huge', implementerId: 'not a user id' }, SubmitChangeRequestDto);
      expect(fields(error).sort()).toEqual(['impact', 'implementerId', 'title']);
      expect(error.details.every((d) => d.messages.length === 1)).toBe(true);
    });

    // Non-ISO strings must be refused, not reinterpreted: Date.parse reads them in the server's local time zone.
    it.each([
      ['a US-style date', '12/01/2026 22:00'],
      ['an English date', 'December 1, 2026 22:00 UTC'],
      ['a bare number', '1'],
      ['a local time without a time zone', '2026-12-01T22:00:00'],
    ])('refuses %s as plannedStart: it is not ISO 8601', async (_label, plannedStart) => {
      const error = await refusal({ ...validBody, plannedStart, plannedEnd: '2030-01-01T00:00:00Z' }, SubmitChangeRequestDto);
      expect(fields(error)).toEqual(['plannedStart']);
    });
  });

  describe('with DecisionDto', () => {
    it('accepts an approval without a comment', async () => {
      const result = await validate({ decision: 'approve' }, DecisionDto);
      expect(result).toBeInstanceOf(DecisionDto);
      expect(result).toEqual({ decision: 'approve' });
    });

    it('accepts an approval with a comment', async () => {
      expect(await validate({ decision: 'approve', comment: 'LGTM' }, DecisionDto)).toEqual({ decision: 'approve', comment: 'LGTM' });
    });

    it.each(['reject', 'request_changes'])('refuses %s without a comment, naming comment', async (decision) => {
      const error = await refusal({ decision }, DecisionDto);
      expect(fields(error)).toEqual(['comment']);
    });

    it('refuses a rejection with an empty comment, saying a comment is required', async () => {
      const error = await refusal({ decision: 'reject', comment: '' }, DecisionDto);
      expect(error.details).toEqual([{ field: 'comment', messages: ['comment is required to reject or request changes'] }]);
    });

    it('accepts a rejection with a comment', async () => {
      expect(await validate({ decision: 'reject', comment: 'No rollback tested' }, DecisionDto)).toEqual({
        decision: 'reject',
        comment: 'No rollback tested',
      });
    });

    it('refuses an unknown decision, naming decision', async () => {
      const error = await refusal({ decision: 'maybe', comment: 'why not' }, DecisionDto);
      expect(fields(error)).toEqual(['decision']);
    });
  });
});
