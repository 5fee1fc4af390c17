import { ApiProperty } from '@nestjs/swagger';
import { CHANNELS, COMPLAINT_STATUSES, CUSTOMER_TIERS, PRIORITIES, SEVERITIES } from '@steward/domain';
import { ApprovalLevelDto } from '../../cases/dto/approval-level.dto';
import type { ComplaintState as ComplaintView } from '@steward/workflows/complaint/definitions';

class CustomerView {
  @ApiProperty()
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: CUSTOMER_TIERS })
  tier: ComplaintView['customer']['tier'];
}

/** One SLA clock as of the read: computed from working time spent, never stored. */
export class SlaClockDto {
  @ApiProperty({ enum: ['running', 'paused', 'met', 'breached'] })
  status: 'running' | 'paused' | 'met' | 'breached';

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'when the target falls due (null while paused)' })
  targetAt: string | null;

  @ApiProperty({ description: 'working time left; negative once breached' })
  remainingMs: number;

  @ApiProperty({ description: 'the target, in working milliseconds' })
  budgetMs: number;

  @ApiProperty({ description: 'working time spent' })
  spentMs: number;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  breachedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  doneAt: string | null;
}

class SlaView {
  @ApiProperty({ type: SlaClockDto })
  firstResponse: SlaClockDto;

  @ApiProperty({ type: SlaClockDto, nullable: true, description: 'runs after the first response, restarted by each update' })
  update: SlaClockDto | null;

  @ApiProperty({ type: SlaClockDto })
  resolution: SlaClockDto;
}

class ResponseView {
  @ApiProperty()
  by: string;

  @ApiProperty()
  message: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ enum: ['first_response', 'update'] })
  kind: 'first_response' | 'update';
}

class TransferView {
  @ApiProperty()
  from: string;

  @ApiProperty()
  to: string;

  @ApiProperty()
  by: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

class PauseView {
  @ApiProperty()
  by: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resumedAt: string | null;
}

class PriorityChangeView {
  @ApiProperty({ enum: PRIORITIES })
  from: ComplaintView['priority'];

  @ApiProperty({ enum: PRIORITIES })
  to: ComplaintView['priority'];

  @ApiProperty({ enum: SEVERITIES })
  severity: ComplaintView['severity'];

  @ApiProperty()
  by: string;

  @ApiProperty()
  reason: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

class CompensationView {
  @ApiProperty()
  amount: number;

  @ApiProperty({ example: 'CNY' })
  currency: string;

  @ApiProperty({ enum: ['not_required', 'pending', 'approved', 'rejected'] })
  status: 'not_required' | 'pending' | 'approved' | 'rejected';
}

class ResolutionView {
  @ApiProperty()
  summary: string;

  @ApiProperty()
  by: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: CompensationView, nullable: true })
  compensation: CompensationView | null;
}

class FeedbackView {
  @ApiProperty()
  satisfied: boolean;

  @ApiProperty({ type: String, nullable: true })
  comment: string | null;

  @ApiProperty()
  by: string;

  @ApiProperty({ format: 'date-time' })
  at: string;
}

/** Compensation granted in an earlier cycle, before a reopen: it counts against the approval threshold. */
class PastCompensationView {
  @ApiProperty()
  amount: number;

  @ApiProperty({ example: 'CNY' })
  currency: string;

  @ApiProperty({ enum: ['not_required', 'approved'] })
  status: 'not_required' | 'approved';

  @ApiProperty({ format: 'date-time' })
  at: string;
}

export class ComplaintResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  workflowId: string;

  @ApiProperty({ enum: COMPLAINT_STATUSES })
  status: ComplaintView['status'];

  @ApiProperty({ type: CustomerView })
  customer: CustomerView;

  @ApiProperty({ enum: CHANNELS })
  channel: ComplaintView['channel'];

  @ApiProperty()
  subject: string;

  @ApiProperty()
  description: string;

  @ApiProperty({ enum: SEVERITIES })
  severity: ComplaintView['severity'];

  @ApiProperty({ enum: PRIORITIES, description: 'from severity x customer tier' })
  priority: ComplaintView['priority'];

  @ApiProperty({ description: 'the agent who owns the complaint' })
  ownerId: string;

  @ApiProperty({ example: 'service' })
  team: string;

  @ApiProperty({ description: '0 none; 1 team lead, 2 supervisor, 3 manager brought in' })
  escalationLevel: number;

  @ApiProperty({ type: SlaView })
  sla: SlaView;

  @ApiProperty({ description: "the priority's working calendar" })
  calendar: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'the calendar as specified in the SLA policy' })
  calendarSpec: ComplaintView['calendarSpec'];

  @ApiProperty({ description: 'any SLA clock breached' })
  breached: boolean;

  @ApiProperty()
  reopenCount: number;

  @ApiProperty({ type: [ResponseView] })
  responses: ResponseView[];

  @ApiProperty({ type: [TransferView] })
  transfers: TransferView[];

  @ApiProperty({ type: [PauseView] })
  pauses: PauseView[];

  @ApiProperty({ type: [PriorityChangeView] })
  priorityChanges: PriorityChangeView[];

  @ApiProperty({ type: ResolutionView, nullable: true })
  resolution: ResolutionView | null;

  @ApiProperty({ type: [ApprovalLevelDto], description: 'decided compensation approvals' })
  compensationApproval: ApprovalLevelDto[];

  @ApiProperty({ type: [String], description: 'who may not decide on the pending compensation' })
  compensationExcluded: string[];

  @ApiProperty({
    type: [PastCompensationView],
    required: false,
    description: 'compensation granted before each reopen; COMPENSATION_APPROVAL_THRESHOLD applies to its sum with a new proposal',
  })
  pastCompensation?: PastCompensationView[];

  @ApiProperty({ type: [FeedbackView] })
  feedback: FeedbackView[];

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  firstResponseAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  closedAt: string | null;

  @ApiProperty()
  createdBy: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}
