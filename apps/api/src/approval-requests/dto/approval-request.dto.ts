import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, Matches } from 'class-validator';
import type { ApprovalLevel, ApprovalRequestStatus, FieldValues } from '@steward/domain';
import { APPROVAL_REQUEST_STATUSES } from '@steward/domain';
import type { ApprovalRequestView } from '@steward/workflows/approval-request/definitions';
import { ApprovalLevelDto } from '../../cases/dto/approval-level.dto';
import { IsOptionalText, IsText } from '../../common/validation';

const FIELDS_SCHEMA = {
  type: 'object',
  additionalProperties: true,
  description: "The type's fields: strings, numbers, dates (YYYY-MM-DD), user ids, enum values, money as { value, currency }",
  example: { amount: { value: 25000, currency: 'CNY' }, vendor: 'Lenovo', justification: 'Laptops for the new hires' },
} as const;

export class SubmitApprovalRequestDto {
  @ApiProperty({ description: 'A request type from GET /approval-types', example: 'purchase' })
  @Matches(/^[a-z][a-z0-9_]{0,49}$/, { message: 'type must be a request type name (see GET /approval-types)' })
  type: string;

  @IsText(200, 'Short summary of the request')
  title: string;

  @ApiProperty(FIELDS_SCHEMA)
  @IsObject({ message: 'fields must be an object' })
  fields: Record<string, unknown>;
}

/** A new title and/or fields; given fields replace those of the request (null removes an optional one). */
export class ReviseApprovalRequestDto {
  @IsOptionalText(200)
  title?: string;

  @ApiPropertyOptional(FIELDS_SCHEMA)
  @IsOptional()
  @IsObject({ message: 'fields must be an object' })
  fields?: Record<string, unknown>;
}

class FulfilmentView {
  @ApiProperty() role: string;
  @ApiProperty({ type: [String] }) assignees: string[];
  @ApiProperty({ nullable: true, type: String }) note: string | null;
  @ApiProperty({ nullable: true, type: String }) by: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) at: string | null;
}

class WithdrawalDto {
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ApprovalRequestResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() workflowId: string;
  @ApiProperty({ example: 'purchase' }) type: string;
  @ApiProperty({ example: 'Purchase request' }) typeTitle: string;
  @ApiProperty() title: string;
  @ApiProperty(FIELDS_SCHEMA) fields: FieldValues;
  @ApiProperty({ enum: APPROVAL_REQUEST_STATUSES }) status: ApprovalRequestStatus;
  @ApiProperty() requesterId: string;
  @ApiProperty({ type: [ApprovalLevelDto] }) approvalLevels: ApprovalLevel[];
  @ApiProperty({ type: 'array', items: { type: 'array', items: { $ref: '#/components/schemas/ApprovalLevelDto' } } }) previousRounds: ApprovalLevel[][];
  @ApiProperty({ nullable: true, type: String }) currentLevel: string | null;
  @ApiProperty() revision: number;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) decidedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) decidedBy: string | null;
  @ApiProperty({ nullable: true, type: FulfilmentView }) fulfilment: FulfilmentView | null;
  @ApiProperty({ nullable: true, type: WithdrawalDto }) withdrawal: WithdrawalDto | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) closedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class ApprovalRequestPageDto {
  @ApiProperty({ type: [ApprovalRequestResponseDto] }) items: ApprovalRequestResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

/** The stored view is the response: the mapper copies it field by field, so nothing else leaks out. */
export function mapApprovalRequest(v: ApprovalRequestView): ApprovalRequestResponseDto {
  return {
    id: v.id,
    workflowId: v.workflowId,
    type: v.type,
    typeTitle: v.typeTitle,
    title: v.title,
    fields: v.fields,
    status: v.status,
    requesterId: v.requesterId,
    approvalLevels: v.approvalLevels,
    previousRounds: v.previousRounds,
    currentLevel: v.currentLevel,
    revision: v.revision,
    decidedAt: v.decidedAt,
    decidedBy: v.decidedBy,
    fulfilment: v.fulfilment,
    withdrawal: v.withdrawal,
    closedAt: v.closedAt,
    createdAt: v.createdAt,
    updatedAt: v.updatedAt,
  };
}
