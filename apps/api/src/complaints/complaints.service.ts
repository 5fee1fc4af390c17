import { Inject, Injectable } from '@nestjs/common';
import type { UpdateDefinition } from '@temporalio/common';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import { SERVICE_ROLES, SlaPolicies } from '@steward/domain';
import {
  Actor,
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
import { AuditAccessService } from '../audit/audit-access.service';
import { CaseActions } from '../cases/case-actions.service';
import { CaseReader } from '../cases/case-reader.service';
import { Page } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { complaintView, ComplaintView } from './complaint-view';
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

const CASE_TYPE = 'complaint';

const isServiceStaff = (u: DirectoryUser) => u.roles.some((r) => SERVICE_ROLES.includes(r));

@Injectable()
export class ComplaintsService {
  constructor(
    private readonly config: StewardConfig,
    @Inject(SLA_POLICIES) private readonly policies: SlaPolicies,
    private readonly directory: DirectoryService,
    private readonly cases: CaseReader,
    private readonly actions: CaseActions,
    private readonly accessLog: AuditAccessService,
  ) {}

  async open(user: DirectoryUser, dto: OpenComplaintDto, key: string | undefined): Promise<ComplaintView> {
    if (!isServiceStaff(user)) throw StewardException.forbidden('only service staff (agent, team_lead, supervisor) may log complaints');
    const intake = { customer: { ...dto.customer }, channel: dto.channel, subject: dto.subject, description: dto.description, severity: dto.severity };
    const state = await this.actions.create<ComplaintInput>(user, key, {
      caseType: CASE_TYPE,
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
      }),
    });
    return complaintView(state as unknown as ComplaintState);
  }

  async get(user: DirectoryUser, id: string): Promise<ComplaintView> {
    const row = await this.readable(user, id);
    return complaintView(row.view as unknown as ComplaintState);
  }

  /** Service staff handle complaints together (transfers, cover); others need a part in the case. */
  private readable(user: DirectoryUser, id: string) {
    return isServiceStaff(user) ? this.cases.findCase(CASE_TYPE, id) : this.cases.readable(CASE_TYPE, id, user);
  }

  async list(user: DirectoryUser, q: ListComplaintsDto): Promise<Page<ComplaintView>> {
    const page = await this.cases.list(
      CASE_TYPE,
      { status: q.status, priority: q.priority, ownerId: q.ownerId, breached: q.breached },
      q.limit ?? 50,
      q.cursor,
      user,
      { everyone: isServiceStaff(user) },
    );
    const now = Date.now();
    return { items: page.items.map((v) => complaintView(v as unknown as ComplaintState, now)), nextCursor: page.nextCursor };
  }

  async audit(user: DirectoryUser, id: string, limit = 200, cursor?: string) {
    await this.readable(user, id);
    const page = await this.cases.auditTrail(id, limit, cursor);
    await this.accessLog.record(user.id, 'case_trail', { caseType: CASE_TYPE, caseId: id, cursor: cursor ?? null });
    return page;
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

  private async act<A extends Actor>(user: DirectoryUser, id: string, update: UpdateDefinition<ComplaintState, [A]>, arg: A): Promise<ComplaintView> {
    return complaintView(await this.actions.act(user, CASE_TYPE, id, update, arg));
  }
}

/** The workflow decides who may act; it gets the caller's roles as the directory has them now. */
function actor(user: DirectoryUser): Actor {
  return { actorId: user.id, roles: user.roles };
}
