import { ApiProperty } from '@nestjs/swagger';
import { CHANGE_STATUSES, CHANGE_TYPES, LIKELIHOODS, RISK_LEVELS } from '@steward/domain';
import type { ChangeRequestView } from '@steward/workflows/change-request/definitions';
import { ApprovalLevelDto } from '../../cases/dto/approval-level.dto';

const LEVELS = LIKELIHOODS;

class ImplementationDtoView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  startedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  failedAt: string | null;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;
}

class VerificationView {
  @ApiProperty({ enum: ['verified', 'failed'] })
  outcome: 'verified' | 'failed';

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty()
  by: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

class ReviewView {
  @ApiProperty({ description: 'emergency changes need a post-implementation review before close' })
  required: boolean;

  @ApiProperty({ type: String, nullable: true })
  note: string | null;

  @ApiProperty({ type: String, nullable: true })
  by: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  at: string | null;
}

class WithdrawalView {
  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ChangeRequestResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'change-request-<id>' })
  workflowId: string;

  @ApiProperty({ enum: CHANGE_STATUSES })
  status: ChangeRequestView['status'];

  @ApiProperty()
  title: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: CHANGE_TYPES })
  type: ChangeRequestView['type'];

  @ApiProperty({ enum: LEVELS })
  probability: ChangeRequestView['probability'];

  @ApiProperty({ enum: LEVELS })
  impact: ChangeRequestView['impact'];

  @ApiProperty({ type: [String] })
  affectedSystems: string[];

  @ApiProperty({ format: 'date-time' })
  plannedStart: string;

  @ApiProperty({ format: 'date-time' })
  plannedEnd: string;

  @ApiProperty()
  rollbackPlan: string;

  @ApiProperty()
  implementerId: string;

  @ApiProperty({ enum: RISK_LEVELS })
  riskLevel: ChangeRequestView['riskLevel'];

  @ApiProperty()
  requesterId: string;

  @ApiProperty({ type: [ApprovalLevelDto], description: 'the current round' })
  approvalLevels: ApprovalLevelDto[];

  @ApiProperty({ type: 'array', items: { type: 'array', items: { $ref: '#/components/schemas/ApprovalLevelDto' } }, description: 'levels of earlier rounds' })
  previousRounds: ApprovalLevelDto[][];

  @ApiProperty({ type: String, nullable: true, description: 'name of the level waiting for decisions' })
  currentLevel: string | null;

  @ApiProperty({ description: 'approval round: 1, and one more per revision' })
  revision: number;

  @ApiProperty({ type: String, nullable: true, description: 'who reviews an emergency change after implementation' })
  reviewerId: string | null;

  @ApiProperty({ type: ImplementationDtoView })
  implementation: ImplementationDtoView;

  @ApiProperty({ type: VerificationView, nullable: true })
  verification: VerificationView | null;

  @ApiProperty({ type: ReviewView })
  review: ReviewView;

  @ApiProperty({ type: WithdrawalView, nullable: true })
  withdrawal: WithdrawalView | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  windowOpenedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

/** The stored view is already the API's shape: the workflow keeps it so. */
export function mapChangeRequest(view: ChangeRequestView): ChangeRequestResponseDto {
  return view;
}
