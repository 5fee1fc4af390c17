import { Injectable } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { DirectoryService, planChangeApprovers } from '@steward/directory';
import type { CaseCommit, RiskLevel } from '@steward/domain';
import { CaseStore } from '@steward/persistence';
import type { ChangeApprovalPlan, ChangeApprovalPlanRequest, ChangeRequestActivities } from '@steward/workflows/common/activities';

/** The activities every workflow uses: Nest services bound into the worker at boot. */
@Injectable()
export class CaseActivitiesService implements ChangeRequestActivities {
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

  async planChangeApprovals(request: ChangeApprovalPlanRequest): Promise<ChangeApprovalPlan> {
    if (!request.requesterId) throw ApplicationFailure.nonRetryable('requesterId is required');
    return planChangeApprovers(this.directory, { ...request, riskLevel: request.riskLevel as RiskLevel });
  }

  /** The object handed to the Temporal worker: method names are activity names. */
  toActivities(): ChangeRequestActivities {
    return {
      commitCase: this.commitCase.bind(this),
      managersOf: this.managersOf.bind(this),
      planChangeApprovals: this.planChangeApprovals.bind(this),
    };
  }
}
