import { Injectable } from '@nestjs/common';
import { DirectoryService } from '@steward/directory';
import { EXECUTIVE_ROLE } from '@steward/domain';
import type { CrisisActivities } from '@steward/workflows/crisis/activities';
import type { ActivityProvider } from './activity-provider';

type CrisisOnly = Omit<CrisisActivities, 'commitCase' | 'managersOf'>;

/** The crisis workflow's directory look-up: who the executives are now. */
@Injectable()
export class CrisisActivitiesService implements CrisisOnly, ActivityProvider<CrisisOnly> {
  constructor(private readonly directory: DirectoryService) {}

  async crisisExecutives(): Promise<string[]> {
    return (await this.directory.usersWithRole(EXECUTIVE_ROLE)).map((u) => u.id).sort();
  }

  toActivities(): CrisisOnly {
    return { crisisExecutives: this.crisisExecutives.bind(this) };
  }
}
