import { Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { DirectoryService, planChangeApprovers } from '@steward/directory';
import type { RiskLevel } from '@steward/domain';
import type { ChangeApprovalPlan, ChangeApprovalPlanRequest, ChangeRequestActivities } from '@steward/workflows/change-request/activities';
import type { ActivityProvider } from './activity-provider';

type ChangeRequestOnly = Omit<ChangeRequestActivities, 'commitCase' | 'managersOf'>;

/** The change-request workflow's directory look-up: who approves, by the route risk picked. */
@Injectable()
export class ChangeRequestActivitiesService implements ChangeRequestOnly, ActivityProvider<ChangeRequestOnly> {
  constructor(private readonly directory: DirectoryService) {}

  async planChangeApprovals(request: ChangeApprovalPlanRequest): Promise<ChangeApprovalPlan> {
    if (!request.requesterId) throw ApplicationFailure.nonRetryable('requesterId is required');
    const requester = await this.directory.findUser(request.requesterId);
    if (!requester) return { ok: false, problem: `requester ${request.requesterId} is not in the directory` };
    const { implementerId, type } = request;
    return planChangeApprovers(this.directory, { requester, implementerId, type, riskLevel: request.riskLevel as RiskLevel });
  }

  toActivities(): ChangeRequestOnly {
    return { planChangeApprovals: this.planChangeApprovals.bind(this) };
  }
}
