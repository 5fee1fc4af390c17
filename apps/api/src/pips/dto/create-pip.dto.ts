import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject, ValidateNested } from 'class-validator';
import { MAX_PIP_GOALS } from '@steward/domain';
import { IsText, IsUserId } from '../../common/validation';
import { IsIsoDuration } from './iso-duration.validator';

export class PipGoalDto {
  @IsText(500, 'What the employee is to achieve')
  title: string;

  @IsText(1000, 'How progress is measured')
  measure: string;

  @IsText(500, 'The level that counts as met')
  target: string;
}

export class CreatePipDto {
  @IsUserId('The employee the plan is for; the caller must be their manager in the directory')
  employeeId: string;

  @IsText(10_000, 'Why the plan is needed: the targets missed')
  reason: string;

  @ApiProperty({ type: [PipGoalDto], minItems: 1, maxItems: MAX_PIP_GOALS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PIP_GOALS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PipGoalDto)
  goals: PipGoalDto[];

  @IsText(5000, 'Resources the employee gets (training, pairing, tools)')
  resources: string;

  @IsText(5000, "The manager's support (coaching, 1:1s)")
  support: string;

  @IsIsoDuration('P60D', "Within the policy's minDuration and maxDuration")
  duration: string;

  @IsIsoDuration('P7D', 'Shorter than duration')
  checkInEvery: string;
}

/**
 * Any draft fields but the employee; the rest stay as they were. HR approval starts again. A field given as null
 * is validated like any other value (400), not skipped as if it were absent (`goals: null` was a 500).
 */
export class RevisePipDto extends PartialType(OmitType(CreatePipDto, ['employeeId'] as const), { skipNullProperties: false }) {}

