import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import { COMMS_ROLE, CRISIS_DECLARER_ROLES, CrisisPolicy, LEGAL_ROLE } from '@steward/domain';
import {
  Actor,
  addActionUpdate,
  completeActionUpdate,
  CRISIS_WORKFLOW,
  CrisisInput,
  CrisisState,
  crisisWorkflowId,
  declaredUpdate,
  draftStatementUpdate,
  postMortemDecisionUpdate,
  postMortemUpdate,
  recoveryUpdate,
  statementDecisionUpdate,
} from '@steward/workflows/crisis/definitions';
import { CaseKit, CaseTypeService } from '../cases/case-type.service';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { FieldProblem, StewardErrorCode, StewardException } from '../common/steward.exception';
import { CRISIS_POLICY } from './crisis-policy.provider';
import {
  AddActionDto,
  CompleteActionDto,
  DeclareCrisisDto,
  DraftStatementDto,
  ListCrisesDto,
  PostMortemDecisionDto,
  PostMortemDto,
  RecoveryDto,
  StatementDecisionDto,
} from './dto/crisis-requests.dto';
import {
  actionOf,
  CrisisActionResultDto,
  CrisisResponseDto,
  CrisisStatementDto,
  mapCrisis,
  StatementResponseDto,
  statementOf,
} from './dto/crisis-response.dto';

@Injectable()
export class CrisesService extends CaseTypeService<CrisisState, CrisisResponseDto> {
  protected readonly caseType = 'crisis';

  constructor(
    kit: CaseKit,
    @Inject(CRISIS_POLICY) private readonly policy: CrisisPolicy,
    private readonly directory: DirectoryService,
  ) {
    super(kit);
  }

  protected present(stored: CrisisState): CrisisResponseDto {
    return mapCrisis(stored);
  }

  async declare(user: DirectoryUser, dto: DeclareCrisisDto, key: string | undefined): Promise<CrisisResponseDto> {
    if (!user.roles.some((r) => CRISIS_DECLARER_ROLES.includes(r))) {
      throw StewardException.forbidden('only a supervisor, a manager or an executive may declare a crisis');
    }
    await this.checkTeam(dto);
    const declaration = {
      title: dto.title,
      description: dto.description,
      severity: dto.severity,
      category: dto.category,
      commanderId: dto.commanderId,
      commsLeadId: dto.commsLeadId,
      legalId: dto.legalId,
    };
    return this.createCase<CrisisInput>(user, key, {
      workflowType: CRISIS_WORKFLOW,
      workflowId: crisisWorkflowId,
      createdUpdate: declaredUpdate,
      request: declaration,
      input: (caseId) => ({ caseId, declaredBy: user.id, declaration, policy: this.policy }),
    });
  }

  /**
   * The three roles come from the directory: a commander who exists, a comms lead with role comms, legal with
   * role legal, three different people (the commander drafts but never approves; approval takes two voices).
   */
  private async checkTeam(dto: DeclareCrisisDto): Promise<void> {
    const users = new Map((await this.directory.findUsers([dto.commanderId, dto.commsLeadId, dto.legalId])).map((u) => [u.id, u]));
    const problems: FieldProblem[] = [];
    const problem = (field: string, message: string) => problems.push({ field, messages: [message] });
    const check = (field: 'commanderId' | 'commsLeadId' | 'legalId', role: string | null) => {
      const u = users.get(dto[field]);
      if (!u) problem(field, `${field} ${dto[field]} is not a directory user`);
      else if (role && !u.roles.includes(role)) problem(field, `${field} ${dto[field]} does not have the role ${role}`);
    };
    check('commanderId', null);
    check('commsLeadId', COMMS_ROLE);
    check('legalId', LEGAL_ROLE);
    if (dto.legalId === dto.commsLeadId) problem('legalId', 'legalId must be someone other than the comms lead: a statement needs two approvals');
    if (dto.commsLeadId === dto.commanderId) problem('commsLeadId', 'commsLeadId must be someone other than the commander');
    if (dto.legalId === dto.commanderId) problem('legalId', 'legalId must be someone other than the commander');
    if (problems.length) throw new StewardException(StewardErrorCode.INVALID_INPUT, problems.map((p) => p.messages[0]).join('; '), problems);
  }

  list(user: DirectoryUser, q: ListCrisesDto): Promise<Page<CrisisResponseDto>> {
    return this.listCases(user, { status: q.status, view: { severity: q.severity } }, q.limit, q.cursor);
  }

  /** The crisis's statements in drafting order. */
  async statements(user: DirectoryUser, id: string, limit = 50, cursor?: string): Promise<Page<StatementResponseDto>> {
    const crisis = await this.get(user, id);
    const after = decodeCursor(cursor, ['seq']);
    const rest = crisis.statements.filter((s) => !after || s.number > Number(after[0]));
    return toPage(rest.slice(0, limit + 1), limit, (s) => [s.number]);
  }

  async draftStatement(user: DirectoryUser, id: string, dto: DraftStatementDto): Promise<CrisisStatementDto> {
    const statementId = randomUUID();
    const crisis = await this.act(user, id, draftStatementUpdate, { ...actor(user), statementId, kind: dto.kind, audience: dto.audience, text: dto.text });
    return statementOf(crisis, statementId);
  }

  async decideStatement(user: DirectoryUser, id: string, statementId: string, dto: StatementDecisionDto): Promise<CrisisStatementDto> {
    await this.expectItem(id, 'statement', statementId, (s) => s.statements.some((x) => x.id === statementId));
    const crisis = await this.act(user, id, statementDecisionUpdate, { ...actor(user), statementId, decision: dto.decision, comment: dto.comment ?? null });
    return statementOf(crisis, statementId);
  }

  recover(user: DirectoryUser, id: string, dto: RecoveryDto) {
    return this.act(user, id, recoveryUpdate, { ...actor(user), note: dto.note });
  }

  async addAction(user: DirectoryUser, id: string, dto: AddActionDto): Promise<CrisisActionResultDto> {
    const problems: FieldProblem[] = [];
    if (!(await this.directory.findUser(dto.ownerId))) problems.push({ field: 'ownerId', messages: [`ownerId ${dto.ownerId} is not a directory user`] });
    if (Date.parse(dto.dueAt) <= Date.now()) problems.push({ field: 'dueAt', messages: ['dueAt must be in the future'] });
    if (problems.length) throw new StewardException(StewardErrorCode.INVALID_INPUT, problems.map((p) => p.messages[0]).join('; '), problems);
    const actionId = randomUUID();
    const dueAt = new Date(dto.dueAt).toISOString();
    return actionOf(await this.act(user, id, addActionUpdate, { ...actor(user), actionId, title: dto.title, ownerId: dto.ownerId, dueAt }), actionId);
  }

  async completeAction(user: DirectoryUser, id: string, actionId: string, dto: CompleteActionDto): Promise<CrisisActionResultDto> {
    await this.expectItem(id, 'action', actionId, (s) => s.actions.some((a) => a.id === actionId));
    return actionOf(await this.act(user, id, completeActionUpdate, { ...actor(user), actionId, note: dto.note || null }), actionId);
  }

  submitPostMortem(user: DirectoryUser, id: string, dto: PostMortemDto) {
    return this.act(user, id, postMortemUpdate, { ...actor(user), summary: dto.summary, rootCause: dto.rootCause, lessons: dto.lessons });
  }

  decidePostMortem(user: DirectoryUser, id: string, dto: PostMortemDecisionDto) {
    return this.act(user, id, postMortemDecisionUpdate, { ...actor(user), decision: dto.decision, comment: dto.comment ?? null });
  }

  /** 404 for a statement or action the crisis does not have (the read model shows every committed one). */
  private async expectItem(id: string, what: string, itemId: string, has: (s: CrisisState) => boolean): Promise<void> {
    const row = await this.kit.reader.findCase(this.caseType, id);
    if (!has(row.view as CrisisState)) throw StewardException.notFound(`${what} ${itemId} of crisis ${id}`);
  }
}

/** The workflow decides who may act; it gets the caller's roles as the directory has them now. */
function actor(user: DirectoryUser): Actor {
  return { actorId: user.id, roles: user.roles };
}
