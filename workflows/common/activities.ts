import type { CaseCommit } from '@steward/domain';

/** What the worker offers workflows. Workflows import this as a type only; the worker implements it. */
export interface CaseActivities {
  /** Writes the case's read model, tasks, notifications and audit events in one transaction. Idempotent. */
  commitCase(commit: CaseCommit): Promise<void>;
  /** Each user's manager from the directory (null when they have none). */
  managersOf(userIds: string[]): Promise<Record<string, string | null>>;
}
