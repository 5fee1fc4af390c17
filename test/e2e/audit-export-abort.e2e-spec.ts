/**
 * Regression: a client that goes away in the middle of a CSV or JSONL export must not keep the export's
 * database connection. Twelve aborted exports used to exhaust the pool (ten connections), after which the API
 * answered nothing that needed the database.
 */
import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendAuditEvents } from '@steward/persistence';
import { startSteward, Steward } from '../support/steward';

jest.setTimeout(120_000);

/** Starts an export and destroys the connection as soon as the first bytes arrive. */
function abortAfterFirstChunk(port: number, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path, headers }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
    });
    req.once('error', (err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? undefined : reject(err)));
  });
}

describe('aborted audit exports', () => {
  let s: Steward;
  let port: number;

  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
    // Enough events that no export is finished by the time its first chunk arrives.
    const caseId = randomUUID();
    // In batches: one INSERT takes at most 65,535 parameters.
    for (let batch = 0; batch < 5; batch += 1) {
      const drafts = Array.from({ length: 1000 }, (_, i) => ({
        key: `${caseId}:event:${batch * 1000 + i}`,
        at: new Date().toISOString(),
        actorId: 'system',
        action: 'export_abort_fixture',
        fromStatus: null,
        toStatus: null,
        data: { i: batch * 1000 + i, padding: 'x'.repeat(200) },
      }));
      await s.dataSource.transaction((tx) => appendAuditEvents(tx, { caseType: 'complaint', caseId, workflowId: 'fixture', runId: 'fixture' }, drafts));
    }
    await s.app.listen(0, '127.0.0.1');
    port = (s.app.getHttpServer().address() as AddressInfo).port;
  });

  afterAll(async () => {
    await s?.close();
  });

  it.each(['csv', 'jsonl'])('releases the connection of every %s export the client abandons', async (format) => {
    const auth = s.as('audrey');
    for (let i = 0; i < 12; i += 1) {
      expect(await abortAfterFirstChunk(port, `/audit/export?format=${format}&action=export_abort_fixture`, auth)).toBe(200);
    }
    const started = Date.now();
    const me = await s.http.get('/me').set(auth).timeout(5_000);
    expect(me.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
    const verify = await s.http.get('/audit/verify').set(auth).timeout(30_000);
    expect(verify.body.ok).toBe(true);
  });
});
