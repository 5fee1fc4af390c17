import { DECISIONS, Decision } from '@steward/domain';
import { IsCommentRequiredWhen, IsOneOf, IsOptionalText, IsText } from '../../common/validation';

export class DecisionDto {
  @IsOneOf(DECISIONS)
  decision: Decision;

  @IsCommentRequiredWhen<DecisionDto>((o) => o.decision !== 'approve', 'Required for reject and request_changes', 'comment is required to reject or request changes')
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

