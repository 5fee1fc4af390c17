import { Injectable } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser, planChangeApprovers } from '@steward/directory';
import { ChangeSubmission, implementerProblem, riskLevel, routingError } from '@steward/domain';
import { DelegationRepository } from '@steward/persistence';
import {
  CHANGE_REQUEST_WORKFLOW,
  ChangeRequestInput,
  ChangeRequestView,
  changeRequestWorkflowId,
  decideUpdate,
  implementationUpdate,
  reviewUpdate,
  reviseUpdate,
  submittedUpdate,
  verificationUpdate,
  withdrawUpdate,
} from '@steward/workflows/change-request/definitions';
import { CaseKit, CaseTypeService } from '../cases/case-type.service';
import { Page } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { DecisionDto, ImplementationDto, ReviewDto, VerificationDto, WithdrawDto } from './dto/change-request-actions.dto';
import { ListChangeRequestsDto } from './dto/list-change-requests.dto';
import { ReviseChangeRequestDto } from './dto/revise-change-request.dto';
import { SubmitChangeRequestDto } from './dto/submit-change-request.dto';

@Injectable()
export class ChangeRequestsService extends CaseTypeService<ChangeRequestView> {
  protected readonly caseType = 'change_request';

  constructor(
    kit: CaseKit,
    private readonly config: StewardConfig,
    private readonly directory: DirectoryService,
    private readonly delegations: DelegationRepository,
  ) {
    super(kit);
  }

  protected present(stored: ChangeRequestView): ChangeRequestView {
    return stored;
  }

  submit(user: DirectoryUser, dto: SubmitChangeRequestDto, idempotencyKey: string | undefined): Promise<ChangeRequestView> {
    const submission: ChangeSubmission = { ...dto };
    let plan: ChangeRequestInput['plan'];
    let firstLevelDelegates: ChangeRequestInput['firstLevelDelegates'];
    return this.createCase<ChangeRequestInput>(
      user,
      idempotencyKey,
      {
        workflowType: CHANGE_REQUEST_WORKFLOW,
        workflowId: changeRequestWorkflowId,
        createdUpdate: submittedUpdate,
        request: submission,
        input: (caseId) => ({
          caseId,
          requesterId: user.id,
          submission,
          policy: { reminderAfterMs: this.config.approvalReminderAfterMs, escalateAfterMs: this.config.approvalEscalateAfterMs },
          plan,
          firstLevelDelegates,
        }),
      },
      async () => {
        plan = await this.planRoute(user, submission);
        // Read here, with the plan, so the workflow opens level 1 in its first task without a look-up of its own.
        const first = plan?.levels[0]?.approvers ?? [];
        firstLevelDelegates = first.length ? await this.delegations.delegatesAt(first, new Date().toISOString()) : undefined;
      },
    );
  }

  /**
   * Plans the approvers, refusing up front what cannot be routed so that the requester gets a 400 naming the
   * field; the workflow opens level 1 from this plan.
   */
  private async planRoute(user: DirectoryUser, s: ChangeSubmission): Promise<ChangeRequestInput['plan']> {
    await this.assertImplementer(user, s.type, s.implementerId);
    const risk = riskLevel(s.probability, s.impact);
    if (routingError(s.type, risk)) {
      throw StewardException.invalid('type', `type standard is allowed only for very_low or low risk (this change is ${risk})`);
    }
    const plan = await planChangeApprovers(this.directory, { requester: user, implementerId: s.implementerId, type: s.type, riskLevel: risk });
    if (!plan.ok) throw StewardException.invalid('type', plan.problem);
    return plan;
  }

  /** The implementer exists, and may be named on a change of this type (see `implementerProblem`). */
  private async assertImplementer(requester: DirectoryUser, type: ChangeSubmission['type'], implementerId: string): Promise<void> {
    const implementer = await this.directory.findUser(implementerId);
    if (!implementer) throw StewardException.invalid('implementerId', `implementerId ${implementerId} is not a directory user`);
    const problem = implementerProblem(type, requester, implementer);
    if (problem) throw StewardException.invalid('implementerId', problem);
  }

  list(user: DirectoryUser, q: ListChangeRequestsDto): Promise<Page<ChangeRequestView>> {
    return this.listCases(user, { status: q.status, requesterId: q.requesterId }, q.limit, q.cursor);
  }

  decide(user: DirectoryUser, id: string, dto: DecisionDto) {
    return this.act(user, id, decideUpdate, { actorId: user.id, decision: dto.decision, comment: dto.comment ?? null });
  }

  async revise(user: DirectoryUser, id: string, dto: ReviseChangeRequestDto) {
    if (dto.implementerId && !(await this.directory.findUser(dto.implementerId))) {
      throw StewardException.invalid('implementerId', `implementerId ${dto.implementerId} is not a directory user`);
    }
    await this.assertRevisionValid(user, id, dto);
    return this.act(user, id, reviseUpdate, { actorId: user.id, changes: { ...dto } });
  }

  /**
   * The workflow re-checks the revised submission, but its refusal cannot name the field: check the merged
   * submission here too, so the 400's details say which field is wrong.
   */
  private async assertRevisionValid(user: DirectoryUser, id: string, dto: ReviseChangeRequestDto): Promise<void> {
    const current = (await this.kit.reader.findCase(this.caseType, id)).view as ChangeRequestView;
    const next: ChangeSubmission = { ...current, ...dto };
    // Only the requester may revise (the workflow refuses anyone else with 403): judge the implementer against them.
    if ((dto.implementerId !== undefined || dto.type !== undefined) && user.id === current.requesterId) {
      await this.assertImplementer(user, next.type, next.implementerId);
    }
    if (Date.parse(next.plannedEnd) <= Date.parse(next.plannedStart)) {
      throw StewardException.invalid(dto.plannedEnd !== undefined ? 'plannedEnd' : 'plannedStart', 'plannedEnd must be after plannedStart');
    }
    const risk = riskLevel(next.probability, next.impact);
    if (routingError(next.type, risk)) {
      throw StewardException.invalid('type', `type standard is allowed only for very_low or low risk (this change would be ${risk})`);
    }
  }

  withdraw(user: DirectoryUser, id: string, dto: WithdrawDto) {
    return this.act(user, id, withdrawUpdate, { actorId: user.id, reason: dto.reason });
  }

  implementation(user: DirectoryUser, id: string, dto: ImplementationDto) {
    return this.act(user, id, implementationUpdate, { actorId: user.id, event: dto.event, note: dto.note ?? null });
  }

  verification(user: DirectoryUser, id: string, dto: VerificationDto) {
    return this.act(user, id, verificationUpdate, { actorId: user.id, outcome: dto.outcome, note: dto.note ?? null });
  }

  review(user: DirectoryUser, id: string, dto: ReviewDto) {
    return this.act(user, id, reviewUpdate, { actorId: user.id, note: dto.note });
  }
}
