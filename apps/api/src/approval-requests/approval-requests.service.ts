import { Inject, Injectable } from '@nestjs/common';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser, routeDirectory } from '@steward/directory';
import { ApprovalType, ApprovalTypes, FieldValues, planApprovalRoute, userFieldValues, validateFields } from '@steward/domain';
import {
  APPROVAL_REQUEST_WORKFLOW,
  ApprovalRequestInput,
  ApprovalRequestView,
  approvalRequestWorkflowId,
  decideUpdate,
  fulfilmentUpdate,
  reviseUpdate,
  submittedUpdate,
  withdrawUpdate,
} from '@steward/workflows/approval-request/definitions';
import { CaseKit, CaseTypeService } from '../cases/case-type.service';
import { Page } from '../common/pagination';
import { FieldProblem, StewardErrorCode, StewardException } from '../common/steward.exception';
import { ApprovalRequestDecisionDto, FulfilmentDto, ListApprovalRequestsDto, WithdrawApprovalRequestDto } from './dto/approval-request-actions.dto';
import { ApprovalRequestResponseDto, mapApprovalRequest, ReviseApprovalRequestDto, SubmitApprovalRequestDto } from './dto/approval-request.dto';
import { ApprovalTypeListDto, mapApprovalType } from './dto/approval-type.dto';
import { APPROVAL_TYPES } from './approval-types.provider';

function invalidFields(problems: { field: string; message: string }[]): StewardException {
  const details: FieldProblem[] = [];
  for (const p of problems) {
    const known = details.find((d) => d.field === p.field);
    if (known) known.messages.push(p.message);
    else details.push({ field: p.field, messages: [p.message] });
  }
  return new StewardException(StewardErrorCode.INVALID_INPUT, problems.map((p) => p.message).join('; '), details);
}

@Injectable()
export class ApprovalRequestsService extends CaseTypeService<ApprovalRequestView, ApprovalRequestResponseDto> {
  protected readonly caseType = 'approval_request';

  constructor(
    kit: CaseKit,
    private readonly config: StewardConfig,
    @Inject(APPROVAL_TYPES) private readonly types: ApprovalTypes,
    private readonly directory: DirectoryService,
  ) {
    super(kit);
  }

  protected present(stored: ApprovalRequestView): ApprovalRequestResponseDto {
    return mapApprovalRequest(stored);
  }

  listTypes(): ApprovalTypeListDto {
    return { items: Object.entries(this.types).map(([name, t]) => mapApprovalType(name, t)), nextCursor: null };
  }

  private typeNamed(name: string): ApprovalType {
    const type = Object.prototype.hasOwnProperty.call(this.types, name) ? this.types[name] : undefined;
    if (!type) throw StewardException.invalid('type', `type must be one of ${Object.keys(this.types).join(', ')} (GET /approval-types)`);
    return type;
  }

  /** Every bad field at once (`fields.amount.value`), and `user` fields that name nobody in the directory. */
  private async checkFields(type: ApprovalType, fields: unknown): Promise<FieldValues> {
    const result = validateFields(type, fields);
    if (!result.ok) throw invalidFields(result.problems);
    const unknown: { field: string; message: string }[] = [];
    for (const { field, userId } of userFieldValues(type, result.values)) {
      if (!(await this.directory.findUser(userId))) unknown.push({ field, message: `${field} ${userId} is not a directory user` });
    }
    if (unknown.length > 0) throw invalidFields(unknown);
    return result.values;
  }

  /** Refuses up front what the workflow could not route (no eligible approver for a level), naming the level. */
  private async assertRoutable(requesterId: string, type: ApprovalType, fields: FieldValues): Promise<void> {
    const plan = await planApprovalRoute(type, fields, requesterId, routeDirectory(this.directory));
    if (!plan.ok) throw StewardException.invalid('type', `this request cannot be routed: ${plan.problem}`);
  }

  async submit(user: DirectoryUser, dto: SubmitApprovalRequestDto, idempotencyKey: string | undefined): Promise<ApprovalRequestResponseDto> {
    const definition = this.typeNamed(dto.type);
    const fields = await this.checkFields(definition, dto.fields);
    const request = { type: dto.type, title: dto.title, fields };
    return this.createCase<ApprovalRequestInput>(
      user,
      idempotencyKey,
      {
        workflowType: APPROVAL_REQUEST_WORKFLOW,
        workflowId: approvalRequestWorkflowId,
        createdUpdate: submittedUpdate,
        request,
        input: (caseId) => ({
          caseId,
          requesterId: user.id,
          type: dto.type,
          definition,
          title: dto.title,
          fields,
          policy: { reminderAfterMs: this.config.approvalReminderAfterMs, escalateAfterMs: this.config.approvalEscalateAfterMs },
        }),
      },
      () => this.assertRoutable(user.id, definition, fields),
    );
  }

  list(user: DirectoryUser, q: ListApprovalRequestsDto): Promise<Page<ApprovalRequestResponseDto>> {
    return this.listCases(user, { status: q.status, requesterId: q.requesterId, view: { type: q.type } }, q.limit, q.cursor);
  }

  decide(user: DirectoryUser, id: string, dto: ApprovalRequestDecisionDto) {
    return this.act(user, id, decideUpdate, { actorId: user.id, decision: dto.decision, comment: dto.comment ?? null });
  }

  /**
   * The revised fields are the request's fields with the given ones replaced (null removes an optional one),
   * checked as a submission is, so the 400 names the field; the workflow plans the route again.
   */
  async revise(user: DirectoryUser, id: string, dto: ReviseApprovalRequestDto) {
    const current = (await this.kit.reader.readable(this.caseType, id, user)).view as ApprovalRequestView;
    if (current.status !== 'changes_requested') {
      // The workflow refuses it with the right status (403 for others, 409 when not waiting for a revision).
      return this.act(user, id, reviseUpdate, { actorId: user.id, title: dto.title, fields: current.fields });
    }
    const definition = this.typeNamed(current.type);
    const merged: Record<string, unknown> = { ...current.fields, ...(dto.fields ?? {}) };
    for (const [k, v] of Object.entries(merged)) if (v === null) delete merged[k];
    const fields = await this.checkFields(definition, merged);
    if (user.id === current.requesterId) await this.assertRoutable(user.id, definition, fields);
    return this.act(user, id, reviseUpdate, { actorId: user.id, title: dto.title, fields });
  }

  withdraw(user: DirectoryUser, id: string, dto: WithdrawApprovalRequestDto) {
    return this.act(user, id, withdrawUpdate, { actorId: user.id, reason: dto.reason });
  }

  fulfil(user: DirectoryUser, id: string, dto: FulfilmentDto) {
    return this.act(user, id, fulfilmentUpdate, { actorId: user.id, roles: user.roles, note: dto.note });
  }
}
