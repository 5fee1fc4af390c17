import { randomBytes } from 'node:crypto';
import { openWebhookSecrets, OutboxRepository, verifySignature, WebhookSubscriptionRepository } from '@steward/persistence';
import { submitChange } from '../support/change-requests';
import { expectError, expectInvalid } from '../support/complaints';
import { declareCrisis, publishStatement, writeCrisisPolicyFile } from '../support/crises';
import { startWebhookReceiver, WebhookReceiver, WebhookRequest } from '../support/notify';
import { startSteward, Steward } from '../support/steward';
import { waitFor } from '../support/wait';

/**
 * Webhooks to a real HTTP receiver on an ephemeral port: signed, retried with backoff, dead-lettered, and never
 * lost when the delivering worker stops between claim and ack. The receiver dedupes by the Idempotency-Key, as
 * receivers are told to; "once" below means once after that dedupe, and a single 2xx.
 */

jest.setTimeout(120_000);

interface Created {
  id: string;
  secret: string;
  url: string;
  eventKinds: string[];
  audienceGroups: string[];
}
interface DeliveryLog {
  id: string;
  eventType: string;
  status: string;
  attempts: number;
  lastError: string | null;
  lastStatusCode: number | null;
}

describe('webhooks', () => {
  let rx: WebhookReceiver;
  let s: Steward;
  const created: string[] = [];

  const subscribe = async (path: string, eventKinds: string[], audienceGroups?: string[]): Promise<Created> => {
    const res = await s.http
      .post('/webhooks')
      .set(s.as('root'))
      .send({ url: `${rx.url}${path}`, eventKinds, ...(audienceGroups ? { audienceGroups } : {}), description: `test ${path}` });
    expect(res.status).toBe(201);
    created.push(res.body.id);
    return res.body as Created;
  };
  const unsubscribe = async (id: string) => void (await s.http.delete(`/webhooks/${id}`).set(s.as('root')).expect(204));
  const log = async (id: string): Promise<DeliveryLog[]> => (await s.http.get(`/webhooks/${id}/deliveries`).set(s.as('root')).expect(200)).body.items;
  const at = (path: string): WebhookRequest[] => rx.requests.filter((r) => r.path === path);
  const verified = (secret: string, r: WebhookRequest) => verifySignature(secret, r.body, r.signature, Math.floor(Date.now() / 1000));

  beforeAll(async () => {
    rx = await startWebhookReceiver();
    s = await startSteward({
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('hex'),
      CRISIS_POLICY_FILE: writeCrisisPolicyFile(),
      NOTIFY_POLL_INTERVAL: 'PT0.1S',
      NOTIFY_RETRY_BASE: 'PT0.2S',
      NOTIFY_RETRY_MAX: 'PT1S',
      NOTIFY_MAX_ATTEMPTS: '4',
      // The stuck receiver must still hold its request when the worker stops: a send timeout longer than that stop.
      NOTIFY_LEASE: 'PT10S',
      NOTIFY_SEND_TIMEOUT: 'PT8S',
    });
  });
  afterAll(async () => {
    await s?.close();
    await rx?.close();
  });

  it('manages subscriptions: 401, 403 for non-admins, 400 naming bad fields, 404 for unknown ids; the secret is shown once', async () => {
    const body = { url: `${rx.url}/admin`, eventKinds: ['approval_requested'] };
    expectError(await s.http.post('/webhooks').send(body), 401);
    expectError(await s.http.get('/webhooks'), 401);
    for (const user of ['alice', 'audrey', 'grace']) {
      expectError(await s.http.post('/webhooks').set(s.as(user)).send(body), 403);
      expectError(await s.http.get('/webhooks').set(s.as(user)), 403);
    }
    expectInvalid(await s.http.post('/webhooks').set(s.as('root')).send({ url: 'ftp://x', eventKinds: [] }), 'url', 'eventKinds');
    expectInvalid(await s.http.post('/webhooks').set(s.as('root')).send({ ...body, audienceGroups: ['martians'] }), 'audienceGroups');
    expectInvalid(await s.http.post('/webhooks').set(s.as('root')).send({ ...body, audienceGroups: ['media'] }), 'audienceGroups');
    expectInvalid(await s.http.post('/webhooks').set(s.as('root')).send({ ...body, secret: 'mine' }), 'secret');
    const missing = '00000000-0000-4000-8000-000000000000';
    expectError(await s.http.delete(`/webhooks/${missing}`).set(s.as('root')), 404);
    expectError(await s.http.post(`/webhooks/${missing}/ping`).set(s.as('root')), 404);
    expectError(await s.http.get(`/webhooks/${missing}/deliveries`).set(s.as('root')), 404);
    expectInvalid(await s.http.get(`/webhooks/not-a-uuid/deliveries`).set(s.as('root')));

    const sub = await subscribe('/admin', ['approval_requested']);
    expect(sub.secret).toMatch(/^whsec_/);
    const list = (await s.http.get('/webhooks').set(s.as('root')).expect(200)).body;
    const listed = list.items.find((x: { id: string }) => x.id === sub.id);
    expect(listed).toEqual({ id: sub.id, url: `${rx.url}/admin`, description: 'test /admin', eventKinds: ['approval_requested'], audienceGroups: [], createdBy: 'root', createdAt: expect.any(String) });
    expect(JSON.stringify(list)).not.toContain(sub.secret);
    // Encrypted at rest: the secret is nowhere in the table.
    const [row] = await s.dataSource.query(`SELECT secret_ciphertext FROM webhook_subscriptions WHERE id = $1`, [sub.id]);
    expect(row.secret_ciphertext).not.toContain(sub.secret.slice(6));
    expectError(await s.http.delete(`/webhooks/${sub.id}`).set(s.as('alice')), 403);
    await unsubscribe(sub.id);
    expectError(await s.http.delete(`/webhooks/${sub.id}`).set(s.as('root')), 404);
    expect((await s.http.get('/webhooks').set(s.as('root')).expect(200)).body.items.map((x: { id: string }) => x.id)).not.toContain(sub.id);
  });

  it('pings a subscription with a signed message that verifies, and logs the delivery', async () => {
    const sub = await subscribe('/ping', ['approval_requested']);
    const queued = (await s.http.post(`/webhooks/${sub.id}/ping`).set(s.as('root')).expect(202)).body;
    expect(queued).toEqual(expect.objectContaining({ eventType: 'ping', status: 'pending' }));
    const req = await waitFor(() => at('/ping')[0], { what: 'the ping' });
    expect(req.idempotencyKey).toBe(queued.id);
    expect(req.json).toEqual({ id: queued.id, type: 'ping', createdAt: expect.any(String), data: { subscriptionId: sub.id, requestedBy: 'root' } });
    expect(req.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verified(sub.secret, req)).toBe(true);
    expect(verifySignature('whsec_wrong', req.body, req.signature, Math.floor(Date.now() / 1000))).toBe(false);
    const [entry] = await waitFor(async () => {
      const l = await log(sub.id);
      return l[0]?.status === 'delivered' && l;
    }, { what: 'the logged delivery' });
    expect(entry).toEqual(expect.objectContaining({ id: queued.id, eventType: 'ping', status: 'delivered', attempts: 1, lastError: null, lastStatusCode: 200 }));
    await unsubscribe(sub.id);
  });

  it('retries a receiver that fails three times, which then gets the notification once', async () => {
    rx.answer('/flaky', (n) => (n < 3 ? 503 : 200));
    const sub = await subscribe('/flaky', ['approval_requested']);
    const change = await submitChange(s, 'alice', { title: 'Flaky receiver change' });
    const entry = await waitFor(async () => (await log(sub.id)).find((d) => d.status === 'delivered'), { what: 'the delivery after three failures' });
    expect(entry).toEqual(expect.objectContaining({ eventType: 'approval_requested', attempts: 4, lastStatusCode: 200, lastError: null }));
    const reqs = at('/flaky');
    expect(reqs).toHaveLength(4);
    expect(new Set(reqs.map((r) => r.idempotencyKey))).toEqual(new Set([entry.id]));
    expect(reqs.every((r) => verified(sub.secret, r))).toBe(true);
    // The same bytes every time: only the signature's timestamp may differ.
    expect(new Set(reqs.map((r) => r.body)).size).toBe(1);
    const processed = rx.processed.filter((r) => r.path === '/flaky');
    expect(processed).toHaveLength(1);
    expect(processed[0].json).toEqual({
      id: entry.id,
      type: 'notification',
      createdAt: expect.any(String),
      data: expect.objectContaining({ caseType: 'change_request', caseId: change.id, kind: 'approval_requested', userId: 'bob' }),
    });
    await unsubscribe(sub.id);
  });

  it('with email off (no SMTP_URL), marks the email rows skipped without attempting them, and still sends the webhooks', async () => {
    const sub = await subscribe('/email-off', ['approval_requested']);
    const changes = await Promise.all(Array.from({ length: 6 }, (_, i) => submitChange(s, 'alice', { title: `Email off ${i}` })));
    const ids = changes.map((c) => c.id);
    const outbox = () =>
      s.dataSource.query(
        `SELECT n.case_id::text AS "caseId", o.channel, o.status, o.attempts, o.last_error AS "lastError" FROM notification_outbox o
         JOIN notifications n ON n.id = o.notification_id WHERE n.case_id = ANY($1::uuid[]) ORDER BY o.channel`,
        [ids],
      ) as Promise<{ caseId: string; channel: string; status: string; attempts: number; lastError: string | null }[]>;
    const rows = await waitFor(async () => {
      const all = await outbox();
      return all.length === 12 && all.every((r) => r.status !== 'pending') ? all : null;
    }, { what: 'every row of the six changes settled' });
    for (const id of ids) {
      expect(rows.filter((r) => r.caseId === id)).toEqual([
        { caseId: id, channel: 'email', status: 'skipped', attempts: 0, lastError: 'email is off: SMTP_URL is not set' },
        { caseId: id, channel: 'webhook', status: 'delivered', attempts: 1, lastError: null },
      ]);
    }
    expect(new Set(at('/email-off').map((r) => JSON.parse(r.body).data.caseId))).toEqual(new Set(ids));
    await unsubscribe(sub.id);
  });

  it('ends in dead letter when the receiver always fails, after the retry budget', async () => {
    rx.answer('/down', () => 500);
    const sub = await subscribe('/down', ['approval_requested']);
    await submitChange(s, 'sam', { title: 'Receiver down change' });
    const entry = await waitFor(async () => (await log(sub.id)).find((d) => d.status === 'dead'), { what: 'the dead letter' });
    expect(entry).toEqual(expect.objectContaining({ attempts: 4, lastStatusCode: 500, lastError: 'receiver answered 500' }));
    expect(at('/down')).toHaveLength(4);
    expect(rx.processed.filter((r) => r.path === '/down')).toHaveLength(0);
    await unsubscribe(sub.id);
  });

  it('loses nothing when the delivering worker stops between claim and ack: the lease ends, another worker delivers, the receiver sees it once', async () => {
    rx.answer('/stuck', (n) => (n === 0 ? 'hang' : 200));
    const sub = await subscribe('/stuck', ['approval_requested']);
    await submitChange(s, 'tina', { title: 'Worker dies mid-delivery' });
    const first = await waitFor(() => at('/stuck')[0], { what: 'the first, unanswered attempt' });
    // The worker (Temporal worker and delivery loop) stops while the receiver still holds the request.
    await s.stopWorker();
    const [claimed] = await s.dataSource.query(`SELECT status, attempts, lease_owner, lease_until FROM notification_outbox WHERE id = $1`, [first.idempotencyKey]);
    expect(claimed).toEqual(expect.objectContaining({ status: 'pending', attempts: 1, lease_owner: expect.any(String) }));
    await s.startWorker();
    const entry = await waitFor(async () => (await log(sub.id)).find((d) => d.status === 'delivered'), { what: 'the delivery by the next worker' });
    expect(entry).toEqual(expect.objectContaining({ id: first.idempotencyKey, attempts: 2 }));
    const reqs = at('/stuck');
    expect(reqs.map((r) => r.idempotencyKey)).toEqual([first.idempotencyKey, first.idempotencyKey]);
    expect(rx.processed.filter((r) => r.path === '/stuck')).toHaveLength(1);
    await unsubscribe(sub.id);
  });

  it('sends a published crisis statement to the subscriptions of its audience groups only', async () => {
    const media = await subscribe('/media', ['crisis_statement_published'], ['media']);
    const employees = await subscribe('/employees', ['crisis_statement_published'], ['employees']);
    const crisis = await declareCrisis(s);
    const statement = await publishStatement(s, crisis.id, 'holding', ['customers', 'media']);
    const req = await waitFor(() => at('/media')[0], { what: 'the statement webhook' });
    expect(verified(media.secret, req)).toBe(true);
    expect(req.json).toEqual({
      id: req.idempotencyKey,
      type: 'crisis_statement_published',
      createdAt: expect.any(String),
      data: expect.objectContaining({ crisisId: crisis.id, statementId: statement.id, kind: 'holding', audience: ['customers', 'media'], text: 'Our holding statement' }),
    });
    // Written with the commit that published it: the employees subscription has no row for it at all.
    expect(await log(employees.id)).toEqual([]);
    await unsubscribe(media.id);
    await unsubscribe(employees.id);
  });

  it('refuses to boot (API and worker run this check) when subscriptions exist without the key that opens their secrets', async () => {
    const repo = new WebhookSubscriptionRepository(s.dataSource);
    await expect(openWebhookSecrets(undefined, repo)).resolves.toBeNull();
    const sub = await subscribe('/boot', ['approval_requested']);
    await expect(openWebhookSecrets(undefined, repo)).rejects.toThrow(/WEBHOOK_SECRET_KEY: required: webhook subscriptions exist/);
    await expect(openWebhookSecrets(randomBytes(32).toString('hex'), repo)).rejects.toThrow(/WEBHOOK_SECRET_KEY: does not decrypt the stored webhook secrets/);
    await expect(openWebhookSecrets(s.config.WEBHOOK_SECRET_KEY, repo)).resolves.not.toBeNull();
    await unsubscribe(sub.id);
  });

  it('claims only the channels asked for, and skips pending email rows without a lease or an attempt, leaving leased ones', async () => {
    const sub = await subscribe('/channels', ['approval_requested']);
    await s.stopWorker();
    try {
      const outbox = new OutboxRepository(s.dataSource);
      const pings = [];
      for (let i = 0; i < 3; i++) pings.push((await s.http.post(`/webhooks/${sub.id}/ping`).set(s.as('root')).expect(202)).body.id as string);
      const tag = `channels-${Date.now()}`;
      const emails: string[] = (
        await s.dataSource.query(
          `INSERT INTO notification_outbox (dedupe_key, channel, event_type, user_id, payload)
           SELECT $1 || ':' || n, 'email', 'approval_requested', 'bob', '{}'::jsonb FROM generate_series(1, 4) AS n RETURNING id`,
          [tag],
        )
      ).map((r: { id: string }) => r.id);
      const opts = { limit: 50, leaseMs: 60_000, digestWindowMs: 0 };
      // A worker with email on leases one email row; then a worker with email off claims webhooks only.
      const [leased] = await outbox.claim({ ...opts, limit: 1, owner: 'with-email', channels: ['email'] });
      expect(emails).toContain(leased.id);
      const webhooks = await outbox.claim({ ...opts, owner: 'no-email', channels: ['webhook'] });
      expect(webhooks.map((r) => r.id).sort()).toEqual([...pings].sort());
      expect(await outbox.skipPending('email', 'email is off', 50)).toBe(3);
      const rows: { id: string; status: string; attempts: number; lease_owner: string | null }[] = await s.dataSource.query(
        `SELECT id, status, attempts, lease_owner FROM notification_outbox WHERE id = ANY($1::uuid[])`,
        [emails],
      );
      for (const r of rows) {
        expect(r).toEqual(
          r.id === leased.id ? { id: r.id, status: 'pending', attempts: 1, lease_owner: 'with-email' } : { id: r.id, status: 'skipped', attempts: 0, lease_owner: null },
        );
      }
      // Done: the rows leave the outbox as their workers ack them.
      expect(await outbox.markDelivered([leased.id], 'with-email', 200)).toBe(1);
      expect(await outbox.markDelivered(webhooks.map((r) => r.id), 'no-email', 200)).toBe(pings.length);
    } finally {
      await unsubscribe(sub.id);
      await s.startWorker();
    }
  });

  it('lets several delivery workers share the outbox: concurrent claims never take the same row, an expired lease is claimed again', async () => {
    const sub = await subscribe('/claims', ['approval_requested']);
    // No running delivery loop: the two claimers below are the only workers.
    await s.stopWorker();
    const outbox = new OutboxRepository(s.dataSource);
    const queued = [];
    for (let i = 0; i < 12; i++) queued.push((await s.http.post(`/webhooks/${sub.id}/ping`).set(s.as('root')).expect(202)).body.id as string);
    const opts = { limit: 5, leaseMs: 60_000, digestWindowMs: 0 };
    const [a, b, c] = await Promise.all([outbox.claim({ ...opts, owner: 'A' }), outbox.claim({ ...opts, owner: 'B' }), outbox.claim({ ...opts, owner: 'C' })]);
    const ids = [...a, ...b, ...c].map((r) => r.id);
    expect(ids).toHaveLength(12);
    expect(new Set(ids)).toEqual(new Set(queued));
    expect(await outbox.claim({ ...opts, owner: 'D' })).toEqual([]);
    // A's lease runs out (as if A died): its rows are due again for the next worker, as a second attempt.
    await s.dataSource.query(`UPDATE notification_outbox SET lease_until = now() - interval '1 second' WHERE lease_owner = 'A'`);
    const again = await outbox.claim({ ...opts, owner: 'E' });
    expect(again.map((r) => r.id).sort()).toEqual(a.map((r) => r.id).sort());
    expect(again.every((r) => r.attempts === 2)).toBe(true);
    // A's late ack is refused: the rows are E's now.
    expect(await outbox.markDelivered(a.map((r) => r.id), 'A', 200)).toBe(0);
    expect(await outbox.markDelivered(again.map((r) => r.id), 'E', 200)).toBe(a.length);
    await unsubscribe(sub.id);
    await s.startWorker();
  });
});
