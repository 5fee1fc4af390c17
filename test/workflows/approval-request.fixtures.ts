/**
 * Fixtures for approval-request workflow tests: the demo directory as route planning reads it, fake
 * activities (route planning is the real domain code over that directory), delegations a test sets, and a
 * handle on a started request with its human actions.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { ApprovalType, DEFAULT_APPROVAL_TYPES, Decision, FieldValues, planApprovalRoute, RouteDirectory } from '@steward/domain';
import type { ApprovalRequestActivities } from '@steward/workflows/approval-request/activities';
import {
  APPROVAL_REQUEST_WORKFLOW,
  ApprovalRequestInput,
  ApprovalRequestView,
  approvalRequestWorkflowId,
  decideUpdate,
  fulfilmentUpdate,
  reviseUpdate,
  submittedUpdate,
  viewQuery,
  withdrawUpdate,
} from '@steward/workflows/approval-request/definitions';
import { spawn } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureJavaTestServer } from '@steward/devstack';
import { CaseTestContext, CaseWorkerOptions, DEMO_MANAGERS, DEMO_ROLES, POLICY } from './harness';

const JVM_FLAGS = '-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Dorg.slf4j.simpleLogger.defaultLogLevel=warn';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function listening(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the test server did not listen on ${port}`);
}

/** A class-data-sharing archive of the test server's classes: a JVM started with it listens in about a second. */
async function classArchive(classpath: string): Promise<string | null> {
  const archive = join(tmpdir(), 'steward-temporal-test-server.jsa');
  if (existsSync(archive)) return archive;
  const partial = `${archive}.${process.pid}`;
  const port = await freePort();
  const jvm = spawn('java', [`-XX:ArchiveClassesAtExit=${partial}`, ...JVM_FLAGS.split(' '), '-cp', classpath, 'io.temporal.testserver.TestServer', String(port)], { stdio: 'ignore' });
  const exited = new Promise((resolve) => jvm.once('exit', resolve));
  try {
    await listening(port, Date.now() + 120_000);
  } finally {
    jvm.kill('SIGTERM');
    await exited;
  }
  if (!existsSync(partial)) return null;
  await fs.rename(partial, archive);
  return archive;
}

/**
 * The SDK gives the test server's JVM 5 s to listen. On a loaded machine (several engineers' test runs on two
 * cores) a cold JVM needs longer, so this starts the same jars with a class-data-sharing archive and start-up
 * flags, and tries again if it still misses the limit (the SDK tears a failed attempt down).
 */
export async function createLoadTolerantTestEnvironment(attempts = 4): Promise<TestWorkflowEnvironment> {
  const cached = await ensureJavaTestServer();
  const classpath = (await fs.readFile(join(dirname(cached), 'classpath.txt'), 'utf8')).trim();
  const archive = await classArchive(classpath);
  const share = archive ? `-XX:SharedArchiveFile=${archive} -Xshare:auto ` : '';
  const script = `#!/bin/sh\nexec java ${share}${JVM_FLAGS} -cp "${classpath}" io.temporal.testserver.TestServer "$@"\n`;
  // Beside the cached server, named by its content: one file for every run with these jars and flags, written
  // whole (rename) so that a test process starting the server meanwhile never reads half of it.
  const wrapper = join(dirname(cached), `quickstart-${createHash('sha256').update(script).digest('hex').slice(0, 16)}.sh`);
  if (!existsSync(wrapper)) {
    const partial = `${wrapper}.${process.pid}`;
    await fs.writeFile(partial, script, { mode: 0o755 });
    await fs.rename(partial, wrapper);
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: wrapper } } });
    } catch (err) {
      if (attempt >= attempts || !String((err as Error).message).includes('did not start within')) throw err;
    }
  }
}

export const ROLES: Readonly<Record<string, string[]>> = { ...DEMO_ROLES, fiona: ['finance'], root: ['admin'], audrey: ['auditor'] };
export const MANAGERS: Readonly<Record<string, string | null>> = { ...DEMO_MANAGERS, fiona: 'grace', root: null, audrey: 'grace' };

export const demoDirectory: RouteDirectory = {
  managerOf: async (id) => MANAGERS[id] ?? null,
  usersWithRole: async (role) => Object.keys(ROLES).filter((id) => ROLES[id].includes(role)).sort(),
  exists: async (id) => id in ROLES,
};

export interface ApprovalFakes {
  /** delegator -> delegate, in force for every lookup while set. */
  delegations: Map<string, string>;
  delegationLookups: string[][];
  planRequests: number;
}

/** The approval-request activities over the demo directory; pass as `withCaseWorker`'s options. */
export function approvalRequestWorker(fakes: ApprovalFakes = { delegations: new Map(), delegationLookups: [], planRequests: 0 }): CaseWorkerOptions & { fakes: ApprovalFakes } {
  const activities: Pick<ApprovalRequestActivities, 'planApprovalRoute' | 'roleHolders' | 'delegatesOf'> = {
    async planApprovalRoute(request) {
      fakes.planRequests += 1;
      return planApprovalRoute(request.definition, request.fields, request.requesterId, demoDirectory);
    },
    async roleHolders(role) {
      return demoDirectory.usersWithRole(role);
    },
    async delegatesOf(userIds) {
      fakes.delegationLookups.push(userIds);
      return Object.fromEntries(userIds.map((id) => [id, fakes.delegations.get(id) ?? null]));
    },
  };
  return { fakes, activities: () => activities };
}

/** A started approval request and the human actions on it, each an Update that returns the committed view. */
export class ApprovalRequestCase {
  constructor(
    readonly handle: WorkflowHandle,
    readonly caseId: string,
    readonly submitted: ApprovalRequestView,
  ) {}

  view(): Promise<ApprovalRequestView> {
    return this.handle.query(viewQuery);
  }

  decide(actorId: string, decision: Decision, comment: string | null = null): Promise<ApprovalRequestView> {
    return this.handle.executeUpdate(decideUpdate, { args: [{ actorId, decision, comment }] });
  }

  revise(actorId: string, fields: FieldValues, title?: string): Promise<ApprovalRequestView> {
    return this.handle.executeUpdate(reviseUpdate, { args: [{ actorId, fields, title }] });
  }

  withdraw(actorId: string, reason: string): Promise<ApprovalRequestView> {
    return this.handle.executeUpdate(withdrawUpdate, { args: [{ actorId, reason }] });
  }

  fulfil(actorId: string, note: string): Promise<ApprovalRequestView> {
    return this.handle.executeUpdate(fulfilmentUpdate, { args: [{ actorId, roles: ROLES[actorId] ?? [], note }] });
  }

  /** The workflow's result: only once the request is finished (awaiting it lets the test server skip time). */
  async result(): Promise<ApprovalRequestView> {
    return (await this.handle.result()) as ApprovalRequestView;
  }
}

export interface RequestSpec {
  type?: string;
  definition?: ApprovalType;
  title?: string;
  fields?: FieldValues;
  requesterId?: string;
  policy?: ApprovalRequestInput['policy'];
}

/** alice's purchase of `value` CNY (manager bob; finance above 10 000; executive above 100 000). */
export function purchase(value: number): FieldValues {
  return { amount: { value, currency: 'CNY' }, vendor: 'Lenovo', justification: 'Laptops for the new hires' };
}

/** Starts a request as the API does and waits until the submission is committed. */
export async function submitRequest(ctx: CaseTestContext, spec: RequestSpec = {}): Promise<ApprovalRequestCase> {
  const caseId = randomUUID();
  const type = spec.type ?? 'purchase';
  const input: ApprovalRequestInput = {
    caseId,
    requesterId: spec.requesterId ?? 'alice',
    type,
    definition: spec.definition ?? DEFAULT_APPROVAL_TYPES[type],
    title: spec.title ?? 'Five laptops',
    fields: spec.fields ?? purchase(5000),
    policy: spec.policy ?? POLICY,
  };
  const handle = await ctx.start(APPROVAL_REQUEST_WORKFLOW, approvalRequestWorkflowId(caseId), [input]);
  const submitted = await handle.executeUpdate(submittedUpdate);
  return new ApprovalRequestCase(handle, caseId, submitted);
}
