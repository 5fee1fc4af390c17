import { freePort } from '@steward/devstack';
import { fileDatabase, startSteward, Steward } from '../support/steward';
import { startTcpProxy, TcpProxy } from '../support/tcp-proxy';
import { waitFor } from '../support/wait';

/** A 503 leaves through the API's error filter, in the contract's error shape. */
const UNAVAILABLE = { statusCode: 503, error: 'Service Unavailable', message: expect.any(String), details: expect.any(Array) };

/**
 * The common routes nobody needs a token for: GET /health tells whether the database and Temporal answer
 * (503 when either does not), and GET /docs-json is the OpenAPI document of the whole contract.
 */

jest.setTimeout(120_000);

describe('GET /health', () => {
  describe('with everything up', () => {
    let s: Steward;
    beforeAll(async () => {
      s = await startSteward({}, { worker: false });
    });
    afterAll(() => s?.close());

    it('answers 200 ok with a detail for the database and for Temporal, without a token', async () => {
      const res = await s.http.get('/health');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, temporal: { status: 'up' } } });
    });
  });

  describe('with Temporal unreachable', () => {
    let s: Steward;
    beforeAll(async () => {
      // Nothing listens on a port that was free a moment ago: the API boots (its client connects lazily).
      s = await startSteward({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }, { worker: false });
    });
    afterAll(() => s?.close());

    it('answers 503', async () => {
      const res = await s.http.get('/health');
      expect({ status: res.status, body: res.body }).toEqual({ status: 503, body: UNAVAILABLE });
    });
  });

  describe('with the database gone', () => {
    let s: Steward;
    let proxy: TcpProxy;
    beforeAll(async () => {
      // The API reaches this file's database through a proxy the test can cut, as a network failure or a
      // stopped server would; the real Postgres stays up for everyone else.
      const db = await fileDatabase();
      const url = new URL(db.appUrl);
      proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
      url.hostname = '127.0.0.1';
      url.port = String(proxy.port);
      s = await startSteward({ DATABASE_URL: url.toString() }, { worker: false });
    });
    afterAll(async () => {
      await proxy?.open().catch(() => undefined);
      await s?.close();
      await proxy?.close();
    });

    it('answers 200 while the database answers, 503 once it is gone, and 200 again when it is back', async () => {
      expect((await s.http.get('/health')).status).toBe(200);

      await proxy.close();
      const down = await waitFor(
        async () => {
          const res = await s.http.get('/health');
          return res.status === 503 && res;
        },
        { timeoutMs: 15_000, what: '/health to notice the database is gone' },
      );
      expect(down.body).toEqual(UNAVAILABLE);

      await proxy.open();
      const up = await waitFor(
        async () => {
          const res = await s.http.get('/health');
          return res.status === 200 && res;
        },
        { timeoutMs: 15_000, what: '/health to see the database again' },
      );
      expect(up.body).toMatchObject({ status: 'ok', details: { database: { status: 'up' }, temporal: { status: 'up' } } });
    });
  });
});

describe('GET /docs-json', () => {
  let s: Steward;
  let doc: {
    openapi: string;
    info: { title: string; version: string };
    paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
    components?: { schemas?: Record<string, unknown> };
  };
  beforeAll(async () => {
    s = await startSteward({}, { worker: false });
    const res = await s.http.get('/docs-json');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(() => s?.close());

  /** The contract's routes (API.md), in OpenAPI path syntax, with their methods. */
  const CONTRACT: [string, string][] = [
    ['get', '/health'],
    ['get', '/me'],
    ['get', '/tasks'],
    ['get', '/notifications'],
    ['post', '/notifications/{id}/read'],
    ['post', '/change-requests'],
    ['get', '/change-requests'],
    ['get', '/change-requests/{id}'],
    ['post', '/change-requests/{id}/decisions'],
    ['post', '/change-requests/{id}/revisions'],
    ['post', '/change-requests/{id}/withdraw'],
    ['post', '/change-requests/{id}/implementation'],
    ['post', '/change-requests/{id}/verification'],
    ['post', '/change-requests/{id}/review'],
    ['get', '/change-requests/{id}/audit'],
    ['post', '/complaints'],
    ['get', '/complaints'],
    ['get', '/complaints/{id}'],
    ['post', '/complaints/{id}/responses'],
    ['post', '/complaints/{id}/transfers'],
    ['post', '/complaints/{id}/pause'],
    ['post', '/complaints/{id}/resume'],
    ['post', '/complaints/{id}/priority'],
    ['post', '/complaints/{id}/resolution'],
    ['post', '/complaints/{id}/compensation/decisions'],
    ['post', '/complaints/{id}/feedback'],
    ['get', '/complaints/{id}/audit'],
    ['get', '/reports/complaints'],
    ['get', '/audit/events'],
    ['get', '/audit/export'],
    ['get', '/audit/verify'],
    ['get', '/cases/{caseType}/{caseId}/history'],
  ];

  it('is an OpenAPI 3 document describing the Steward API with bearer auth', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Steward API', version: expect.any(String) });
    expect(JSON.stringify(doc.components)).toContain('"bearer"');
  });

  it.each(CONTRACT)('lists %s %s with its responses', (method, path) => {
    expect(Object.keys(doc.paths)).toContain(path);
    const operation = doc.paths[path][method];
    expect(operation).toBeDefined();
    expect(Object.keys(operation.responses ?? {}).length).toBeGreaterThan(0);
  });

  it('declares a success response for every operation, and every schema it refers to exists', () => {
    const missing: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!Object.keys(operation.responses ?? {}).some((code) => /^2\d\d$/.test(code))) missing.push(`${method.toUpperCase()} ${path}: no 2xx response`);
      }
    }
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const name of new Set(refs)) if (!doc.components?.schemas?.[name]) missing.push(`schema ${name} is referred to but not defined`);
    expect(missing).toEqual([]);
  });
});
