import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsInt, IsObject, ValidateNested } from 'class-validator';
import { DECISIONS, Decision, GOAL_STATUSES, GoalStatus, MAX_PIP_GOALS, PIP_OUTCOMES, PipOutcome } from '@steward/domain';
import { IsCommentRequiredWhen, IsOneOf, IsText } from '../../common/validation';
import { IsOptionalIsoDuration } from './iso-duration.validator';

/** A trimmed comment, required (non-empty) when `required` holds, optional otherwise. */
export class PipDecisionDto {
  @IsOneOf(DECISIONS, 'Decides whichever approval the plan waits for: the plan, an extension or a separation')
  decision: Decision;

  @IsCommentRequiredWhen<PipDecisionDto>((o) => o.decision !== 'approve', 'Required for reject and request_changes', 'comment is required to reject or request changes')
  comment?: string;
}

export class PipAcknowledgementDto {
  @ApiProperty({ description: 'false records a refusal (a comment is then required); the plan goes ahead either way' })
  @IsBoolean()
  acknowledged: boolean;

  @IsCommentRequiredWhen<PipAcknowledgementDto>((o) => o.acknowledged === false, 'Required to refuse', 'comment is required to refuse the acknowledgement')
  comment?: string;
}

export class PipGoalRatingDto {
  @ApiProperty({ description: "0-based index into the plan's goals", minimum: 0, example: 0 })
  @IsInt()
  index: number;

  @IsOneOf(GOAL_STATUSES)
  status: GoalStatus;
}

export class PipCheckInDto {
  @ApiProperty({ type: [PipGoalRatingDto], minItems: 1, maxItems: MAX_PIP_GOALS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PIP_GOALS)
  @IsObject({ each: true })
  @ValidateNested({ each: true })
  @Type(() => PipGoalRatingDto)
  goals: PipGoalRatingDto[];

  @IsText(10_000, 'What was discussed; the coaching given')
  note: string;
}

export class PipNoteDto {
  @IsText(10_000)
  note: string;
}

export class PipOutcomeDto {
  @IsOneOf(PIP_OUTCOMES, 'passed closes the plan; extended asks HR for more time (once); failed asks for a separation')
  outcome: PipOutcome;

  @IsText(10_000, 'The final review')
  note: string;

  @IsOptionalIsoDuration('P14D', "Required when extended; at most the policy's maxExtension")
  extension?: string;
}

export class PipWithdrawDto {
  @IsText(5000)
  reason: string;
}
