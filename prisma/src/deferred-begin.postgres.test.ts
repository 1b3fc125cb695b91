import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deferBeginOnConnect } from './deferred-begin';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * The held-back BEGIN against a real server: round trips counted on the connection (one
 * ReadyForQuery per round trip), and whether a statement ran inside a transaction read from the
 * server (a transaction-local setting survives to the next statement only inside one).
 */
describe('deferBeginOnConnect', () => {
  let test: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    test = await createTestDatabase({ migrate: false });
    pool = new pg.Pool({ connectionString: test.url, max: 1 });
    deferBeginOnConnect(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await test?.drop();
  });

  /** Round trips the client completes from now on. */
  function countRoundTrips(client: pg.PoolClient): () => number {
    let count = 0;
    const connection = (client as unknown as { connection: NodeJS.EventEmitter }).connection;
    const onReady = () => (count += 1);
    connection.on('readyForQuery', onReady);
    return () => {
      connection.off('readyForQuery', onReady);
      return count;
    };
  }

  /** Sets a transaction-local marker, then reads it back in a second statement. */
  async function insideTransaction(client: pg.PoolClient): Promise<boolean> {
    await client.query({ text: "SELECT set_config('test.marker', 'inside', true)" });
    const read = await client.query<{ marker: string | null }>({ text: "SELECT current_setting('test.marker', true) AS marker" });
    return read.rows[0]?.marker === 'inside';
  }

  it('sends BEGIN with a parameterless first statement: one round trip, and that statement is inside the transaction', async () => {
    const client = await pool.connect();
    try {
      const stop = countRoundTrips(client);
      await client.query({ text: 'BEGIN', values: [] });
      const first = await client.query({ text: "SELECT set_config('test.marker', 'inside', true) AS set", values: [], rowMode: 'array' });
      expect(stop()).toBe(1);
      // The caller sent one statement and gets that statement's result, not BEGIN's.
      expect(first.rows).toEqual([['inside']]);
      const read = await client.query<{ marker: string }>({ text: "SELECT current_setting('test.marker', true) AS marker" });
      expect(read.rows[0]?.marker).toBe('inside');
      await client.query({ text: 'COMMIT' });
      const after = await client.query<{ marker: string }>({ text: "SELECT current_setting('test.marker', true) AS marker" });
      expect(after.rows[0]?.marker ?? '').toBe('');
    } finally {
      client.release();
    }
  });

  it('sends BEGIN on its own before a first statement with parameters (extended protocol takes one statement)', async () => {
    const client = await pool.connect();
    try {
      const stop = countRoundTrips(client);
      await client.query({ text: 'BEGIN' });
      const first = await client.query<{ v: string }>({ text: "SELECT set_config('test.marker', $1, true) AS v", values: ['inside'] });
      expect(stop()).toBe(2);
      expect(first.rows[0]?.v).toBe('inside');
      const read = await client.query<{ marker: string }>({ text: "SELECT current_setting('test.marker', true) AS marker" });
      expect(read.rows[0]?.marker).toBe('inside');
      await client.query({ text: 'ROLLBACK' });
    } finally {
      client.release();
    }
  });

  it('answers COMMIT and ROLLBACK of a transaction that never reached the server without a round trip', async () => {
    const client = await pool.connect();
    try {
      for (const end of ['COMMIT', 'ROLLBACK']) {
        const stop = countRoundTrips(client);
        await client.query({ text: 'BEGIN' });
        await client.query({ text: end });
        expect(stop()).toBe(0);
        expect(await insideTransaction(client)).toBe(false);
      }
    } finally {
      client.release();
    }
  });

  it('forgets a held BEGIN when the connection goes back to the pool: the next user is not in a transaction', async () => {
    const first = await pool.connect();
    await first.query({ text: 'BEGIN' });
    first.release();
    const next = await pool.connect();
    try {
      expect(await insideTransaction(next)).toBe(false);
    } finally {
      next.release();
    }
  });

  it('fails the first statement of a transaction like any statement, and the session recovers with ROLLBACK', async () => {
    const client = await pool.connect();
    try {
      await client.query({ text: 'BEGIN' });
      await expect(client.query({ text: 'SELECT no_such_column FROM pg_class' })).rejects.toThrow(/no_such_column/);
      // The transaction did open (BEGIN ran before the failing statement): it is aborted until rolled back.
      await expect(client.query({ text: 'SELECT 1' })).rejects.toThrow(/aborted/);
      await client.query({ text: 'ROLLBACK' });
      const ok = await client.query<{ one: number }>({ text: 'SELECT 1 AS one' });
      expect(ok.rows[0]?.one).toBe(1);
    } finally {
      client.release();
    }
  });

  it('leaves statements outside transactions and the callback form alone', async () => {
    const client = await pool.connect();
    try {
      const stop = countRoundTrips(client);
      const plain = await client.query<{ two: number }>('SELECT 2 AS two');
      expect(plain.rows[0]?.two).toBe(2);
      await client.query({ text: 'BEGIN' });
      const viaCallback = await new Promise<number>((resolve, reject) => {
        client.query<{ three: number }>('SELECT 3 AS three', [], (error, result) => (error ? reject(error) : resolve(result.rows[0]?.three ?? 0)));
      });
      expect(viaCallback).toBe(3);
      const read = await client.query<{ marker: string }>({ text: "SELECT set_config('test.marker', 'x', true), current_setting('test.marker', true) AS marker" });
      expect(read.rows[0]?.marker).toBe('x');
      expect(await insideTransaction(client)).toBe(true);
      await client.query({ text: 'COMMIT' });
      expect(await insideTransaction(client)).toBe(false);
      expect(stop()).toBe(1 + 1 + 1 + 1 + 2 + 1 + 2);
    } finally {
      client.release();
    }
  });
});
