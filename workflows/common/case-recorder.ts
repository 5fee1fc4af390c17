import { patched, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { AuditEventDraft, CaseCommit, NotificationDraft, TaskClosure, TaskDraft } from '@steward/domain';
import type { CaseActivities } from './activities';

/** Unlimited retries: the read model must eventually hold every step, even across a database outage. */
const COMMIT_OPTIONS = {
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '30 seconds' },
} as const;

const { commitCase } = proxyActivities<CaseActivities>(COMMIT_OPTIONS);
/**
 * A case's first commit (the submission, the opening) runs as a local activity: in the worker that runs the
 * workflow task, inside that task, so creating a case is one workflow task instead of three, and the API's
 * 201 comes back that much sooner. A lost first task re-runs the same input to the same effects, which the
 * idempotent commit writes once.
 *
 * Every later commit is a regular activity, whose input the history records before it runs. A local
 * activity's is not: if a task that already committed is lost (a worker killed or a cache eviction mid-task),
 * the task runs again later, when more deadlines may be due or another Update may come first, and would
 * commit different effects under the same keys and version.
 */
const { commitCase: commitCaseLocally } = proxyLocalActivities<CaseActivities>(COMMIT_OPTIONS);

/** The case as the workflow sees it now: what each commit writes to the read model. */
export type CaseSnapshot = Pick<
  CaseCommit,
  'status' | 'requesterId' | 'participants' | 'readerRoles' | 'view' | 'createdAt' | 'updatedAt'
>;

/** Carried across continue-as-new so keys and versions keep increasing. */
export interface RecorderState {
  counter: number;
  version: number;
  openTaskKeys: string[];
}

/**
 * Collects a case's effects (audit events, tasks, notifications) as the workflow makes them and commits them
 * with the case's snapshot through one activity. Commits run one at a time, in the order the workflow made
 * them; keys derive from a counter in workflow state, so a retried commit writes nothing twice.
 */
export class CaseRecorder {
  private counter: number;
  private version: number;
  private events: AuditEventDraft[] = [];
  private openTasks: TaskDraft[] = [];
  private closeTasks: TaskClosure[] = [];
  private notifications: NotificationDraft[] = [];
  private readonly open: Set<string>;
  private dirty = true;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly caseType: string,
    private readonly caseId: string,
    private readonly snapshot: () => CaseSnapshot,
    state: RecorderState = { counter: 0, version: 0, openTaskKeys: [] },
  ) {
    this.counter = state.counter;
    this.version = state.version;
    this.open = new Set(state.openTaskKeys);
  }

  get state(): RecorderState {
    return { counter: this.counter, version: this.version, openTaskKeys: [...this.open] };
  }

  /** Versions already committed to Postgres: reads show everything up to this one. */
  get committedVersion(): number {
    return this.version;
  }

  private nextKey(kind: string): string {
    this.counter += 1;
    return `${this.caseId}:${kind}:${this.counter}`;
  }

  audit(e: Omit<AuditEventDraft, 'key' | 'at'> & { at?: string }): void {
    this.events.push({ key: this.nextKey('event'), at: e.at ?? new Date().toISOString(), ...e });
    this.dirty = true;
  }

  /** Opens a task once per key: the key names the duty (e.g. `r1:l0:approve:bob`), not the moment. */
  openTask(t: Omit<TaskDraft, 'key' | 'createdAt'> & { key: string }): void {
    const key = `${this.caseId}:task:${t.key}`;
    if (this.open.has(key)) return;
    this.open.add(key);
    this.openTasks.push({ ...t, key, createdAt: new Date().toISOString() });
    this.dirty = true;
  }

  closeTask(key: string, outcome: string): void {
    const full = `${this.caseId}:task:${key}`;
    if (!this.open.delete(full)) return;
    this.closeTasks.push({ key: full, outcome, at: new Date().toISOString() });
    this.dirty = true;
  }

  /** Closes every open task whose key starts with the prefix (all of a level's approvals, say). */
  closeTasksWithPrefix(prefix: string, outcome: string): void {
    const full = `${this.caseId}:task:${prefix}`;
    for (const key of [...this.open]) if (key.startsWith(full)) this.closeTask(key.slice(`${this.caseId}:task:`.length), outcome);
  }

  notify(userId: string, kind: string, message: string): void {
    this.notifications.push({ key: this.nextKey('notification'), userId, kind, message, createdAt: new Date().toISOString() });
    this.dirty = true;
  }

  /** Commits what has accumulated; resolves once Postgres holds it. */
  flush(): Promise<void> {
    const run = this.tail.then(() => this.commit());
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async commit(): Promise<void> {
    if (!this.dirty) return;
    const s = this.snapshot();
    const info = workflowInfo();
    const commit: CaseCommit = {
      caseType: this.caseType,
      caseId: this.caseId,
      workflowId: info.workflowId,
      runId: info.runId,
      version: this.version + 1,
      ...s,
      events: this.events,
      openTasks: this.openTasks,
      closeTasks: this.closeTasks,
      notifications: this.notifications,
    };
    this.events = [];
    this.openTasks = [];
    this.closeTasks = [];
    this.notifications = [];
    this.dirty = false;
    const local = commit.version === 1 && patched('first-commit-local-activity');
    await (local ? commitCaseLocally(commit) : commitCase(commit));
    this.version = commit.version;
  }
}
