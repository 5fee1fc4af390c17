import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsNumber, IsObject, IsOptional, IsPositive, Matches, Max, ValidateNested } from 'class-validator';
import { Severity, SEVERITIES } from '@steward/domain';
import { IsCommentRequiredWhen, IsOneOf, IsOptionalText, IsText, IsUserId } from '../../common/validation';

export class RespondDto {
  @IsText(10_000, 'What the customer is told')
  message: string;
}

export class TransferDto {
  @IsUserId('Service staff member who takes the complaint over')
  toUserId: string;

  @IsText(2000)
  reason: string;
}

export class PauseDto {
  @IsText(2000, 'Why the complaint waits for the customer')
  reason: string;
}

export class ResumeDto {}

export class PriorityDto {
  @IsOneOf(SEVERITIES)
  severity: Severity;

  @IsText(2000)
  reason: string;
}

export class CompensationDto {
  @ApiProperty({ example: 1500 })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @IsPositive()
  @Max(1_000_000_000)
  amount: number;

  @ApiProperty({ example: 'CNY', description: 'ISO 4217 code' })
  @Matches(/^[A-Z]{3}$/, { message: 'compensation.currency must be an ISO 4217 code such as CNY' })
  currency: string;
}

export class ResolutionDto {
  @IsText(10_000)
  summary: string;

  @ApiPropertyOptional({ type: CompensationDto, description: 'Above COMPENSATION_APPROVAL_THRESHOLD a supervisor must approve it' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => CompensationDto)
  compensation?: CompensationDto;
}

export class CompensationDecisionDto {
  @IsOneOf(['approve', 'reject'] as const)
  decision: 'approve' | 'reject';

  @IsCommentRequiredWhen<CompensationDecisionDto>((o) => o.decision === 'reject', 'Required to reject', 'comment is required to reject')
  comment?: string;
}

export class FeedbackDto {
  @ApiProperty({ description: 'true closes the complaint; false reopens it' })
  @IsBoolean()
  satisfied: boolean;

  @IsOptionalText(5000)
  comment?: string;
}
