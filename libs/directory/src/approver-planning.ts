import { approvalRoute, ChangeType, LevelSpec, RiskLevel } from '@steward/domain';
import { DirectoryService } from './directory.service';
import { DirectoryUser } from './directory.types';

export type ApproverPlan =
  | { ok: true; levels: LevelSpec[]; reviewerId: string | null }
  | { ok: false; problem: string };

/**
 * Walks up the reporting line from `userId`'s manager to the first one not excluded by segregation of
 * duties (a requester whose manager implements the change is approved by the manager's manager).
 */
async function eligibleManager(directory: DirectoryService, user: DirectoryUser, excluded: string[]): Promise<string | null> {
  const seen = new Set<string>();
  let managerId = user.managerId;
  while (managerId && !seen.has(managerId)) {
    if (!excluded.includes(managerId)) return managerId;
    seen.add(managerId);
    managerId = (await directory.findUser(managerId))?.managerId ?? null;
  }
  return null;
}

/** Resolves a change's approval route to directory users; the API uses it to refuse unroutable submissions. */
export async function planChangeApprovers(
  directory: DirectoryService,
  request: { requester: DirectoryUser; implementerId: string; type: ChangeType; riskLevel: RiskLevel },
): Promise<ApproverPlan> {
  const { requester } = request;
  const excluded = [requester.id, request.implementerId];
  const levels: LevelSpec[] = [];
  for (const step of approvalRoute(request.type, request.riskLevel)) {
    let approvers: string[];
    if (step.source.kind === 'manager_of_requester') {
      const manager = await eligibleManager(directory, requester, excluded);
      approvers = manager ? [manager] : [];
    } else {
      approvers = (await directory.usersWithRole(step.source.role)).map((u) => u.id).filter((id) => !excluded.includes(id));
    }
    const needed = step.rule === 'n_of_m' ? (step.n ?? 1) : 1;
    if (approvers.length < needed) {
      return { ok: false, problem: `no eligible approvers for level "${step.name}" (need ${needed}, found ${approvers.length})` };
    }
    levels.push({ name: step.name, rule: step.rule, n: step.n, approvers });
  }
  const reviewerId = request.type === 'emergency' ? await eligibleManager(directory, requester, excluded) : null;
  if (request.type === 'emergency' && !reviewerId) {
    return { ok: false, problem: 'no eligible manager for the post-implementation review' };
  }
  return { ok: true, levels, reviewerId };
}
