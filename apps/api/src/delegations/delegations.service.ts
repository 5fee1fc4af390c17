import { Injectable } from '@nestjs/common';
import { DirectoryService, DirectoryUser } from '@steward/directory';
import { DelegationRepository } from '@steward/persistence';
import { decodeCursor, Page, toPage } from '../common/pagination';
import { StewardException } from '../common/steward.exception';
import { CreateDelegationDto, DelegationResponseDto, mapDelegation } from './dto/delegation.dto';

/**
 * Delegation of the caller's approvals for a window of time, in every case type: while it is in force, a level
 * that opens with the delegator as an approver goes to the delegate (ApprovalProcess reads it then).
 */
@Injectable()
export class DelegationsService {
  constructor(
    private readonly delegations: DelegationRepository,
    private readonly directory: DirectoryService,
  ) {}

  async create(user: DirectoryUser, dto: CreateDelegationDto): Promise<DelegationResponseDto> {
    if (dto.delegateId === user.id) throw StewardException.invalid('delegateId', 'you cannot delegate to yourself');
    if (!(await this.directory.findUser(dto.delegateId))) throw StewardException.invalid('delegateId', `delegateId ${dto.delegateId} is not a directory user`);
    if (Date.parse(dto.to) <= Date.parse(dto.from)) throw StewardException.invalid('to', 'to must be after from');
    if (Date.parse(dto.to) <= Date.now()) throw StewardException.invalid('to', 'to must be in the future');
    const created = await this.delegations.create({ delegatorId: user.id, delegateId: dto.delegateId, from: dto.from, to: dto.to, reason: dto.reason });
    if ('conflict' in created) throw StewardException.conflict(created.conflict);
    return mapDelegation(created);
  }

  async list(user: DirectoryUser, limit = 50, cursor?: string): Promise<Page<DelegationResponseDto>> {
    const after = decodeCursor(cursor, ['timestamp', 'uuid']);
    const rows = await this.delegations.listFor(user.id, limit + 1, after ? { from: String(after[0]), id: String(after[1]) } : undefined);
    const page = toPage(rows, limit, (d) => [d.from, d.id]);
    return { items: page.items.map(mapDelegation), nextCursor: page.nextCursor };
  }

  async revoke(user: DirectoryUser, id: string): Promise<void> {
    if (!(await this.delegations.revoke(id, user.id))) throw StewardException.notFound(`delegation ${id}`);
  }
}
