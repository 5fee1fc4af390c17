import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsNumber, IsObject, IsOptional, IsPositive, IsString, Matches, Max, MaxLength, MinLength, ValidateIf, ValidateNested } from 'class-validator';
import { Severity, SEVERITIES } from '@steward/domain';
import { IsOneOf, IsOptionalText, IsText, IsUserId } from '../../common/validation';

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

  @ApiPropertyOptional({ description: 'Required to reject', maxLength: 5000 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @ValidateIf((o: CompensationDecisionDto) => o.decision === 'reject' || o.comment !== undefined)
  @IsString()
  @MinLength(1, { message: 'comment is required to reject' })
  @MaxLength(5000)
  comment?: string;
}

export class FeedbackDto {
  @ApiProperty({ description: 'true closes the complaint; false reopens it' })
  @IsBoolean()
  satisfied: boolean;

  @IsOptionalText(5000)
  comment?: string;
}
