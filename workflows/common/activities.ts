import type { CaseCommit } from '@steward/domain';

/** What the worker offers workflows. Workflows import this as a type only; the worker implements it. */
export interface CaseActivities {
  /** Writes the case's read model, tasks, notifications and audit events in one transaction. Idempotent. */
  commitCase(commit: CaseCommit): Promise<void>;
  /** Each user's manager from the directory (null when they have none). */
  managersOf(userIds: string[]): Promise<Record<string, string | null>>;
}

/** Delegations in force, read when an approval level opens. */
export interface DelegationActivities {
  /** Each user's delegate at `at` (ISO 8601), or null when they have not delegated for that moment. */
  delegatesOf(userIds: string[], at: string, role?: string): Promise<Record<string, string | null>>;
}
