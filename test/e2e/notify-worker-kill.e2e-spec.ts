import { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { submitChange } from '../support/change-requests';
import { startWebhookReceiver, WebhookReceiver } from '../support/notify';
import { startSteward, Steward } from '../support/steward';
import { waitFor } from '../support/wait';
import { spawnWorkerProcess } from '../support/worker-process';

/**
 * The delivery loop runs in the worker process, which can die at any moment. Kill it (SIGKILL) while a webhook
 * receiver still holds its request: the outbox row stays claimed until its lease ends, a new worker delivers it
 * again with the same idempotency id, and the receiver, deduping by that id, processes it once.
 */

jest.setTimeout(120_000);

const SECRET_KEY = randomBytes(32).toString('hex');
const NOTIFY = {
  WEBHOOK_SECRET_KEY: SECRET_KEY,
  NOTIFY_POLL_INTERVAL: 'PT0.2S',
  NOTIFY_LEASE: 'PT4S',
  NOTIFY_SEND_TIMEOUT: 'PT3S',
};

describe('a worker killed mid-delivery', () => {
  let rx: WebhookReceiver;
  let s: Steward;
  const workers: ChildProcess[] = [];
  let output = '';

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    // The API in process; the workers (Temporal worker and delivery loop) are child processes started below.
    s = await startSteward(NOTIFY, { worker: false });
  });
  afterAll(async () => {
    await Promise.all(workers.filter((w) => w.exitCode === null && w.signalCode === null).map((w) => stop(w, 'SIGTERM')));
    await s?.close();
    await rx?.close();
  });

  function startWorker(): ChildProcess {
    const child = spawnWorkerProcess(s, NOTIFY, (text) => (output += text));
    workers.push(child);
    return child;
  }

  function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    return exited;
  }

  it('loses nothing and sends nothing twice as far as the receiver can tell', async () => {
    rx.answer('/hook', (n) => (n === 0 ? 'hang' : 200));
    const sub = (await s.http.post('/webhooks').set(s.as('root')).send({ url: `${rx.url}/hook`, eventKinds: ['approval_requested'] }).expect(201)).body as { id: string };

    const first = startWorker();
    await submitChange(s, 'alice', { title: 'Worker killed mid-delivery' });
    const held = await waitFor(() => rx.requests.find((r) => r.path === '/hook'), { what: `the first attempt, held by the receiver\n${output}`, timeoutMs: 60_000 });
    await stop(first, 'SIGKILL');

    // Killed mid-send: the row is still claimed by the dead worker, with one attempt.
    const [claimed] = await s.dataSource.query(`SELECT status, attempts, lease_owner FROM notification_outbox WHERE id = $1`, [held.idempotencyKey]);
    expect(claimed).toEqual(expect.objectContaining({ status: 'pending', attempts: 1, lease_owner: expect.any(String) }));

    startWorker();
    const [delivered] = await waitFor(
      async () => {
        const rows = await s.dataSource.query(`SELECT status, attempts FROM notification_outbox WHERE id = $1 AND status = 'delivered'`, [held.idempotencyKey]);
        return rows.length ? rows : null;
      },
      { what: `delivery by the second worker\n${output}`, timeoutMs: 60_000 },
    );
    expect(delivered).toEqual({ status: 'delivered', attempts: 2 });

    // Two requests with the same idempotency id, one of them processed; nothing else was sent to this hook.
    const toHook = rx.requests.filter((r) => r.path === '/hook');
    expect(toHook.map((r) => r.idempotencyKey)).toEqual([held.idempotencyKey, held.idempotencyKey]);
    expect(rx.processed.filter((r) => r.path === '/hook').map((r) => r.idempotencyKey)).toEqual([held.idempotencyKey]);
    const log = (await s.http.get(`/webhooks/${sub.id}/deliveries`).set(s.as('root')).expect(200)).body.items as { id: string; status: string }[];
    expect(log).toEqual([expect.objectContaining({ id: held.idempotencyKey, status: 'delivered' })]);
  });
});
