import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DirectoryService } from '@steward/directory';
import { DelegationRepository } from '@steward/persistence';
import type { DelegationActivities } from '@steward/workflows/common/activities';
import type { ActivityProvider } from './activity-provider';

/** Delegations in force, read by every case type's approval levels as they open. */
@Injectable()
export class DelegationActivitiesService implements DelegationActivities, ActivityProvider<DelegationActivities> {
  private readonly delegations: DelegationRepository;

  constructor(
    dataSource: DataSource,
    private readonly directory: DirectoryService,
  ) {
    this.delegations = new DelegationRepository(dataSource);
  }

  /** With `role`, a delegate who does not hold it is no delegate here: the seat stays with the delegator. */
  async delegatesOf(userIds: string[], at: string, role?: string): Promise<Record<string, string | null>> {
    const delegates = await this.delegations.delegatesAt(userIds, at);
    if (!role) return delegates;
    const named = Object.values(delegates).filter((id): id is string => id !== null);
    const holders = new Set((await this.directory.findUsers(named)).filter((u) => u.roles.includes(role)).map((u) => u.id));
    return Object.fromEntries(Object.entries(delegates).map(([from, to]) => [from, to !== null && holders.has(to) ? to : null]));
  }

  toActivities(): DelegationActivities {
    return { delegatesOf: this.delegatesOf.bind(this) };
  }
}
