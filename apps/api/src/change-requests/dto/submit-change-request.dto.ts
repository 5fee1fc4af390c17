import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  isISO8601,
  IsISO8601,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  registerDecorator,
  ValidationArguments,
} from 'class-validator';
import { CHANGE_TYPES, ChangeType, Likelihood, LIKELIHOODS } from '@steward/domain';
import { IsOneOf, IsText, IsUserId } from '../../common/validation';

/** plannedEnd must come after plannedStart (when both are valid dates). */
function IsAfter(other: string) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isAfter',
      target: object.constructor,
      propertyName,
      constraints: [other],
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          const start = Date.parse((args.object as Record<string, string>)[other]);
          const end = Date.parse(String(value));
          return Number.isNaN(start) || Number.isNaN(end) || end > start;
        },
        defaultMessage: (args: ValidationArguments) => `${args.property} must be after ${other}`,
      },
    });
}

const ISO_UTC = { strict: true, strictSeparator: true };
const HAS_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

/** An ISO 8601 instant with an explicit offset (Z or +hh:mm), normalised to UTC; anything else is left for the validators to refuse. */
function IsInstant(example: string) {
  return applyDecorators(
    ApiProperty({ format: 'date-time', example }),
    Transform(({ value }) =>
      typeof value === 'string' && isISO8601(value, ISO_UTC) && HAS_OFFSET.test(value) ? new Date(value).toISOString() : value,
    ),
    IsISO8601(ISO_UTC),
    Matches(HAS_OFFSET, { message: '$property must give its time zone (Z or +hh:mm)' }),
  );
}

export class SubmitChangeRequestDto {
  @IsText(200, 'Short summary of the change')
  title: string;

  @IsText(10_000)
  description: string;

  @IsOneOf(CHANGE_TYPES, 'standard: pre-approved (low risk only); normal: risk-based route; emergency: one CAB approval and a review afterwards')
  type: ChangeType;

  @IsOneOf(LIKELIHOODS)
  probability: Likelihood;

  @IsOneOf(LIKELIHOODS)
  impact: Likelihood;

  @ApiProperty({ type: [String], minItems: 1, example: ['billing-db'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(200, { each: true })
  affectedSystems: string[];

  @IsInstant('2026-12-01T22:00:00Z')
  plannedStart: string;

  @IsInstant('2026-12-01T23:00:00Z')
  @IsAfter('plannedStart')
  plannedEnd: string;

  @IsText(10_000, 'How to undo the change if it fails')
  rollbackPlan: string;

  @IsUserId('Directory user who will implement the change')
  implementerId: string;
}
