import { Injectable } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import { DirectoryService, routeDirectory } from '@steward/directory';
import { planApprovalRoute, RoutePlan } from '@steward/domain';
import type { ApprovalRequestActivities, ApprovalRoutePlanRequest } from '@steward/workflows/approval-request/activities';
import type { ActivityProvider } from './activity-provider';

type ApprovalRequestOnly = Pick<ApprovalRequestActivities, 'planApprovalRoute' | 'roleHolders'>;

/** The approval-request workflow's directory look-ups: who approves each level, who fulfils. */
@Injectable()
export class ApprovalRequestActivitiesService implements ApprovalRequestOnly, ActivityProvider<ApprovalRequestOnly> {
  constructor(private readonly directory: DirectoryService) {}

  async planApprovalRoute(request: ApprovalRoutePlanRequest): Promise<RoutePlan> {
    if (!request.requesterId) throw ApplicationFailure.nonRetryable('requesterId is required');
    return planApprovalRoute(request.definition, request.fields, request.requesterId, routeDirectory(this.directory));
  }

  async roleHolders(role: string): Promise<string[]> {
    return (await this.directory.usersWithRole(role)).map((u) => u.id);
  }

  toActivities(): ApprovalRequestOnly {
    return { planApprovalRoute: this.planApprovalRoute.bind(this), roleHolders: this.roleHolders.bind(this) };
  }
}
