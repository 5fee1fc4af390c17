import { Inject, Injectable } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import { SERVICE_ROLES, SlaPolicies } from '@steward/domain';
import {
  Actor,
  COMPLAINT_HISTORY_LIMIT,
  COMPLAINT_WORKFLOW,
  ComplaintInput,
  ComplaintState,
  complaintWorkflowId,
  compensationDecisionUpdate,
  feedbackUpdate,
  openedUpdate,
  pauseUpdate,
  priorityUpdate,
  resolutionUpdate,
  respondUpdate,
  resumeUpdate,
  transferUpdate,
} from '@steward/workflows/complaint/definitions';
import { CaseKit, CaseTypeService } from '../cases/case-type.service';
import { Page } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { complaintView } from './complaint-view';
import { ComplaintResponseDto } from './dto/complaint.dto';
import {
  CompensationDecisionDto,
  FeedbackDto,
  PauseDto,
  PriorityDto,
  ResolutionDto,
  RespondDto,
  TransferDto,
} from './dto/complaint-actions.dto';
import { ListComplaintsDto } from './dto/list-complaints.dto';
import { OpenComplaintDto } from './dto/open-complaint.dto';
import { SLA_POLICIES } from './sla-policies.provider';

const isServiceStaff = (u: DirectoryUser) => u.roles.some((r) => SERVICE_ROLES.includes(r));

@Injectable()
export class ComplaintsService extends CaseTypeService<ComplaintState, ComplaintResponseDto> {
  protected readonly caseType = 'complaint';

  constructor(
    kit: CaseKit,
    private readonly config: StewardConfig,
    @Inject(SLA_POLICIES) private readonly policies: SlaPolicies,
    private readonly directory: DirectoryService,
  ) {
    super(kit);
  }

  /** SLA targets and remaining time are computed at read time from the stored clocks. */
  protected present(stored: ComplaintState, now: number): ComplaintResponseDto {
    return complaintView(stored, now);
  }

  async open(user: DirectoryUser, dto: OpenComplaintDto, key: string | undefined): Promise<ComplaintResponseDto> {
    if (!isServiceStaff(user)) throw StewardException.forbidden('only service staff (agent, team_lead, supervisor) may log complaints');
    const intake = { customer: { ...dto.customer }, channel: dto.channel, subject: dto.subject, description: dto.description, severity: dto.severity };
    return this.createCase<ComplaintInput>(user, key, {
      workflowType: COMPLAINT_WORKFLOW,
      workflowId: complaintWorkflowId,
      createdUpdate: openedUpdate,
      request: intake,
      input: (caseId) => ({
        caseId,
        createdBy: user.id,
        intake,
        policies: this.policies,
        compensationThreshold: this.config.COMPENSATION_APPROVAL_THRESHOLD,
        approvalPolicy: { reminderAfterMs: this.config.approvalReminderAfterMs, escalateAfterMs: this.config.approvalEscalateAfterMs },
        historyLimit: COMPLAINT_HISTORY_LIMIT,
      }),
    });
  }

  list(user: DirectoryUser, q: ListComplaintsDto): Promise<Page<ComplaintResponseDto>> {
    const view = { priority: q.priority, ownerId: q.ownerId, breached: q.breached };
    return this.listCases(user, { status: q.status, view }, q.limit, q.cursor);
  }

  respond(user: DirectoryUser, id: string, dto: RespondDto) {
    return this.act(user, id, respondUpdate, { ...actor(user), message: dto.message });
  }

  async transfer(user: DirectoryUser, id: string, dto: TransferDto) {
    const to = await this.directory.findUser(dto.toUserId);
    if (!to || !isServiceStaff(to)) throw StewardException.invalid('toUserId', `toUserId ${dto.toUserId} is not a member of the service staff`);
    return this.act(user, id, transferUpdate, { ...actor(user), toUserId: dto.toUserId, reason: dto.reason });
  }

  pause(user: DirectoryUser, id: string, dto: PauseDto) {
    return this.act(user, id, pauseUpdate, { ...actor(user), reason: dto.reason });
  }

  resume(user: DirectoryUser, id: string) {
    return this.act(user, id, resumeUpdate, actor(user));
  }

  priority(user: DirectoryUser, id: string, dto: PriorityDto) {
    return this.act(user, id, priorityUpdate, { ...actor(user), severity: dto.severity, reason: dto.reason });
  }

  resolve(user: DirectoryUser, id: string, dto: ResolutionDto) {
    const compensation = dto.compensation ? { amount: dto.compensation.amount, currency: dto.compensation.currency } : null;
    return this.act(user, id, resolutionUpdate, { ...actor(user), summary: dto.summary, compensation });
  }

  decideCompensation(user: DirectoryUser, id: string, dto: CompensationDecisionDto) {
    return this.act(user, id, compensationDecisionUpdate, { ...actor(user), decision: dto.decision, comment: dto.comment ?? null });
  }

  feedback(user: DirectoryUser, id: string, dto: FeedbackDto) {
    return this.act(user, id, feedbackUpdate, { ...actor(user), satisfied: dto.satisfied, comment: dto.comment ?? null });
  }
}

/** The workflow decides who may act; it gets the caller's roles as the directory has them now. */
function actor(user: DirectoryUser): Actor {
  return { actorId: user.id, roles: user.roles };
}
