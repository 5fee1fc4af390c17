import { Inject, Injectable } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import { checkInProblems, PipDraft, pipActionRefusal, PipPolicy, pipPolicyMs, PipPolicyMs, pipTimelineProblems } from '@steward/domain';
import {
  Actor,
  PIP_WORKFLOW,
  pipAcknowledgementUpdate,
  pipCheckInUpdate,
  pipCommentUpdate,
  pipCreatedUpdate,
  pipDecisionUpdate,
  PipInput,
  pipMidpointReviewUpdate,
  pipOutcomeUpdate,
  PipRevisionInput,
  pipRevisionUpdate,
  PipState,
  pipWithdrawUpdate,
  pipWorkflowId,
} from '@steward/workflows/pip/definitions';
import { CaseKit, CaseTypeService } from '../cases/case-type.service';
import { Page } from '../common/pagination';
import { StewardErrorCode, StewardException } from '../common/steward.exception';
import { CreatePipDto, RevisePipDto } from './dto/create-pip.dto';
import { ListPipsDto } from './dto/list-pips.dto';
import { PipAcknowledgementDto, PipCheckInDto, PipDecisionDto, PipNoteDto, PipOutcomeDto, PipWithdrawDto } from './dto/pip-actions.dto';
import { mapPip, PipResponseDto } from './dto/pip-response.dto';
import { PIP_POLICY } from './pip-policy.provider';
import { PipsRepository } from './pips.repository';

/**
 * Performance improvement plans. Confidential: a plan exists only for the employee, the manager, the manager's
 * manager, HR, auditors and admins (404 for everyone else, absent from their lists). The workflow decides who
 * may act and when; this service checks what it can name field by field, and who may draft.
 */
@Injectable()
export class PipsService extends CaseTypeService<PipState, PipResponseDto> {
  protected readonly caseType = 'pip';
  protected override readonly access = { confidential: true };
  private readonly policyMs: PipPolicyMs;

  constructor(
    kit: CaseKit,
    private readonly config: StewardConfig,
    @Inject(PIP_POLICY) private readonly policy: PipPolicy,
    private readonly directory: DirectoryService,
    private readonly repository: PipsRepository,
  ) {
    super(kit);
    this.policyMs = pipPolicyMs(policy);
  }

  protected present(stored: PipState): PipResponseDto {
    return mapPip(stored);
  }

  /**
   * Only the employee's manager drafts a plan, and an employee has one open plan at most. The check and the
   * start run under an advisory lock on the employee (see PipsRepository.withEmployeeLock), so two drafts sent
   * at once cannot both pass it.
   */
  async create(user: DirectoryUser, dto: CreatePipDto, key: string | undefined): Promise<PipResponseDto> {
    const draft: PipDraft = { ...dto, goals: dto.goals.map((g) => ({ title: g.title, measure: g.measure, target: g.target })) };
    assertNoProblems(pipTimelineProblems(draft, this.policyMs));
    const employee = await this.directory.findUser(draft.employeeId);
    if (!employee) throw StewardException.invalid('employeeId', `employeeId ${draft.employeeId} is not a directory user`);
    if (employee.managerId !== user.id) throw StewardException.forbidden(`only ${draft.employeeId}'s manager may draft their performance improvement plan`);
    return this.repository.withEmployeeLock(draft.employeeId, () =>
      this.createCase<PipInput>(
        user,
        key,
        {
          workflowType: PIP_WORKFLOW,
          workflowId: pipWorkflowId,
          createdUpdate: pipCreatedUpdate,
          request: draft,
          input: (caseId) => ({
            caseId,
            managerId: user.id,
            managersManagerId: user.managerId,
            draft,
            policy: this.policy,
            approvalPolicy: { reminderAfterMs: this.config.approvalReminderAfterMs, escalateAfterMs: this.config.approvalEscalateAfterMs },
          }),
        },
        () => this.assertCanStart(draft.employeeId, user.id),
      ),
    );
  }

  private async assertCanStart(employeeId: string, managerId: string): Promise<void> {
    const open = await this.repository.openPlanOf(employeeId);
    if (open) throw StewardException.conflict(`${employeeId} already has an open performance improvement plan (${open.id}, ${open.status})`);
    const hr = (await this.directory.usersWithRole('hr')).filter((u) => u.id !== employeeId && u.id !== managerId);
    if (hr.length === 0) throw StewardException.conflict('no one in HR other than you and the employee can approve the plan');
  }

  list(user: DirectoryUser, q: ListPipsDto): Promise<Page<PipResponseDto>> {
    return this.listCases(user, { status: q.status, view: { employeeId: q.employeeId } }, q.limit, q.cursor);
  }

  decide(user: DirectoryUser, id: string, dto: PipDecisionDto) {
    return this.act(user, id, pipDecisionUpdate, { ...actor(user), decision: dto.decision, comment: dto.comment ?? null });
  }

  async revise(user: DirectoryUser, id: string, dto: RevisePipDto) {
    const changes: PipRevisionInput['changes'] = {};
    if (dto.reason !== undefined) changes.reason = dto.reason;
    if (dto.goals !== undefined) changes.goals = dto.goals.map((g) => ({ title: g.title, measure: g.measure, target: g.target }));
    if (dto.resources !== undefined) changes.resources = dto.resources;
    if (dto.support !== undefined) changes.support = dto.support;
    if (dto.duration !== undefined) changes.duration = dto.duration;
    if (dto.checkInEvery !== undefined) changes.checkInEvery = dto.checkInEvery;
    // The workflow checks the revised timeline too, but names one field; name them all here for the manager.
    const plan = await this.readableView(user, id);
    if (!pipActionRefusal('revise', actor(user), plan, plan.status)) assertNoProblems(pipTimelineProblems({ ...plan, ...changes }, this.policyMs));
    return this.act(user, id, pipRevisionUpdate, { ...actor(user), changes });
  }

  acknowledge(user: DirectoryUser, id: string, dto: PipAcknowledgementDto) {
    return this.act(user, id, pipAcknowledgementUpdate, { ...actor(user), acknowledged: dto.acknowledged, comment: dto.comment ?? null });
  }

  async checkIn(user: DirectoryUser, id: string, dto: PipCheckInDto) {
    // Every bad goal index named at once, for the manager who may record it now (others get the workflow's 403/409).
    const plan = await this.readableView(user, id);
    if (!pipActionRefusal('check_in', actor(user), plan, plan.status)) assertNoProblems(checkInProblems(dto.goals, plan.goals.length));
    const goals = dto.goals.map((g) => ({ index: g.index, status: g.status }));
    return this.act(user, id, pipCheckInUpdate, { ...actor(user), goals, note: dto.note });
  }

  midpointReview(user: DirectoryUser, id: string, dto: PipNoteDto) {
    return this.act(user, id, pipMidpointReviewUpdate, { ...actor(user), note: dto.note });
  }

  comment(user: DirectoryUser, id: string, dto: PipNoteDto) {
    return this.act(user, id, pipCommentUpdate, { ...actor(user), note: dto.note });
  }

  outcome(user: DirectoryUser, id: string, dto: PipOutcomeDto) {
    return this.act(user, id, pipOutcomeUpdate, { ...actor(user), outcome: dto.outcome, note: dto.note, extension: dto.extension ?? null });
  }

  withdraw(user: DirectoryUser, id: string, dto: PipWithdrawDto) {
    return this.act(user, id, pipWithdrawUpdate, { ...actor(user), reason: dto.reason });
  }

  /** The stored plan, or 404 for whoever may not read it. */
  private async readableView(user: DirectoryUser, id: string): Promise<PipState> {
    const row = await this.kit.reader.readable(this.caseType, id, user, this.access);
    return row.view as PipState;
  }
}

/** The workflow decides who may act; it gets the caller's roles as the directory has them now. */
function actor(user: DirectoryUser): Actor {
  return { actorId: user.id, roles: user.roles };
}

function assertNoProblems(problems: { field: string; message: string }[]): void {
  if (problems.length === 0) return;
  throw new StewardException(
    StewardErrorCode.INVALID_INPUT,
    problems.map((p) => p.message).join('; '),
    problems.map((p) => ({ field: p.field, messages: [p.message] })),
  );
}
