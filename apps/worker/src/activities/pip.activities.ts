import { Injectable } from '@nestjs/common';
import { DirectoryService } from '@steward/directory';
import type { PipActivities } from '@steward/workflows/pip/activities';
import type { ActivityProvider } from './activity-provider';

type PipOnly = Omit<PipActivities, 'commitCase' | 'managersOf'>;

/** The directory look-up the PIP workflow needs: who is in HR today, less those segregation of duties keeps out. */
@Injectable()
export class PipActivitiesService implements PipOnly, ActivityProvider<PipOnly> {
  constructor(private readonly directory: DirectoryService) {}

  async pipHrStaff(excluded: string[]): Promise<string[]> {
    return (await this.directory.usersWithRole('hr')).map((u) => u.id).filter((id) => !excluded.includes(id));
  }

  toActivities(): PipOnly {
    return { pipHrStaff: this.pipHrStaff.bind(this) };
  }
}
