import { randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client as PgClient } from 'pg';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { freePort } from '@steward/devstack';
import { defaultDirectoryFile, prepareDatabase } from '@steward/directory';
import { ensureAppLogin } from '@steward/persistence';
import { checkCases } from '../faults/checks';
import { FaultClient } from '../faults/client';
import { intFromEnv } from '../faults/env';
import { approvalRequestFlow, changeRequestFlow, complaintFlow, FlowKind, FlowResult } from '../faults/flows';
import { Prng } from '../faults/prng';
import { JWT_SECRET, NodeService, until } from '../faults/stack';
import { distFile, ensureFreshBuild } from '../support/build';
import { quoteIdent, withDatabase } from '../support/isolation';

/**
 * The production topology (`npm run test:topology`, which starts the Temporal server on Postgres and passes its
 * address in TOPOLOGY_TEMPORAL_ADDRESS): two API processes and two worker processes, compiled (dist/), on one
 * database and one task queue. Change requests, complaints and approval requests move through their flows with
 * every request sent to the other API than the one before; half way through, one worker is killed with
 * SIGKILL and the other carries on alone, then a replacement starts. At the end every case is in its final
 * status with each audit event, task and notification exactly once, the audit chain verifies, both APIs
 * served requests, and the histories show that both of the first two workers did work.
 *
 * TOPOLOGY_SEED replays a run's plan; TOPOLOGY_CHANGES, TOPOLOGY_COMPLAINTS, TOPOLOGY_APPROVALS and
 * TOPOLOGY_CONCURRENCY size it.
 */

const SEED = intFromEnv('TOPOLOGY_SEED', randomInt(1, 2 ** 31));
const CHANGES = intFromEnv('TOPOLOGY_CHANGES', 40);
const COMPLAINTS = intFromEnv('TOPOLOGY_COMPLAINTS', 40);
const APPROVALS = intFromEnv('TOPOLOGY_APPROVALS', 20);
const CONCURRENCY = intFromEnv('TOPOLOGY_CONCURRENCY', 16);
const THINK_MS = intFromEnv('TOPOLOGY_THINK_MS', 300);
const NAMESPACE = process.env.TOPOLOGY_NAMESPACE || 'default';
const TASK_QUEUE = 'topology';

jest.setTimeout(20 * 60_000);

const say = (m: string): void => void process.stderr.write(`[topology] ${m}\n`);

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset: run this test with "npm run test:topology", which starts the Temporal server and Postgres and sets it`);
  return value;
}

describe('production topology', () => {
  // scripts/topology.mjs passes a directory inside its own, which it removes (or keeps when the test failed).
  const dir = process.env.TOPOLOGY_LOG_DIR || mkdtempSync(join(tmpdir(), 'steward-topology-'));
  mkdirSync(dir, { recursive: true });
  const services: NodeService[] = [];
  let keep = true;
  let connection: Connection | null = null;
  let ownerUrl = '';

  afterAll(async () => {
    for (const s of services) await s.stop().catch(() => undefined);
    await connection?.close();
    if (keep) say(`kept the logs in ${dir} (api-1.log, api-2.log, worker-*.log)`);
    else rmSync(dir, { recursive: true, force: true });
  });

  it('two APIs and two workers on one database and task queue lose and double nothing when a worker is killed', async () => {
    const started = Date.now();
    const temporalAddress = required('TOPOLOGY_TEMPORAL_ADDRESS');
    const adminUrl = required('TOPOLOGY_DATABASE_URL');
    say(`seed ${SEED} (TOPOLOGY_SEED=${SEED} replays this plan): ${CHANGES} change requests, ${COMPLAINTS} complaints, ${APPROVALS} approval requests`);
    await ensureFreshBuild(say);

    // One database for both APIs and both workers, migrated and seeded as in production.
    const database = `topology_${randomBytes(3).toString('hex')}`;
    const admin = new PgClient({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`).finally(() => admin.end());
    ownerUrl = withDatabase(adminUrl, database);
    await prepareDatabase(ownerUrl, defaultDirectoryFile());
    const appUrl = await ensureAppLogin(ownerUrl);

    connection = await Connection.connect({ address: temporalAddress });
    const temporalClient = new Client({ connection, namespace: NAMESPACE });
    const env = (port: number | null) => (): Record<string, string> => ({
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.TOPOLOGY_LOG_LEVEL ?? 'warn',
      DATABASE_URL: appUrl,
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      JWT_SECRET,
      MIGRATIONS_RUN: 'false',
      ...(port === null ? {} : { PORT: String(port), HOST: '127.0.0.1' }),
      RATE_LIMIT_MAX: '1000000',
    });
    const apiPorts = [await freePort(), await freePort()];
    const apiAnswers = (port: number) => async (): Promise<boolean> => {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      return res.status === 200;
    };
    const workerPolls = async (pid: number | undefined): Promise<boolean> => {
      const { pollers } = await connection!.workflowService.describeTaskQueue({
        namespace: NAMESPACE,
        taskQueue: { name: TASK_QUEUE },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return pollers.some((p) => p.identity?.startsWith(`${pid}@`));
    };
    const unexpectedExits: string[] = [];
    const api = apiPorts.map((port, i) => new NodeService(`api-${i + 1}`, dir, distFile('apps', 'api', 'src', 'main.js'), env(port), apiAnswers(port), () => unexpectedExits.push(`api-${i + 1}`)));
    const workerScript = distFile('apps', 'worker', 'src', 'main.js');
    const newWorker = (name: string): NodeService => {
      const w = new NodeService(name, dir, workerScript, env(null), (child) => workerPolls(child.pid), () => unexpectedExits.push(name));
      services.push(w);
      return w;
    };
    services.push(...api);
    const workers = [newWorker('worker-1'), newWorker('worker-2')];
    await Promise.all([...api, ...workers].map((s) => s.start()));
    const pids = new Map<number, string>();
    for (const w of workers) pids.set(w.child!.pid!, w.name);
    say(`running: ${[...api, ...workers].map((s) => `${s.name} (pid ${s.child?.pid})`).join(', ')}`);

    // Every request goes to the other API than the one before.
    const perApi = [0, 0];
    let turn = 0;
    const client = new FaultClient(() => {
      const i = turn++ % 2;
      perApi[i] += 1;
      return `http://127.0.0.1:${apiPorts[i]}`;
    });

    const prng = new Prng(SEED);
    const flows: { kind: FlowKind; index: number; opener: string; think: number[] }[] = [];
    for (let i = 0; i < CHANGES; i++) flows.push({ kind: 'change_request', index: i, opener: 'alice', think: [] });
    for (let i = 0; i < COMPLAINTS; i++) flows.push({ kind: 'complaint', index: i, opener: prng.pick(['sam', 'tina']), think: [] });
    for (let i = 0; i < APPROVALS; i++) flows.push({ kind: 'approval_request', index: i, opener: 'alice', think: [] });
    for (let i = flows.length - 1; i > 0; i--) {
      const j = prng.int(0, i);
      [flows[i], flows[j]] = [flows[j], flows[i]];
    }
    for (const f of flows) f.think = Array.from({ length: 4 }, () => prng.int(0, THINK_MS));
    // Requests that answer below 500: submit plus the actions of each flow.
    const totalRequests = CHANGES * 5 + COMPLAINTS * 4 + APPROVALS * 3;

    const figures = { kills: 0, killedAtRequest: 0, killedAfterSeconds: 0, replacementAtRequest: 0 };
    let flowsDone = false;
    const fault = (async () => {
      // Half way through the flows: kill -9 worker-1 wherever it is; worker-2 carries on alone for a while.
      await until('half of the flows\' requests to be answered', async () => flowsDone || client.successes >= totalRequests / 2, 15 * 60_000, 50);
      if (flowsDone) return;
      figures.killedAtRequest = client.successes;
      figures.killedAfterSeconds = Math.round((Date.now() - started) / 1000);
      await workers[0].kill9();
      figures.kills += 1;
      say(`killed worker-1 with SIGKILL after ${client.successes} answered requests`);
      await until('worker-2 alone to move the flows on', async () => flowsDone || client.successes >= (totalRequests * 3) / 4, 15 * 60_000, 50);
      // A replacement, as a supervisor would start, so the deployment ends with two workers again.
      figures.replacementAtRequest = client.successes;
      const replacement = newWorker('worker-3');
      await replacement.start();
      pids.set(replacement.child!.pid!, replacement.name);
      say(`started worker-3 (pid ${replacement.child!.pid}) after ${client.successes} answered requests`);
    })();

    const results: FlowResult[] = [];
    let next = 0;
    const lanes = Array.from({ length: Math.max(1, CONCURRENCY) }, async () => {
      while (next < flows.length) {
        const f = flows[next++];
        const r =
          f.kind === 'change_request'
            ? await changeRequestFlow(client, f.index, SEED, f.think)
            : f.kind === 'complaint'
              ? await complaintFlow(client, f.index, SEED, f.opener, f.think)
              : await approvalRequestFlow(client, f.index, SEED, f.think);
        results.push(r);
      }
    });
    await Promise.all(lanes);
    flowsDone = true;
    const flowSeconds = (Date.now() - started) / 1000;
    await fault;

    const db = new PgClient({ connectionString: ownerUrl });
    await db.connect();
    try {
      const checked = await checkCases(db, results);
      say(`task and notification shapes: ${JSON.stringify(checked.shapes)}`);
      const verify = await client.send('GET', '/audit/verify', 'audrey');

      // Which worker did what: the identity (pid@host) on every workflow task and activity in the cases' histories.
      const { rows } = await db.query<{ workflow_id: string }>(`SELECT workflow_id FROM cases`);
      const done = new Map<string, { workflowTasks: number; activities: number }>();
      for (const { workflow_id } of rows) {
        const history = await temporalClient.workflow.getHandle(workflow_id).fetchHistory();
        for (const e of history.events ?? []) {
          const identity = e.workflowTaskCompletedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
          if (!identity) continue;
          const name = pids.get(Number(identity.split('@')[0])) ?? identity;
          const d = done.get(name) ?? { workflowTasks: 0, activities: 0 };
          if (e.workflowTaskCompletedEventAttributes) d.workflowTasks += 1;
          else d.activities += 1;
          done.set(name, d);
        }
      }
      const byWorker = Object.fromEntries([...done].sort(([a], [b]) => a.localeCompare(b)));
      const health = await Promise.all(apiPorts.map((port) => apiAnswers(port)().catch(() => false)));

      const figuresOut = {
        seed: SEED,
        cases: results.length,
        changeRequests: CHANGES,
        complaints: COMPLAINTS,
        approvalRequests: APPROVALS,
        requests: client.requests,
        requestsPerApi: { 'api-1': perApi[0], 'api-2': perApi[1] },
        statuses: Object.fromEntries([...client.statuses].sort(([a], [b]) => a - b)),
        retries: client.retries,
        workerKills: figures.kills,
        killedAtRequest: figures.killedAtRequest,
        replacementAtRequest: figures.replacementAtRequest,
        byWorker,
        flowsFailed: results.filter((r) => r.error).length,
        casesNotFinished: checked.notFinished,
        lost: checked.lost,
        doubled: checked.doubled,
        auditVerify: verify.body,
        unexpectedExits,
        flowSeconds: Math.round(flowSeconds),
        seconds: Math.round((Date.now() - started) / 1000),
      };
      const table: [string, unknown][] = [
        ['seed', SEED],
        ['cases (change / complaint / approval)', `${results.length} (${CHANGES} / ${COMPLAINTS} / ${APPROVALS})`],
        ['HTTP requests (api-1 / api-2)', `${client.requests} (${perApi[0]} / ${perApi[1]})`],
        ['statuses', JSON.stringify(figuresOut.statuses)],
        ['worker kill -9', `${figures.kills} (worker-1, after ${figures.killedAtRequest} of ${totalRequests} answers; worker-3 started after ${figures.replacementAtRequest})`],
        ['work by worker (workflow tasks / activities)', Object.entries(byWorker).map(([w, d]) => `${w} ${d.workflowTasks}/${d.activities}`).join(', ')],
        ['flows failed', figuresOut.flowsFailed],
        ['cases not in their final status', checked.notFinished],
        ['lost / doubled', `${checked.lost} / ${checked.doubled}`],
        ['/audit/verify', JSON.stringify(verify.body)],
        ['flows took / total', `${figuresOut.flowSeconds} s / ${figuresOut.seconds} s`],
      ];
      const width = Math.max(...table.map(([k]) => k.length));
      process.stdout.write(`\nProduction topology\n${table.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v)}`).join('\n')}\nTOPOLOGY_RESULT ${JSON.stringify(figuresOut)}\n`);
      if (process.env.TOPOLOGY_FIGURES_FILE) writeFileSync(process.env.TOPOLOGY_FIGURES_FILE, JSON.stringify(figuresOut));

      expect(checked.problems).toEqual([]);
      expect(client.serverErrors).toEqual([]);
      expect(unexpectedExits).toEqual([]);
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: true });
      expect(checked.lost).toBe(0);
      expect(checked.doubled).toBe(0);
      expect(figures.kills).toBe(1);
      expect(health).toEqual([true, true]);
      // Both APIs took their half of the requests, and both first workers did work (the killed one before it died).
      expect(Math.min(...perApi)).toBeGreaterThanOrEqual(Math.floor(client.requests / 2) - 1);
      for (const w of ['worker-1', 'worker-2']) expect(byWorker[w]?.workflowTasks ?? 0).toBeGreaterThan(0);
      keep = false;
    } finally {
      await db.end();
    }
  });
});
