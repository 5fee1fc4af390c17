import { QuorumRule } from './approval';
import { Likelihood, RiskLevel, riskAtLeast } from './risk';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export const CHANGE_STATUSES = [
  'pending_approval',
  'changes_requested',
  'scheduled',
  'in_progress',
  'implemented',
  'closed',
  'failed',
  'rejected',
  'withdrawn',
] as const;
export type ChangeStatus = (typeof CHANGE_STATUSES)[number];

export const TERMINAL_CHANGE_STATUSES: readonly ChangeStatus[] = ['closed', 'failed', 'rejected', 'withdrawn'];

/** The requester may withdraw until implementation starts. */
export const WITHDRAWABLE_CHANGE_STATUSES: readonly ChangeStatus[] = ['pending_approval', 'changes_requested', 'scheduled'];

export interface ChangeSubmission {
  title: string;
  description: string;
  type: ChangeType;
  probability: Likelihood;
  impact: Likelihood;
  affectedSystems: string[];
  plannedStart: string;
  plannedEnd: string;
  rollbackPlan: string;
  implementerId: string;
}

/** Who fills an approval level: resolved against the directory when the level is planned. */
export type ApproverSource = { kind: 'manager_of_requester' } | { kind: 'role'; role: string };

export interface RouteLevel {
  name: string;
  rule: QuorumRule;
  n?: number;
  source: ApproverSource;
}

export type RoutingError = 'standard_requires_low_risk';

/** Standard changes are pre-approved, which is only acceptable for low risk. */
export function routingError(type: ChangeType, risk: RiskLevel): RoutingError | null {
  return type === 'standard' && riskAtLeast(risk, 'medium') ? 'standard_requires_low_risk' : null;
}

/** The approval route a change takes; an empty route means pre-approved by `system`. */
export function approvalRoute(type: ChangeType, risk: RiskLevel): RouteLevel[] {
  switch (type) {
    case 'standard':
      return [];
    case 'emergency':
      return [{ name: 'cab', rule: 'n_of_m', n: 1, source: { kind: 'role', role: 'cab' } }];
    case 'normal': {
      const levels: RouteLevel[] = [{ name: 'manager', rule: 'any', source: { kind: 'manager_of_requester' } }];
      if (riskAtLeast(risk, 'high')) levels.push({ name: 'cab', rule: 'n_of_m', n: 2, source: { kind: 'role', role: 'cab' } });
      if (risk === 'very_high') levels.push({ name: 'executive', rule: 'any', source: { kind: 'role', role: 'executive' } });
      return levels;
    }
  }
}

/** Emergency changes skip the normal review, so their requester's manager reviews them after the fact. */
export function needsPostImplementationReview(type: ChangeType): boolean {
  return type === 'emergency';
}
