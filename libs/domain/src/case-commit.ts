/**
 * What a workflow hands its persistence activity after each step: the new read model of the case and
 * the effects of the step. Every item carries a key derived from workflow state, so a retried activity
 * writes each one exactly once.
 */
export interface AuditEventDraft {
  key: string;
  at: string;
  actorId: string;
  action: string;
  fromStatus: string | null;
  toStatus: string | null;
  data: Record<string, unknown>;
}

export interface TaskDraft {
  key: string;
  assigneeId: string;
  kind: string;
  title: string;
  dueAt: string | null;
  createdAt: string;
  /** The delegator, when the assignee acts for someone who delegated their approvals. */
  onBehalfOf?: string | null;
}

export interface TaskClosure {
  key: string;
  outcome: string;
  at: string;
}

export interface NotificationDraft {
  key: string;
  userId: string;
  kind: string;
  message: string;
  createdAt: string;
}

export interface CaseCommit {
  caseType: string;
  caseId: string;
  workflowId: string;
  runId: string;
  version: number;
  status: string;
  requesterId: string | null;
  /** Everyone with a part in the case: they may read it and its audit trail. */
  participants: string[];
  /** Roles whose holders may read the case without taking part (HR for plans, executives for crises). */
  readerRoles?: string[];
  /** The case as the API shows it: the case type's view. */
  view: object;
  createdAt: string;
  updatedAt: string;
  events: AuditEventDraft[];
  openTasks: TaskDraft[];
  closeTasks: TaskClosure[];
  notifications: NotificationDraft[];
}
