import { Injectable } from '@nestjs/common';
import {
  Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { PinoLogger } from 'nestjs-pino';
import { StewardConfig } from '@steward/config';
import { DirectoryService, DirectoryUser, planChangeApprovers } from '@steward/directory';
import { ChangeSubmission, riskLevel, routingError } from '@steward/domain';
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
import { AuditAccessService } from '../audit/audit-access.service';
import { CaseReader } from '../cases/case-reader.service';
import { IdempotencyService } from '../cases/idempotency.service';
import { Page } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { toHttpError } from '../common/temporal-errors';
import { DecisionDto, ImplementationDto, ReviewDto, VerificationDto, WithdrawDto } from './dto/change-request-actions.dto';
import { ListChangeRequestsDto } from './dto/list-change-requests.dto';
import { ReviseChangeRequestDto } from './dto/revise-change-request.dto';
import { SubmitChangeRequestDto } from './dto/submit-change-request.dto';

const CASE_TYPE = 'change_request';
type UpdateDef = typeof decideUpdate;

@Injectable()
export class ChangeRequestsService {
  constructor(
    private readonly temporal: Client,
    private readonly config: StewardConfig,
    private readonly directory: DirectoryService,
    private readonly cases: CaseReader,
    private readonly idempotency: IdempotencyService,
    private readonly accessLog: AuditAccessService,
    private readonly logger: PinoLogger,
  ) {}

  async submit(user: DirectoryUser, dto: SubmitChangeRequestDto, idempotencyKey: string | undefined): Promise<Record<string, unknown>> {
    this.idempotency.validateKey(idempotencyKey);
    const submission: ChangeSubmission = { ...dto };
    const requestHash = this.idempotency.requestHash(submission);
    const replay = await this.idempotency.replay(user.id, idempotencyKey, requestHash);
    if (replay) return replay;
    await this.assertRoutable(user, submission);

    const caseId = this.idempotency.caseIdFor(user.id, idempotencyKey);
    const workflowId = changeRequestWorkflowId(caseId);
    const input: ChangeRequestInput = {
      caseId,
      requesterId: user.id,
      submission,
      policy: { reminderAfterMs: this.config.approvalReminderAfterMs, escalateAfterMs: this.config.approvalEscalateAfterMs },
    };
    let view: Record<string, unknown>;
    try {
      const start = new WithStartWorkflowOperation(CHANGE_REQUEST_WORKFLOW, {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [input],
        // A retry of the same key attaches to the workflow the first attempt started.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      view = (await this.temporal.workflow.executeUpdateWithStart(submittedUpdate, { startWorkflowOperation: start })) as unknown as Record<string, unknown>;
    } catch (err) {
      // The first attempt's workflow already finished: its stored case is the answer.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw toHttpError(err);
      view = (await this.cases.readable(CASE_TYPE, caseId, user)).view;
    }
    this.logger.info({ caseId, workflowId, status: view.status }, 'change request submitted');
    return this.idempotency.remember(user.id, idempotencyKey, { caseType: CASE_TYPE, caseId, requestHash, response: view });
  }

  /** Refuses up front what the workflow could not route, so the requester gets a 400 naming the field. */
  private async assertRoutable(user: DirectoryUser, s: ChangeSubmission): Promise<void> {
    if (!(await this.directory.findUser(s.implementerId))) {
      throw StewardException.invalid('implementerId', `implementerId ${s.implementerId} is not a directory user`);
    }
    const risk = riskLevel(s.probability, s.impact);
    if (routingError(s.type, risk)) {
      throw StewardException.invalid('type', `type standard is allowed only for very_low or low risk (this change is ${risk})`);
    }
    const plan = await planChangeApprovers(this.directory, { requesterId: user.id, implementerId: s.implementerId, type: s.type, riskLevel: risk });
    if (!plan.ok) throw StewardException.invalid('type', plan.problem);
  }

  async get(user: DirectoryUser, id: string): Promise<Record<string, unknown>> {
    return (await this.cases.readable(CASE_TYPE, id, user)).view;
  }

  list(user: DirectoryUser, q: ListChangeRequestsDto): Promise<Page<Record<string, unknown>>> {
    return this.cases.list(CASE_TYPE, { status: q.status, requesterId: q.requesterId }, q.limit ?? 50, q.cursor, user);
  }

  async audit(user: DirectoryUser, id: string, limit = 200, cursor?: string) {
    await this.cases.readable(CASE_TYPE, id, user);
    const page = await this.cases.auditTrail(id, limit, cursor);
    await this.accessLog.record(user.id, 'case_trail', { caseType: CASE_TYPE, caseId: id, cursor: cursor ?? null });
    return page;
  }

  decide(user: DirectoryUser, id: string, dto: DecisionDto) {
    return this.act(user, id, decideUpdate, { actorId: user.id, decision: dto.decision, comment: dto.comment ?? null });
  }

  async revise(user: DirectoryUser, id: string, dto: ReviseChangeRequestDto) {
    if (dto.implementerId && !(await this.directory.findUser(dto.implementerId))) {
      throw StewardException.invalid('implementerId', `implementerId ${dto.implementerId} is not a directory user`);
    }
    await this.assertRevisionValid(id, dto);
    return this.act(user, id, reviseUpdate as unknown as UpdateDef, { actorId: user.id, changes: { ...dto } });
  }

  /**
   * The workflow re-checks the revised submission, but its refusal cannot name the field: check the merged
   * submission here too, so the 400's details say which field is wrong.
   */
  private async assertRevisionValid(id: string, dto: ReviseChangeRequestDto): Promise<void> {
    const current = (await this.cases.findCase(CASE_TYPE, id)).view as unknown as ChangeSubmission;
    const next: ChangeSubmission = { ...current, ...dto };
    if (Date.parse(next.plannedEnd) <= Date.parse(next.plannedStart)) {
      throw StewardException.invalid(dto.plannedEnd !== undefined ? 'plannedEnd' : 'plannedStart', 'plannedEnd must be after plannedStart');
    }
    const risk = riskLevel(next.probability, next.impact);
    if (routingError(next.type, risk)) {
      throw StewardException.invalid('type', `type standard is allowed only for very_low or low risk (this change would be ${risk})`);
    }
  }

  withdraw(user: DirectoryUser, id: string, dto: WithdrawDto) {
    return this.act(user, id, withdrawUpdate as unknown as UpdateDef, { actorId: user.id, reason: dto.reason });
  }

  implementation(user: DirectoryUser, id: string, dto: ImplementationDto) {
    return this.act(user, id, implementationUpdate as unknown as UpdateDef, { actorId: user.id, event: dto.event, note: dto.note ?? null });
  }

  verification(user: DirectoryUser, id: string, dto: VerificationDto) {
    return this.act(user, id, verificationUpdate as unknown as UpdateDef, { actorId: user.id, outcome: dto.outcome, note: dto.note ?? null });
  }

  review(user: DirectoryUser, id: string, dto: ReviewDto) {
    return this.act(user, id, reviewUpdate as unknown as UpdateDef, { actorId: user.id, note: dto.note });
  }

  /**
   * Sends a human action to the case's workflow as an Update. The workflow's validator decides (403/409);
   * the response returns after the workflow committed the effect to Postgres, so reads already show it.
   */
  private async act(user: DirectoryUser, id: string, update: UpdateDef, arg: unknown): Promise<ChangeRequestView> {
    const row = await this.cases.findCase(CASE_TYPE, id);
    const handle = this.temporal.workflow.getHandle(row.workflowId);
    try {
      const view = await handle.executeUpdate(update, { args: [arg as never] });
      this.logger.info({ caseId: id, workflowId: row.workflowId, update: update.name, actorId: user.id, status: view.status }, 'case action accepted');
      return view;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        this.logger.info({ caseId: id, workflowId: row.workflowId, update: update.name, actorId: user.id, reason: err.cause?.message }, 'case action refused');
      }
      // A finished case accepts nothing: say so to its participants, and only "forbidden" to anyone else.
      if (err instanceof WorkflowNotFoundError && !row.participants.includes(user.id)) {
        throw StewardException.forbidden('you are not a participant of this case');
      }
      throw toHttpError(err);
    }
  }
}
