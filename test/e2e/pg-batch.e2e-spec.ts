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
});
