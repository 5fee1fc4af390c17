import type { LevelSpec } from '../approval';
import { isoDurationMs } from '../duration';
import { conditionHolds } from './condition';
import type { ApprovalType, FieldValues, RequestRouteLevel } from './types';

/** What route planning reads from the directory. */
export interface RouteDirectory {
  managerOf(userId: string): Promise<string | null>;
  usersWithRole(role: string): Promise<string[]>;
  exists(userId: string): Promise<boolean>;
}

export type RoutePlan = { ok: true; levels: LevelSpec[] } | { ok: false; level: string; problem: string };

/** The levels of the route that apply to these fields, in order: those whose `when` holds, or that have none. */
export function applicableLevels(type: ApprovalType, fields: FieldValues): RequestRouteLevel[] {
  return type.route.filter((level) => conditionHolds(level.when, fields));
}

/** Approvals a level needs before it is decided: the route's quorum rule on `candidates` approvers. */
export function approvalsNeeded(level: Pick<RequestRouteLevel, 'rule' | 'n'>, candidates: number): number {
  if (level.rule === 'all') return Math.max(1, candidates);
  return level.rule === 'n_of_m' ? (level.n ?? 1) : 1;
}

async function candidatesFor(selector: string, requesterId: string, dir: RouteDirectory): Promise<string[]> {
  if (selector === 'requester.manager') {
    const manager = await dir.managerOf(requesterId);
    return manager ? [manager] : [];
  }
  if (selector === 'requester.manager.manager') {
    const manager = await dir.managerOf(requesterId);
    const above = manager ? await dir.managerOf(manager) : null;
    return above ? [above] : [];
  }
  if (selector.startsWith('role:')) return dir.usersWithRole(selector.slice('role:'.length));
  if (selector.startsWith('user:')) {
    const id = selector.slice('user:'.length);
    return (await dir.exists(id)) ? [id] : [];
  }
  return [];
}

/**
 * Resolves the route to people at submission (and again on a revision). Segregation of duties: the requester
 * never approves, and no one sits on two levels of the same request, so one person never decides twice. A
 * level left with fewer eligible approvers than its rule needs makes the request unroutable.
 */
export async function planApprovalRoute(type: ApprovalType, fields: FieldValues, requesterId: string, dir: RouteDirectory): Promise<RoutePlan> {
  const levels: LevelSpec[] = [];
  const seated = new Set<string>([requesterId]);
  for (const level of applicableLevels(type, fields)) {
    const approvers = [...new Set(await candidatesFor(level.approvers, requesterId, dir))].filter((id) => !seated.has(id));
    const needed = approvalsNeeded(level, approvers.length);
    if (approvers.length < needed) {
      return {
        ok: false,
        level: level.name,
        problem: `no eligible approvers for level "${level.name}" (${level.approvers}): need ${needed}, found ${approvers.length} other than the requester and earlier levels' approvers`,
      };
    }
    approvers.forEach((id) => seated.add(id));
    const spec: LevelSpec = { name: level.name, rule: level.rule, approvers };
    if (level.rule === 'n_of_m') spec.n = level.n;
    const afterMs = level.timeout ? isoDurationMs(level.timeout) : null;
    if (level.timeout && level.onTimeout && afterMs) spec.timeout = { after: level.timeout, afterMs, onTimeout: level.onTimeout };
    levels.push(spec);
  }
  return { ok: true, levels };
}
