import { Injectable } from '@nestjs/common';
import { Client, WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { PinoLogger } from 'nestjs-pino';
import { StewardConfig } from '@steward/config';
import type { DirectoryUser } from '@steward/directory';
import { StewardException } from '../common/steward.exception';
import { toHttpError } from '../common/temporal-errors';
import { CaseReader, CaseTypeAccess } from './case-reader.service';
import { currentActionKey } from './action-key';
import { IdempotencyService } from './idempotency.service';

export interface CaseCreation<Input, Stored = unknown> {
  caseType: string;
  workflowType: string;
  workflowId: (caseId: string) => string;
  /** Resolves once the workflow has committed the new case; its result is the 201 body. */
  createdUpdate: UpdateDefinition<Stored, []>;
  input: (caseId: string) => Input;
  /** What the Idempotency-Key's request hash covers. */
  request: unknown;
}

/**
 * The two ways the API talks to a case's workflow: creating it (idempotently, with Update-with-Start so the
 * response carries the committed case) and sending a human action as an Update, whose validator decides
 * 403/409. Both return once Postgres holds the effect.
 */
@Injectable()
export class CaseActions {
  constructor(
    private readonly temporal: Client,
    private readonly config: StewardConfig,
    private readonly cases: CaseReader,
    private readonly idempotency: IdempotencyService,
    private readonly logger: PinoLogger,
  ) {}

  /**
   * `present` turns the committed case into the 201 body; that body is what a repeat of the key gets back, as it
   * was (a complaint's SLA `remainingMs` as of the first response, not recomputed).
   */
  async create<Input, Stored extends object, View extends object>(
    user: DirectoryUser,
    key: string | undefined,
    c: CaseCreation<Input, Stored>,
    present: (stored: Stored) => View,
    beforeStart: () => Promise<void> = async () => undefined,
  ): Promise<View> {
    this.idempotency.validateKey(key);
    const requestHash = this.idempotency.requestHash(c.request);
    const replay = await this.idempotency.replay<View>(user.id, c.caseType, key, requestHash);
    if (replay) return replay;
    await beforeStart();
    const caseId = this.idempotency.caseIdFor(user.id, c.caseType, key);
    const workflowId = c.workflowId(caseId);
    let view: Stored;
    try {
      const start = new WithStartWorkflowOperation(c.workflowType, {
        workflowId,
        taskQueue: this.config.TEMPORAL_TASK_QUEUE,
        args: [c.input(caseId)],
        // A retry of the same key attaches to the workflow the first attempt started.
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      view = await this.temporal.workflow.executeUpdateWithStart(c.createdUpdate, { startWorkflowOperation: start });
    } catch (err) {
      // The first attempt's workflow already finished: its stored case is the answer.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw toHttpError(err);
      view = (await this.cases.readable(c.caseType, caseId, user)).view as Stored;
    }
    this.logger.info({ caseId, workflowId, caseType: c.caseType }, 'case created');
    return this.idempotency.remember(user.id, key, { caseType: c.caseType, caseId, requestHash, response: present(view) });
  }

  /** Sends a human action; on a confidential case type, those who may not read the case get 404 first. */
  async act<R extends { status: string }, A>(
    user: DirectoryUser,
    caseType: string,
    id: string,
    update: UpdateDefinition<R, [A]>,
    arg: A,
    access: CaseTypeAccess = {},
  ): Promise<R> {
    const key = currentActionKey();
    this.idempotency.validateKey(key);
    const row = access.confidential ? await this.cases.readable(caseType, id, user, access) : await this.cases.findCase(caseType, id);
    const log = { caseId: id, workflowId: row.workflowId, update: update.name, actorId: user.id };
    try {
      // With an Idempotency-Key, the Update's id: Temporal runs an update id once per run and hands a repeat the first outcome.
      const updateId = key === undefined ? undefined : `${user.id}:${update.name}:${key}`;
      const result = await this.temporal.workflow.getHandle(row.workflowId).executeUpdate(update, { args: [arg], ...(updateId ? { updateId } : {}) });
      this.logger.info({ ...log, status: result.status }, 'case action accepted');
      return result;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) this.logger.info({ ...log, reason: err.cause?.message }, 'case action refused');
      // A finished case accepts nothing: say so to its participants, and only "forbidden" to anyone else.
      if (err instanceof WorkflowNotFoundError && !row.participants.includes(user.id)) {
        throw StewardException.forbidden('you are not a participant of this case');
      }
      throw toHttpError(err);
    }
  }
}
