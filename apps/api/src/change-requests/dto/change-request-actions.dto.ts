import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { DECISIONS, Decision } from '@steward/domain';
import { IsOneOf, IsOptionalText, IsText } from '../../common/validation';

export class DecisionDto {
  @IsOneOf(DECISIONS)
  decision: Decision;

  @ApiPropertyOptional({ description: 'Required for reject and request_changes', maxLength: 5000 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @ValidateIf((o: DecisionDto) => o.decision !== 'approve' || o.comment !== undefined)
  @IsString()
  @MinLength(1, { message: 'comment is required to reject or request changes' })
  @MaxLength(5000)
  comment?: string;
}

export class WithdrawDto {
  @IsText(5000)
  reason: string;
}

export class ImplementationDto {
  @IsOneOf(['started', 'completed', 'failed'] as const)
  event: 'started' | 'completed' | 'failed';

  @IsOptionalText(5000)
  note?: string;
}

export class VerificationDto {
  @IsOneOf(['verified', 'failed'] as const)
  outcome: 'verified' | 'failed';

  @IsOptionalText(5000)
  note?: string;
}

export class ReviewDto {
  @IsText(5000)
  note: string;
}

