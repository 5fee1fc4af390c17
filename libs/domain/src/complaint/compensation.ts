import type { Compensation } from './complaint';

/** A compensation paid out (or promised) in an earlier cycle of the complaint, before a reopen. */
export interface PastCompensation extends Compensation {
  /** `not_required` (under the threshold) or `approved`: both were granted. Rejected ones are not kept. */
  status: 'not_required' | 'approved';
  at: string;
}

/**
 * Whether a proposed compensation needs a supervisor's approval. The threshold applies to the complaint's
 * cumulative compensation: what was granted before a reopen plus this proposal. Otherwise splitting a payout
 * over reopens (1000, reopen, 1000, ...) would pass any amount without approval.
 *
 * Amounts in another currency than the proposal's cannot be added up without an exchange rate: any such
 * earlier grant makes the proposal need approval (the safe side).
 */
export function compensationNeedsApproval(past: readonly PastCompensation[], proposed: Compensation | null, threshold: number): boolean {
  if (!proposed) return false;
  if (past.some((p) => p.currency !== proposed.currency && p.amount > 0)) return true;
  return cumulativeCompensation(past, proposed) > threshold;
}

/** The proposal plus every earlier grant in its currency. */
export function cumulativeCompensation(past: readonly PastCompensation[], proposed: Compensation): number {
  return past.filter((p) => p.currency === proposed.currency).reduce((sum, p) => sum + p.amount, proposed.amount);
}
