import { Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { DirectoryService } from '@steward/directory';
import type { CaseCommit } from '@steward/domain';
import { CaseStore } from '@steward/persistence';
import type { CaseActivities } from '@steward/workflows/common/activities';
import type { ActivityProvider } from './activity-provider';

/** The activities every case type uses: committing a step, and reading reporting lines for escalation. */
@Injectable()
export class CaseActivitiesService implements CaseActivities, ActivityProvider<CaseActivities> {
  constructor(
    private readonly store: CaseStore,
    private readonly directory: DirectoryService,
  ) {}

  async commitCase(commit: CaseCommit): Promise<void> {
    const { appended } = await this.store.commit(commit);
    Context.current().log.info('case committed', {
      caseId: commit.caseId,
      caseType: commit.caseType,
      status: commit.status,
      version: commit.version,
      auditEvents: appended,
    });
  }

  async managersOf(userIds: string[]): Promise<Record<string, string | null>> {
    const users = await this.directory.findUsers(userIds);
    return Object.fromEntries(userIds.map((id) => [id, users.find((u) => u.id === id)?.managerId ?? null]));
  }

  toActivities(): CaseActivities {
    return { commitCase: this.commitCase.bind(this), managersOf: this.managersOf.bind(this) };
  }
}
