/**
 * Shared set-up for workflow tests: the Java time-skipping test server, one workflow bundle per test file,
 * a worker per test with fake activities, and a ledger of everything the workflow committed.
 *
 * Time on the test server only moves when a test says so (env.sleep) or while a workflow result is awaited,
 * so a test never waits for real time to pass.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { WithStartWorkflowOperation, WorkflowHandle, WorkflowHandleWithFirstExecutionRunId, WorkflowUpdateFailedError } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, WorkerOptions, WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type {
  AuditEventDraft,
  CaseCommit,
  ChangeSubmission,
  Compensation,
  ComplaintIntake,
  Decision,
  LevelSpec,
  NotificationDraft,
  TaskClosure,
  TaskDraft,
} from '@steward/domain';
import { DEFAULT_SLA_POLICIES, riskAtLeast, riskLevel, RiskLevel } from '@steward/domain';
import { ensureJavaTestServer, freePort } from '@steward/devstack';
import { workflowBundleOptions } from '@steward/temporal';
import type { ChangeApprovalPlan, ChangeApprovalPlanRequest, ChangeRequestActivities } from '@steward/workflows/change-request/activities';
import type { ComplaintActivities, EscalationRole } from '@steward/workflows/complaint/activities';
import type { DelegationActivities } from '@steward/workflows/common/activities';
import { changeRequestWorkflow } from '@steward/workflows/change-request/change-request.workflow';
import { complaintWorkflow } from '@steward/workflows/complaint/complaint.workflow';
import {
  compensationDecisionUpdate,
  ComplaintInput,
  ComplaintState,
  complaintStateQuery,
  complaintWorkflowId,
  feedbackUpdate,
  openedUpdate,
  pauseUpdate,
  priorityUpdate,
  resolutionUpdate,
  respondUpdate,
  resumeUpdate,
  transferUpdate,
} from '@steward/workflows/complaint/definitions';
import {
  ChangeRequestInput,
  ChangeRequestView,
  changeRequestWorkflowId,
  decideUpdate,
  ImplementationInput,
  implementationUpdate,
  reviewUpdate,
  reviseUpdate,
  submittedUpdate,
  VerificationInput,
  verificationUpdate,
  viewQuery,
  withdrawUpdate,
} from '@steward/workflows/change-request/definitions';

/** For beforeAll: on a cold cache, devstack resolves the Java test server's jars with Maven first. */
export const SETUP_TIMEOUT_MS = 15 * 60_000;

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The approval policy every test uses: remind after 1 h, escalate after 2 h. */
export const POLICY: ChangeRequestInput['policy'] = { reminderAfterMs: HOUR, escalateAfterMs: 2 * HOUR };

/** Reporting lines of the demo directory (docker/directory.example.json) for the people tests use. */
export const DEMO_MANAGERS: Readonly<Record<string, string | null>> = {
  alice: 'bob',
  ivan: 'bob',
  eve: 'bob',
  bob: 'sue',
  carol: 'mike',
  dave: 'mike',
  erin: 'grace',
  sue: 'mike',
  mike: 'grace',
  grace: null,
  sam: 'lena',
  tina: 'lena',
  lena: 'sue',
};

/** Roles of the demo directory's people, as the API reads them for each request. */
export const DEMO_ROLES: Readonly<Record<string, string[]>> = {
  grace: ['executive', 'manager'],
  mike: ['manager'],
  sue: ['supervisor', 'manager'],
  lena: ['team_lead', 'agent', 'manager'],
  sam: ['agent'],
  tina: ['agent'],
  bob: ['team_lead', 'manager', 'employee'],
  alice: ['employee'],
  ivan: ['employee', 'implementer'],
  eve: ['employee'],
};

/** Who the complaint ladder brings in above any service agent: the service team's lead, then up the line. */
export const ESCALATION_TARGETS: Readonly<Record<EscalationRole, string>> = { team_lead: 'lena', supervisor: 'sue', manager: 'mike' };

/** The demo directory's supervisors: who may approve compensation. */
export const SUPERVISORS: readonly string[] = ['sue'];

/** The owner pickComplaintOwner gives every complaint. */
export const COMPLAINT_OWNER = 'sam';

export const CAB = ['carol', 'dave', 'erin'];

/** Set STEWARD_TEST_TIMINGS=1 to see how long the test server and the bundle took. */
export function reportTiming(what: string, ms: number): void {
  if (process.env.STEWARD_TEST_TIMINGS) process.stderr.write(`[workflows] ${what}: ${ms} ms\n`);
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await fn();
  } finally {
    reportTiming(what, Date.now() - started);
  }
}

/**
 * Keeps the SDK's INFO lines (worker start/stop, webpack) and the Java test server's capability warning (one
 * per worker, about heartbeat details) out of test output. STEWARD_TEST_LOG=WARN (or INFO, DEBUG) brings them back.
 */
const LOG_LEVEL = (['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const).find((l) => l === process.env.STEWARD_TEST_LOG?.toUpperCase()) ?? 'ERROR';
const quietLogger = new DefaultLogger(LOG_LEVEL);
function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: quietLogger, telemetryOptions: { logging: { filter: { core: LOG_LEVEL, other: LOG_LEVEL } } } });
  } catch {
    // Already installed (or instantiated) in this module registry: keep it.
  }
}

/** The Java test servers this process started, stopped by `teardownEnvironment`. */
const javaServers = new Map<TestWorkflowEnvironment, ChildProcess>();

/** Resolves once something accepts TCP connections on the port, or rejects at the deadline or when the server exits. */
async function waitForPort(port: number, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the Java test server exited with code ${server.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => (socket.end(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await delay(100);
  }
  throw new Error(`the Java test server did not listen on port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts the Java time-skipping test server (resolved once into the steward cache by devstack) and connects a
 * time-skipping environment to it. The SDK can start it too, but gives it a fixed 5 s, which a JVM on a loaded
 * 2-core machine does not always make; here it gets two minutes.
 */
export async function createTestEnvironment(): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  const path = await timed('Java test server resolved', () => ensureJavaTestServer());
  const port = await freePort();
  const server = spawn(path, [String(port)], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await timed('Java test server started', () => waitForPort(port, server, 120_000));
    // createTimeSkipping's own path, minus starting the server: an existing server with the test service on.
    const create = (TestWorkflowEnvironment as unknown as { create(opts: object): Promise<TestWorkflowEnvironment> }).create;
    const env = await create.call(TestWorkflowEnvironment, { server: { type: 'existing' }, address: `127.0.0.1:${port}`, supportsTimeSkipping: true, namespace: 'default' });
    javaServers.set(env, server);
    return env;
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
}

/** Bundles workflows/ exactly as the worker app does (with the @steward/domain alias). */
export function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  installQuietRuntime();
  return timed('workflow bundle', () => bundleWorkflowCode({ ...workflowBundleOptions(), logger: quietLogger }));
}

/** Everything the workflow committed to the (fake) read model, in order, with waits for what is still to come. */
export class CaseLedger {
  readonly commits: CaseCommit[] = [];
  private readonly waiters: { predicate: (c: CaseCommit) => boolean; resolve: (c: CaseCommit) => void }[] = [];

  record(commit: CaseCommit): void {
    this.commits.push(commit);
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(commit)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(commit);
      }
    }
  }

  /**
   * The first commit (already made or still to come) that satisfies the predicate. After env.sleep it is
   * normally there already: the test server holds its clock while workflow and activity tasks are outstanding,
   * so a timer's effects are committed before the sleep ends. Waiting keeps the tests independent of that.
   */
  waitFor(predicate: (c: CaseCommit) => boolean): Promise<CaseCommit> {
    const done = this.commits.find(predicate);
    if (done) return Promise.resolve(done);
    return new Promise((resolve) => this.waiters.push({ predicate, resolve }));
  }

  /** The first commit carrying an audit event with this action. */
  waitForAction(action: string): Promise<CaseCommit> {
    return this.waitFor((c) => c.events.some((e) => e.action === action));
  }

  get latest(): CaseCommit {
    const last = this.commits.at(-1);
    if (!last) throw new Error('nothing was committed');
    return last;
  }

  get events(): AuditEventDraft[] {
    return this.commits.flatMap((c) => c.events);
  }

  get actions(): string[] {
    return this.events.map((e) => e.action);
  }

  event(action: string): AuditEventDraft | undefined {
    return this.events.find((e) => e.action === action);
  }

  get notifications(): NotificationDraft[] {
    return this.commits.flatMap((c) => c.notifications);
  }

  get openedTasks(): TaskDraft[] {
    return this.commits.flatMap((c) => c.openTasks);
  }

  get closedTasks(): TaskClosure[] {
    return this.commits.flatMap((c) => c.closeTasks);
  }

  /** Tasks opened and not closed since. */
  get openTasks(): TaskDraft[] {
    const closed = new Set(this.closedTasks.map((t) => t.key));
    return this.openedTasks.filter((t) => !closed.has(t.key));
  }

  /**
   * What the persistence activity relies on: versions go up by exactly one per commit, and no key (audit
   * event, notification, task) is ever written twice. A task is closed at most once, and only after it opened.
   */
  expectConsistent(): void {
    expect(this.commits.map((c) => c.version)).toEqual(this.commits.map((_, i) => i + 1));
    const keys = [...this.events.map((e) => e.key), ...this.notifications.map((n) => n.key), ...this.openedTasks.map((t) => t.key)];
    expect(duplicates(keys)).toEqual([]);
    const closed = this.closedTasks.map((t) => t.key);
    expect(duplicates(closed)).toEqual([]);
    const opened = new Set(this.openedTasks.map((t) => t.key));
    expect(closed.filter((k) => !opened.has(k))).toEqual([]);
    expect(new Set(this.commits.map((c) => c.caseId)).size).toBeLessThanOrEqual(1);
  }
}

function duplicates(values: string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i);
}

/**
 * The approval plans the directory would produce for alice's changes: her manager bob, the CAB for high
 * risk, and for emergencies one CAB member with bob reviewing afterwards.
 */
export function demoPlan(request: ChangeApprovalPlanRequest): ChangeApprovalPlan {
  if (request.type === 'emergency') {
    return { ok: true, levels: [{ name: 'cab', rule: 'n_of_m', n: 1, approvers: CAB }], reviewerId: 'bob' };
  }
  if (request.type === 'standard') return { ok: true, levels: [], reviewerId: null };
  const levels: LevelSpec[] = [{ name: 'manager', rule: 'any', approvers: ['bob'] }];
  if (riskAtLeast(request.riskLevel as RiskLevel, 'high')) levels.push({ name: 'cab', rule: 'n_of_m', n: 2, approvers: CAB });
  return { ok: true, levels, reviewerId: null };
}

/** Every activity the worker offers, for both case types. */
export type StewardActivities = ChangeRequestActivities & ComplaintActivities & DelegationActivities;

export interface FakeActivities {
  activities: StewardActivities;
  ledger: CaseLedger;
  planRequests: ChangeApprovalPlanRequest[];
  managerLookups: string[][];
  /** escalationTarget calls, in order. */
  escalationLookups: { ownerId: string; role: EscalationRole }[];
  /** Owners whose whole ladder was looked up (complaintAssignment, escalationTargets), in order. */
  ladderLookups: string[];
  /** compensationApprovers calls (the excluded users), in order. */
  approverLookups: string[][];
  /** supervisorsAbove calls (the stalled approvers), in order. */
  supervisorLookups: string[][];
  /** delegatesOf calls (the approvers looked up), in order. */
  delegationLookups: string[][];
}

/** The nearest supervisor above `userId` in the demo reporting lines. */
function supervisorAbove(userId: string): string | null {
  for (let m = DEMO_MANAGERS[userId]; m; m = DEMO_MANAGERS[m]) if (DEMO_ROLES[m]?.includes('supervisor')) return m;
  return null;
}

export function fakeActivities(): FakeActivities {
  const ledger = new CaseLedger();
  const planRequests: ChangeApprovalPlanRequest[] = [];
  const managerLookups: string[][] = [];
  const escalationLookups: FakeActivities['escalationLookups'] = [];
  const ladderLookups: string[] = [];
  const approverLookups: string[][] = [];
  const supervisorLookups: string[][] = [];
  const delegationLookups: string[][] = [];
  return {
    ledger,
    planRequests,
    managerLookups,
    escalationLookups,
    ladderLookups,
    approverLookups,
    supervisorLookups,
    delegationLookups,
    activities: {
      async pickComplaintOwner() {
        return COMPLAINT_OWNER;
      },
      async escalationTarget(ownerId, role) {
        escalationLookups.push({ ownerId, role });
        return ESCALATION_TARGETS[role] ?? null;
      },
      async complaintAssignment() {
        ladderLookups.push(COMPLAINT_OWNER);
        return { ownerId: COMPLAINT_OWNER, ladder: { ...ESCALATION_TARGETS } };
      },
      async escalationTargets(ownerId) {
        ladderLookups.push(ownerId);
        return { ...ESCALATION_TARGETS };
      },
      async compensationApprovers(excluded) {
        approverLookups.push(excluded);
        return SUPERVISORS.filter((id) => !excluded.includes(id));
      },
      async supervisorsAbove(userIds) {
        supervisorLookups.push(userIds);
        return Object.fromEntries(userIds.map((id) => [id, supervisorAbove(id)]));
      },
      async commitCase(commit) {
        ledger.record(commit);
      },
      async managersOf(userIds) {
        managerLookups.push(userIds);
        return Object.fromEntries(userIds.map((id) => [id, DEMO_MANAGERS[id] ?? null]));
      },
      // Nobody has delegated; tests of delegation bring their own.
      async delegatesOf(userIds) {
        delegationLookups.push(userIds);
        return Object.fromEntries(userIds.map((id) => [id, null]));
      },
      async planChangeApprovals(request) {
        planRequests.push(request);
        return demoPlan(request);
      },
    },
  };
}

/** A normal, low-risk change by alice, implemented by ivan, whose window opens at `plannedStart`. */
export function submission(plannedStart: number, overrides: Partial<ChangeSubmission> = {}): ChangeSubmission {
  return {
    title: 'Rotate TLS certificates',
    description: 'Renew the edge certificates before they expire',
    type: 'normal',
    probability: 'low',
    impact: 'medium',
    affectedSystems: ['edge'],
    plannedStart: new Date(plannedStart).toISOString(),
    plannedEnd: new Date(plannedStart + 4 * HOUR).toISOString(),
    rollbackPlan: 'Restore the previous certificates from the vault',
    implementerId: 'ivan',
    ...overrides,
  };
}

/** A started change request and the human actions on it, each an Update that returns the committed view. */
export class ChangeRequestCase {
  constructor(
    readonly handle: WorkflowHandle<typeof changeRequestWorkflow>,
    readonly caseId: string,
    readonly submitted: ChangeRequestView,
  ) {}

  view(): Promise<ChangeRequestView> {
    return this.handle.query(viewQuery);
  }

  decide(actorId: string, decision: Decision, comment: string | null = null): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(decideUpdate, { args: [{ actorId, decision, comment }] });
  }

  revise(actorId: string, changes: Partial<ChangeSubmission>): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(reviseUpdate, { args: [{ actorId, changes }] });
  }

  withdraw(actorId: string, reason: string): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(withdrawUpdate, { args: [{ actorId, reason }] });
  }

  implementation(actorId: string, event: ImplementationInput['event'], note: string | null = null): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(implementationUpdate, { args: [{ actorId, event, note }] });
  }

  verify(actorId: string, outcome: VerificationInput['outcome'], note: string | null = null): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(verificationUpdate, { args: [{ actorId, outcome, note }] });
  }

  review(actorId: string, note: string): Promise<ChangeRequestView> {
    return this.handle.executeUpdate(reviewUpdate, { args: [{ actorId, note }] });
  }

  /**
   * The workflow's result. Awaiting it lets the test server skip time freely, so only call it once the case is
   * terminal: the workflow has nothing left to wait for.
   */
  result(): Promise<ChangeRequestView> {
    return this.handle.result();
  }
}

/** Starts a change request as the API does (requester alice) and waits until the submission is committed. */
export async function submitChange(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  change: ChangeSubmission,
  requesterId = 'alice',
  options: { planned: boolean; delegates?: Record<string, string> | 'looked-up-by-the-workflow' } = { planned: true },
): Promise<ChangeRequestCase> {
  const caseId = randomUUID();
  // As the API does: the first round's approvers go in with the input, planned when the submission was accepted,
  // with the delegations in force for level 1 (nobody's, unless the test names some).
  const plan = demoPlan({ requesterId, implementerId: change.implementerId, type: change.type, riskLevel: riskLevel(change.probability, change.impact) });
  const given = options.delegates === 'looked-up-by-the-workflow' ? undefined : (options.delegates ?? {});
  const firstLevelDelegates =
    given && plan.ok && plan.levels.length ? Object.fromEntries(plan.levels[0].approvers.map((id) => [id, given[id] ?? null])) : undefined;
  // Update-with-Start, as the API submits: the update rides on the start, in the run's first workflow task.
  const start = new WithStartWorkflowOperation(changeRequestWorkflow, {
    workflowId: changeRequestWorkflowId(caseId),
    workflowIdConflictPolicy: 'FAIL',
    taskQueue,
    args: [{ caseId, requesterId, submission: change, policy: POLICY, ...(options.planned && plan.ok ? { plan, firstLevelDelegates } : {}) }],
  });
  const submitted = await env.client.workflow.executeUpdateWithStart(submittedUpdate, { startWorkflowOperation: start });
  const handle = await start.workflowHandle();
  return new ChangeRequestCase(handle, caseId, submitted);
}

/** A critical complaint of a tier-A customer: P1 under the default policies (24x7; 15 min, 1 h, 4 h). */
export function complaintIntake(overrides: Partial<ComplaintIntake> = {}): ComplaintIntake {
  return {
    customer: { id: 'C-1001', name: 'Acme Ltd', tier: 'A' },
    channel: 'phone',
    subject: 'Invoice charged twice',
    description: 'The customer was charged twice for November',
    severity: 'critical',
    ...overrides,
  };
}

/** The compensation threshold the API passes by default (COMPENSATION_APPROVAL_THRESHOLD). */
export const COMPENSATION_THRESHOLD = 1000;

/** What the API starts a complaint with: logged by tina, the shipped SLA policies, the test approval policy. */
export function complaintInput(caseId: string, overrides: Partial<Omit<ComplaintInput, 'caseId'>> = {}): ComplaintInput {
  return {
    caseId,
    createdBy: 'tina',
    intake: complaintIntake(),
    policies: DEFAULT_SLA_POLICIES,
    compensationThreshold: COMPENSATION_THRESHOLD,
    approvalPolicy: POLICY,
    ...overrides,
  };
}

const actor = (actorId: string) => ({ actorId, roles: [...(DEMO_ROLES[actorId] ?? [])] });

/** A started complaint and the actions on it, each an Update (with the actor's demo roles) returning the committed state. */
export class ComplaintCase {
  constructor(
    readonly handle: WorkflowHandleWithFirstExecutionRunId<typeof complaintWorkflow>,
    readonly caseId: string,
    readonly opened: ComplaintState,
  ) {}

  /** The run the complaint started with (continue-as-new starts others). */
  get firstRunId(): string {
    return this.handle.firstExecutionRunId;
  }

  /** The run now current. */
  async runId(): Promise<string> {
    return (await this.handle.describe()).runId;
  }

  state(): Promise<ComplaintState> {
    return this.handle.query(complaintStateQuery);
  }

  respond(actorId: string, message = 'We are looking into it'): Promise<ComplaintState> {
    return this.handle.executeUpdate(respondUpdate, { args: [{ ...actor(actorId), message }] });
  }

  transfer(actorId: string, toUserId: string, reason = 'Rebalancing the queue'): Promise<ComplaintState> {
    return this.handle.executeUpdate(transferUpdate, { args: [{ ...actor(actorId), toUserId, reason }] });
  }

  pause(actorId: string, reason = 'Waiting for the bank statement'): Promise<ComplaintState> {
    return this.handle.executeUpdate(pauseUpdate, { args: [{ ...actor(actorId), reason }] });
  }

  resume(actorId: string): Promise<ComplaintState> {
    return this.handle.executeUpdate(resumeUpdate, { args: [actor(actorId)] });
  }

  changePriority(actorId: string, severity: ComplaintIntake['severity'], reason = 'The customer cannot trade'): Promise<ComplaintState> {
    return this.handle.executeUpdate(priorityUpdate, { args: [{ ...actor(actorId), severity, reason }] });
  }

  resolve(actorId: string, compensation: Compensation | null = null, summary = 'Refunded the duplicate charge'): Promise<ComplaintState> {
    return this.handle.executeUpdate(resolutionUpdate, { args: [{ ...actor(actorId), summary, compensation }] });
  }

  decideCompensation(actorId: string, decision: 'approve' | 'reject', comment: string | null = null): Promise<ComplaintState> {
    return this.handle.executeUpdate(compensationDecisionUpdate, { args: [{ ...actor(actorId), decision, comment }] });
  }

  feedback(actorId: string, satisfied: boolean, comment: string | null = null): Promise<ComplaintState> {
    return this.handle.executeUpdate(feedbackUpdate, { args: [{ ...actor(actorId), satisfied, comment }] });
  }

  /** The final state, following continue-as-new. Only once the complaint is closed (see ChangeRequestCase.result). */
  result(): Promise<ComplaintState> {
    return this.handle.result();
  }
}

/** Starts a complaint as the API does and waits until its intake (owner, tasks, clocks) is committed. */
export async function openComplaint(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  overrides: Partial<Omit<ComplaintInput, 'caseId'>> = {},
): Promise<ComplaintCase> {
  const caseId = randomUUID();
  const handle = await env.client.workflow.start(complaintWorkflow, {
    workflowId: complaintWorkflowId(caseId),
    taskQueue,
    args: [complaintInput(caseId, overrides)],
  });
  const opened = await handle.executeUpdate(openedUpdate);
  return new ComplaintCase(handle, caseId, opened);
}

export interface CaseTestContext extends FakeActivities {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  /** The test server's clock: where time-skipping has got to. */
  now(): Promise<number>;
  submit(change: ChangeSubmission): Promise<ChangeRequestCase>;
  open(overrides?: Partial<Omit<ComplaintInput, 'caseId'>>): Promise<ComplaintCase>;
  /** Skips the test server's clock forward to `ms` (no-op when it is there already). */
  sleepUntil(ms: number): Promise<void>;
  /** Starts a workflow on this worker's task queue; it is terminated when the test ends, if still running. */
  start<A extends unknown[]>(workflowType: string, workflowId: string, args: A): Promise<WorkflowHandle>;
}

export interface CaseWorkerOptions {
  /**
   * Replaces some fake activities, or adds a case type's own (its fixtures file builds them; the ledger still
   * records every commit).
   */
  activities?: (fakes: FakeActivities) => Partial<StewardActivities> & Record<string, (...args: never[]) => Promise<unknown>>;
  /** Worker options beyond the defaults, e.g. a small sticky cache. */
  worker?: Pick<WorkerOptions, 'maxCachedWorkflows' | 'maxConcurrentWorkflowTaskExecutions' | 'maxConcurrentWorkflowTaskPolls' | 'nonStickyToStickyPollRatio'>;
}

/** Workers still running, so a timed-out test does not keep the environment from shutting down. */
const runningWorkers = new Set<Worker>();

/**
 * Runs `fn` with a fresh worker (own task queue, fake activities) and checks the committed ledger afterwards.
 *
 * Workflows the test leaves running are terminated: their timers would otherwise fire during a later test's
 * env.sleep, and a workflow task nobody polls for holds the test server's clock still, so that sleep hangs.
 */
export async function withCaseWorker<T>(
  env: TestWorkflowEnvironment,
  workflowBundle: WorkflowBundleWithSourceMap,
  fn: (ctx: CaseTestContext) => Promise<T>,
  options: CaseWorkerOptions = {},
): Promise<T> {
  const fakes = fakeActivities();
  const taskQueue = `steward-test-${randomUUID()}`;
  const started: WorkflowHandle[] = [];
  const activities = { ...fakes.activities, ...options.activities?.(fakes) };
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle, activities, ...options.worker });
  const ctx: CaseTestContext = {
    ...fakes,
    env,
    taskQueue,
    now: () => env.currentTimeMs(),
    submit: async (change) => {
      const cr = await submitChange(env, taskQueue, change);
      started.push(cr.handle);
      return cr;
    },
    open: async (overrides) => {
      const complaint = await openComplaint(env, taskQueue, overrides);
      started.push(complaint.handle);
      return complaint;
    },
    start: async (workflowType, workflowId, args) => {
      const handle = await env.client.workflow.start(workflowType, { taskQueue, workflowId, args });
      started.push(handle);
      return handle;
    },
    sleepUntil: async (ms) => {
      const now = await env.currentTimeMs();
      if (ms > now) await env.sleep(ms - now);
    },
  };
  runningWorkers.add(worker);
  let passed = false;
  try {
    const result = await worker.runUntil(fn(ctx));
    fakes.ledger.expectConsistent();
    passed = true;
    return result;
  } finally {
    runningWorkers.delete(worker);
    // After a failure, the test's own error is the one worth reading.
    await terminateRunning(started).catch((err: unknown) => {
      if (passed) throw err;
    });
  }
}

export async function terminateRunning(handles: WorkflowHandle[]): Promise<void> {
  for (const handle of handles) {
    const { status } = await handle.describe();
    if (status.name === 'RUNNING') await handle.terminate('test finished');
  }
}

/** Stops workers a failed test left running, then the test server. */
export async function teardownEnvironment(env: TestWorkflowEnvironment | undefined): Promise<void> {
  for (const worker of runningWorkers) {
    if (worker.getState() === 'RUNNING') worker.shutdown();
  }
  await env?.teardown();
  const server = env && javaServers.get(env);
  if (server && server.exitCode === null) {
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGTERM');
    await exited;
  }
  if (env) javaServers.delete(env);
}

/** The failure an Update validator refused with (its type is what the API maps to 403/409/400). */
export async function refusal(update: Promise<unknown>): Promise<{ type: string | undefined; message: string }> {
  try {
    await update;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      return { type: err.cause.type ?? undefined, message: err.cause.message };
    }
    throw err;
  }
  throw new Error('expected the update to be refused, but it was accepted');
}
