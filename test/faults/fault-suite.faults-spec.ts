import { randomInt } from 'node:crypto';
import { Client } from 'pg';
import { FaultClient } from './client';
import { checkCases } from './checks';
import { intFromEnv } from './env';
import { changeRequestFlow, complaintFlow, FlowResult } from './flows';
import { Prng } from './prng';
import { FaultStack, until } from './stack';

/**
 * The fault suite (`npm run test:faults`): while change requests and complaints move through their flows,
 * the worker is killed with SIGKILL again and again at random points, Postgres and the Temporal server are
 * restarted once each, and the API is killed mid-request (the client retries with the same Idempotency-Key).
 * At the end every case must be closed, with each audit event, task and notification exactly once, the audit
 * chain must verify, and the API must never have answered 500 (503 while a dependency was down).
 *
 * FAULTS_SEED replays a run's plan (order, actors, pacing, when each fault strikes); FAULTS_CHANGES,
 * FAULTS_COMPLAINTS, FAULTS_WORKER_KILLS, FAULTS_API_KILLS, FAULTS_CONCURRENCY size it.
 */

const SEED = intFromEnv('FAULTS_SEED', randomInt(1, 2 ** 31));
const CHANGES = intFromEnv('FAULTS_CHANGES', 200);
const COMPLAINTS = intFromEnv('FAULTS_COMPLAINTS', 200);
const WORKER_KILLS = intFromEnv('FAULTS_WORKER_KILLS', 50);
const API_KILLS = intFromEnv('FAULTS_API_KILLS', 3);
const CONCURRENCY = intFromEnv('FAULTS_CONCURRENCY', 48);
/** Longest pause between a flow's human actions. */
const THINK_MS = intFromEnv('FAULTS_THINK_MS', 400);
/** How long Postgres and Temporal each stay down. */
const OUTAGE_MS = intFromEnv('FAULTS_OUTAGE_MS', 4000);

jest.setTimeout(15 * 60_000);

interface Figures {
  seed: number;
  changes: number;
  complaints: number;
  workerKills: number;
  workerCrashes: number;
  apiKills: number;
  requestsInterruptedByApiKills: number;
  postgresRestarts: number;
  temporalRestarts: number;
  requests: number;
  networkErrors: number;
  retries: number;
  statuses: Record<string, number>;
  unavailableWhileDown: Record<string, number>;
  status5xxOther: number;
  landedBeforeRetry: number;
  flowsFailed: number;
  casesNotClosed: number;
  lost: number;
  doubled: number;
  auditVerify: unknown;
  seconds: number;
}

describe('fault suite', () => {
  const stack = new FaultStack();
  const client = new FaultClient(() => stack.apiUrl);

  afterAll(async () => {
    await stack.close();
  });

  it('loses and doubles nothing while the worker, the API, Postgres and Temporal are killed and restarted', async () => {
    const started = Date.now();
    process.stderr.write(`[faults] seed ${SEED} (FAULTS_SEED=${SEED} replays this plan): ${CHANGES} changes, ${COMPLAINTS} complaints, ${WORKER_KILLS} worker kills\n`);
    await stack.start();
    const prng = new Prng(SEED);

    // The plan, drawn up front from the seed: the order of the flows, who opens each complaint, the pacing,
    // and after which worker kill each other fault strikes.
    const flows: { kind: 'change_request' | 'complaint'; index: number; opener: string; think: number[] }[] = [];
    for (let i = 0; i < CHANGES; i++) flows.push({ kind: 'change_request', index: i, opener: 'alice', think: [] });
    for (let i = 0; i < COMPLAINTS; i++) flows.push({ kind: 'complaint', index: i, opener: prng.pick(['sam', 'tina']), think: [] });
    for (let i = flows.length - 1; i > 0; i--) {
      const j = prng.int(0, i);
      [flows[i], flows[j]] = [flows[j], flows[i]];
    }
    for (const f of flows) f.think = Array.from({ length: 4 }, () => prng.int(0, THINK_MS));
    const killDelays = Array.from({ length: WORKER_KILLS }, () => prng.int(500, 4000));
    const postgresAfter = Math.floor(WORKER_KILLS / 3);
    const temporalAfter = Math.floor((2 * WORKER_KILLS) / 3);
    const apiKillsAfter = new Set(Array.from({ length: API_KILLS }, () => prng.int(0, Math.max(0, WORKER_KILLS - 1))));
    const apiKillAt = [...apiKillsAfter];
    while (apiKillAt.length < API_KILLS) apiKillAt.push(apiKillAt.length);

    const figures = { workerKills: 0, apiKills: 0, interrupted: 0, postgresRestarts: 0, temporalRestarts: 0, killsWhileFlowsRan: 0 };
    let flowsDone = false;

    // Probes while a dependency is down: the API must answer 503 (never 500) to a read and to /health.
    let someCase: string | null = null;
    const probeOutage = async (what: string): Promise<void> => {
      client.down = what;
      const end = Date.now() + OUTAGE_MS;
      while (Date.now() < end) {
        await client.once('GET', '/health', 'audrey');
        if (someCase) await client.once('GET', `/change-requests/${someCase}`, 'audrey');
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    const killApiMidRequest = async (): Promise<void> => {
      // Mid-request: wait (briefly) for requests in flight, then kill.
      await until('a request in flight', async () => client.inFlight > 0, 10_000, 5).catch(() => undefined);
      figures.interrupted += client.inFlight;
      client.down = 'api';
      await stack.killApi();
      client.down = null;
      figures.apiKills += 1;
    };

    const faults = (async () => {
      for (let k = 0; k < WORKER_KILLS; k++) {
        // Let the new worker pick up work for a random while, then kill it wherever it is. On a loaded machine a
        // fresh worker may need longer than that to get anything done: wait (bounded) for some flow to progress
        // first, so that the kills strike mid-flow instead of starving the flows.
        const progressed = client.successes + 3;
        await new Promise((r) => setTimeout(r, killDelays[k]));
        if (!flowsDone) await until('flows to progress', async () => flowsDone || client.successes >= progressed, 30_000, 50).catch(() => undefined);
        if (!flowsDone) figures.killsWhileFlowsRan += 1;
        await stack.killWorker();
        figures.workerKills += 1;
        for (const _ of apiKillAt.filter((a) => a === k)) await killApiMidRequest();
        if (k === postgresAfter) {
          await stack.restartPostgres(() => probeOutage('postgres'));
          client.down = null;
          figures.postgresRestarts += 1;
        }
        if (k === temporalAfter) {
          await stack.restartTemporal(() => probeOutage('temporal'));
          client.down = null;
          figures.temporalRestarts += 1;
        }
      }
      if (WORKER_KILLS === 0) {
        for (let a = 0; a < API_KILLS; a++) await killApiMidRequest();
      }
    })();

    const results: FlowResult[] = [];
    let next = 0;
    const lanes = Array.from({ length: Math.max(1, CONCURRENCY) }, async () => {
      while (next < flows.length) {
        const f = flows[next++];
        const r = f.kind === 'change_request' ? await changeRequestFlow(client, f.index, SEED, f.think) : await complaintFlow(client, f.index, SEED, f.opener, f.think);
        if (r.caseId && r.kind === 'change_request') someCase ??= r.caseId;
        results.push(r);
      }
    });
    await Promise.all(lanes);
    flowsDone = true;
    const flowSeconds = (Date.now() - started) / 1000;
    await faults;

    // The checks, in Postgres as the table owner.
    const db = new Client({ connectionString: stack.ownerUrl });
    await db.connect();
    const problems: string[] = [];
    try {
      const checked = await checkCases(db, results);
      problems.push(...checked.problems);
      const { lost, doubled } = checked;
      const failed = results.filter((r) => r.error);
      const notClosed = checked.notFinished;
      process.stderr.write(`[faults] task and notification shapes: ${JSON.stringify(checked.shapes)}\n`);

      const verify = await client.send('GET', '/audit/verify', 'audrey');
      const figuresOut: Figures = {
        seed: SEED,
        changes: CHANGES,
        complaints: COMPLAINTS,
        workerKills: figures.workerKills,
        workerCrashes: stack.worker.crashes,
        apiKills: figures.apiKills,
        requestsInterruptedByApiKills: figures.interrupted,
        postgresRestarts: figures.postgresRestarts,
        temporalRestarts: figures.temporalRestarts,
        requests: client.requests,
        networkErrors: client.networkErrors,
        retries: client.retries,
        statuses: Object.fromEntries([...client.statuses].sort(([a], [b]) => a - b)),
        unavailableWhileDown: Object.fromEntries(client.unavailableDuring),
        status5xxOther: client.serverErrors.length,
        landedBeforeRetry: results.reduce((a, r) => a + r.landedBeforeRetry, 0),
        flowsFailed: failed.length,
        casesNotClosed: notClosed,
        lost,
        doubled,
        auditVerify: verify.body,
        seconds: Math.round((Date.now() - started) / 1000),
      };
      const rows: [string, unknown][] = [
        ['seed', SEED],
        ['change requests / complaints', `${CHANGES} / ${COMPLAINTS}`],
        ['worker kill -9', `${figures.workerKills} (${figures.killsWhileFlowsRan} while flows ran; ${stack.worker.crashes} exits by itself)`],
        ['API kill -9 mid-request', `${figures.apiKills} (${figures.interrupted} requests in flight)`],
        ['Postgres restarts', figures.postgresRestarts],
        ['Temporal restarts', figures.temporalRestarts],
        ['HTTP requests', client.requests],
        ['network errors / retries', `${client.networkErrors} / ${client.retries}`],
        ['statuses', JSON.stringify(figuresOut.statuses)],
        ['503 while down', JSON.stringify(figuresOut.unavailableWhileDown)],
        ['5xx other than 503', client.serverErrors.length],
        ['retries that found the action landed', figuresOut.landedBeforeRetry],
        ['flows failed', failed.length],
        ['cases not closed', notClosed],
        ['lost', lost],
        ['doubled', doubled],
        ['/audit/verify', JSON.stringify(verify.body)],
        ['flows took / total', `${Math.round(flowSeconds)} s / ${figuresOut.seconds} s`],
      ];
      const width = Math.max(...rows.map(([k]) => k.length));
      process.stdout.write(`\nFault suite\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${String(v)}`).join('\n')}\nFAULTS_RESULT ${JSON.stringify(figuresOut)}\n`);
      for (const e of client.serverErrors.slice(0, 20)) problems.push(`5xx: ${e}`);

      expect(problems).toEqual([]);
      expect(client.serverErrors).toEqual([]);
      expect(verify.status).toBe(200);
      expect(verify.body).toMatchObject({ ok: true });
      expect(lost).toBe(0);
      expect(doubled).toBe(0);
      expect(figures.workerKills).toBe(WORKER_KILLS);
      expect(figures.apiKills).toBe(API_KILLS);
      if (WORKER_KILLS > postgresAfter) {
        expect(figures.postgresRestarts).toBe(1);
        expect(figures.temporalRestarts).toBe(1);
        // Each outage was seen from outside as 503.
        expect(client.unavailableDuring.get('postgres') ?? 0).toBeGreaterThan(0);
        expect(client.unavailableDuring.get('temporal') ?? 0).toBeGreaterThan(0);
      }
      stack.keep = false;
    } finally {
      await db.end();
    }
  });
});
