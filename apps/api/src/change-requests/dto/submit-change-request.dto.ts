import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsISO8601,
  IsString,
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

  @ApiProperty({ format: 'date-time', example: '2026-12-01T22:00:00Z' })
  @IsISO8601(ISO_UTC)
  @Transform(({ value }) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : value))
  plannedStart: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-01T23:00:00Z' })
  @IsISO8601(ISO_UTC)
  @IsAfter('plannedStart')
  @Transform(({ value }) => (typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : value))
  plannedEnd: string;

  @IsText(10_000, 'How to undo the change if it fails')
  rollbackPlan: string;

  @IsUserId('Directory user who will implement the change')
  implementerId: string;
}
