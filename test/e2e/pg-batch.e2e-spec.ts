import { Client } from 'pg';
import { runBatch } from '@steward/persistence';
import { testStackInfo } from '../support/stack-info';

/**
 * runBatch sends several statements in one round trip (one Sync): CaseStore.commit relies on its results
 * coming back per statement, parsed as pg parses them, and on the first error stopping everything after it,
 * a COMMIT included, with the connection still usable for the ROLLBACK.
 */

describe('runBatch: several statements, one round trip', () => {
  let client: Client;

  beforeAll(async () => {
    client = new Client({ connectionString: testStackInfo().databaseUrl });
    await client.connect();
    await client.query('CREATE TEMP TABLE batch_t (n int PRIMARY KEY, at timestamptz, tags text[], doc jsonb)');
  });
  afterAll(async () => {
    await client?.end();
  });

  const numbers = async () => (await client.query<{ n: number }>('SELECT n FROM batch_t ORDER BY n')).rows.map((r) => r.n);

  it('returns each statement\'s command and rows, with parameters and values as client.query has them', async () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const results = await runBatch(client, [
      { text: 'INSERT INTO batch_t (n, at, tags, doc) VALUES ($1, $2, $3, $4), ($5, NULL, NULL, NULL)', values: [1, at, ['a', 'b,"c"', null], { k: [1, 'é'] }, 2] },
      { text: 'SELECT n, at, tags, doc FROM batch_t ORDER BY n' },
      { text: 'UPDATE batch_t SET n = n + 10 WHERE n = $1', values: [2] },
      { text: 'SELECT $1::text AS nothing, 7::bigint AS big', values: [null] },
    ]);
    expect(results.map((r) => [r.command, r.rowCount])).toEqual([
      ['INSERT', 2],
      ['SELECT', 2],
      ['UPDATE', 1],
      ['SELECT', 1],
    ]);
    const viaQuery = await client.query('SELECT n, at, tags, doc FROM batch_t WHERE n = 1');
    expect(results[1].rows[0]).toEqual(viaQuery.rows[0]);
    expect(results[1].rows).toEqual([
      { n: 1, at, tags: ['a', 'b,"c"', null], doc: { k: [1, 'é'] } },
      { n: 2, at: null, tags: null, doc: null },
    ]);
    expect(results[3].rows).toEqual([{ nothing: null, big: '7' }]);
    await client.query('DELETE FROM batch_t');
  });

  it('stops at the first error: nothing after it runs, not even a COMMIT, and the block is left for the ROLLBACK', async () => {
    await expect(
      runBatch(client, [
        { text: 'BEGIN' },
        { text: 'INSERT INTO batch_t (n) VALUES (1)' },
        { text: 'SELECT 1 / $1::int AS boom', values: [0] },
        { text: 'INSERT INTO batch_t (n) VALUES (2)' },
        { text: 'COMMIT' },
      ]),
    ).rejects.toMatchObject({ code: '22012' });
    await expect(client.query('SELECT 1')).rejects.toMatchObject({ code: '25P02' });
    await client.query('ROLLBACK');
    expect(await numbers()).toEqual([]);
  });

  it('commits in the middle of a batch and runs what follows in an implicit transaction of its own', async () => {
    const results = await runBatch(client, [
      { text: 'BEGIN' },
      { text: 'SET LOCAL synchronous_commit = off' },
      { text: 'INSERT INTO batch_t (n) VALUES (3)' },
      { text: 'COMMIT' },
      { text: 'SHOW synchronous_commit' },
      { text: 'INSERT INTO batch_t (n) VALUES (4)' },
    ]);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'SET', 'INSERT', 'COMMIT', 'SHOW', 'INSERT']);
    // SET LOCAL ended with its transaction.
    expect(results[4].rows).toEqual([{ synchronous_commit: 'on' }]);
    expect(client.getTransactionStatus()).toBe('I');
    expect(await numbers()).toEqual([3, 4]);
    // Without a transaction block, an error rolls back the whole batch (one implicit transaction).
    await expect(runBatch(client, [{ text: 'INSERT INTO batch_t (n) VALUES (5)' }, { text: 'INSERT INTO batch_t (n) VALUES (3)' }])).rejects.toMatchObject({ code: '23505' });
    expect(await numbers()).toEqual([3, 4]);
    await client.query('DELETE FROM batch_t');
  });

  it('tells a statement its result as soon as it arrives, before the batch has answered', async () => {
    // CaseStore frees its lane on the COMMIT's answer, while the flush after it is still running.
    const seen: string[] = [];
    let answered = false;
    const note = (label: string) => (r: { command: string; rowCount: number | null }) => seen.push(`${label}: ${r.command} ${r.rowCount} answered=${answered}`);
    const results = await runBatch(client, [
      { text: 'BEGIN' },
      { text: 'INSERT INTO batch_t (n) VALUES (6), (7)', onComplete: note('insert') },
      { text: 'COMMIT', onComplete: note('commit') },
      { text: 'SELECT pg_sleep(0.05)' },
    ]).then((r) => {
      answered = true;
      return r;
    });
    expect(seen).toEqual(['insert: INSERT 2 answered=false', 'commit: COMMIT null answered=false']);
    expect(results.map((r) => r.command)).toEqual(['BEGIN', 'INSERT', 'COMMIT', 'SELECT']);
    await client.query('DELETE FROM batch_t');
  });

  it('answers a COMMIT of a failed block with ROLLBACK, which the caller must check', async () => {
    await client.query('BEGIN');
    await expect(client.query('SELECT 1 / 0')).rejects.toMatchObject({ code: '22012' });
    const [commit] = await runBatch(client, [{ text: 'COMMIT' }]);
    expect(commit.command).toBe('ROLLBACK');
  });

  it('refuses parameters it cannot serialize without sending anything, and the client stays usable', async () => {
    const loop: { self?: unknown; toPostgres: () => unknown } = { toPostgres: () => loop };
    await expect(runBatch(client, [{ text: 'SELECT $1::text AS x', values: [loop] }])).rejects.toThrow(/circular/);
    expect((await runBatch(client, [{ text: 'SELECT 1::int AS one' }]))[0].rows).toEqual([{ one: 1 }]);
  });

  describe('statements kept prepared', () => {
    const ours = async () =>
      (await client.query<{ statement: string }>(`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'steward\\_b%' ORDER BY name`)).rows.map((r) => r.statement);
    const plusOne = { text: 'SELECT $1::int + 1 AS n', prepare: true };
    const timesTwo = { text: 'SELECT $1::int * 2 AS n', prepare: true };

    // A connection of its own per test: what is prepared lives as long as the connection.
    let client: Client;
    beforeEach(async () => {
      client = new Client({ connectionString: testStackInfo().databaseUrl });
      await client.connect();
    });
    afterEach(async () => {
      await client?.end();
    });

    it('parses a prepared statement once per connection and binds it again and again', async () => {
      const first = await runBatch(client, [{ ...plusOne, values: [1] }, { ...plusOne, values: [2] }, { text: 'SELECT 3 AS n' }]);
      const again = await runBatch(client, [{ ...plusOne, values: [41] }]);
      expect([...first, ...again].map((r) => r.rows)).toEqual([[{ n: 2 }], [{ n: 3 }], [{ n: 3 }], [{ n: 42 }]]);
      expect(await ours()).toEqual([plusOne.text]);
    });

    it('asks the server after a failed batch whose Parse was skipped, and parses it again', async () => {
      // The division fails, so Postgres skips the Parse of the new statement after it.
      await expect(runBatch(client, [{ text: 'SELECT 1 / $1::int AS boom', values: [0] }, { ...plusOne, values: [1] }])).rejects.toMatchObject({ code: '22012' });
      expect(await ours()).toEqual([]);
      const [r] = await runBatch(client, [{ ...plusOne, values: [1] }]);
      expect(r.rows).toEqual([{ n: 2 }]);
      expect(await ours()).toEqual([plusOne.text]);
    });

    it('starts over after a failed batch whose Parse went through, without parsing a name twice', async () => {
      await expect(runBatch(client, [{ ...timesTwo, values: [1] }, { text: 'SELECT 1 / $1::int AS boom', values: [0] }])).rejects.toMatchObject({ code: '22012' });
      expect(await ours()).toEqual([timesTwo.text]);
      const [r] = await runBatch(client, [{ ...timesTwo, values: [21] }]);
      expect(r.rows).toEqual([{ n: 42 }]);
      expect(await ours()).toEqual([timesTwo.text]);
    });

    it('fails once, not for good, when a prepared statement went stale under a schema change', async () => {
      await client.query('CREATE TEMP TABLE stale_t (x int)');
      await client.query('INSERT INTO stale_t VALUES (7)');
      const read = { text: 'SELECT x FROM stale_t', prepare: true };
      expect((await runBatch(client, [read]))[0].rows).toEqual([{ x: 7 }]);
      await client.query('ALTER TABLE stale_t ALTER x TYPE text');
      await expect(runBatch(client, [read])).rejects.toThrow(/cached plan must not change result type/);
      expect((await runBatch(client, [read]))[0].rows).toEqual([{ x: '7' }]);
    });
  });
});
