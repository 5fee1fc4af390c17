import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { APPROVAL_REQUEST_STATUSES, ApprovalRequestStatus, DECISIONS, Decision } from '@steward/domain';
import { IsCommentRequiredWhen, IsOneOf, IsText, PageQueryDto } from '../../common/validation';

export class ApprovalRequestDecisionDto {
  @IsOneOf(DECISIONS)
  decision: Decision;

  @IsCommentRequiredWhen<ApprovalRequestDecisionDto>((o) => o.decision !== 'approve', 'Required for reject and request_changes', 'comment is required to reject or request changes')
  comment?: string;
}

export class WithdrawApprovalRequestDto {
  @IsText(5000)
  reason: string;
}

export class FulfilmentDto {
  @IsText(5000, 'What was done (order number, account granted, payment reference)')
  note: string;
}

export class ListApprovalRequestsDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'purchase' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'type must be a request type name' })
  type?: string;

  @ApiPropertyOptional({ enum: APPROVAL_REQUEST_STATUSES })
  @IsOptional()
  @IsIn(APPROVAL_REQUEST_STATUSES)
  status?: ApprovalRequestStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'requesterId must be a directory user id' })
  requesterId?: string;
}
