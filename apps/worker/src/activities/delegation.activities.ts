import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DelegationRepository } from '@steward/persistence';
import type { DelegationActivities } from '@steward/workflows/common/activities';
import type { ActivityProvider } from './activity-provider';

/** Delegations in force, read by every case type's approval levels as they open. */
@Injectable()
export class DelegationActivitiesService implements DelegationActivities, ActivityProvider<DelegationActivities> {
  private readonly delegations: DelegationRepository;

  constructor(dataSource: DataSource) {
    this.delegations = new DelegationRepository(dataSource);
  }

  delegatesOf(userIds: string[], at: string): Promise<Record<string, string | null>> {
    return this.delegations.delegatesAt(userIds, at);
  }

  toActivities(): DelegationActivities {
    return { delegatesOf: this.delegatesOf.bind(this) };
  }
}
