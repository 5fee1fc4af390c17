import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { APPROVAL_REQUEST_STATUSES, ApprovalRequestStatus, DECISIONS, Decision } from '@steward/domain';
import { IsOneOf, IsText, PageQueryDto } from '../../common/validation';

export class ApprovalRequestDecisionDto {
  @IsOneOf(DECISIONS)
  decision: Decision;

  @ApiPropertyOptional({ description: 'Required for reject and request_changes', maxLength: 5000 })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @ValidateIf((o: ApprovalRequestDecisionDto) => o.decision !== 'approve' || o.comment !== undefined)
  @IsString()
  @MinLength(1, { message: 'comment is required to reject or request changes' })
  @MaxLength(5000)
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
