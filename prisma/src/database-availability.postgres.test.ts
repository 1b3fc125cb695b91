import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDbConfig } from './config';
import { isDatabaseUnavailableError } from './database-availability';
import { DatabaseError } from './database';
import { createTestDatabase, type TestDatabase } from './testing';

/**
 * Postgres drops every connection of this test's own database every 100 ms (as an operator's
 * pg_terminate_backend, a restart or a failover would): the process must not die of an unhandled
 * 'error' event (vitest fails the run on one), every failed call must say DATABASE_UNAVAILABLE, and
 * the database must serve again as soon as the terminations stop.
 */
describe('Postgres dropping its connections', () => {
  let test: TestDatabase;
  let admin: pg.Client;
  let name: string;

  beforeAll(async () => {
    test = await createTestDatabase();
    name = new URL(test.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: loadDbConfig().testPostgresUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await test?.drop();
  });

  const SOME_TENANT = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

  it('keeps the process alive, fails calls with DATABASE_UNAVAILABLE only, and serves again afterwards', async () => {
    let terminating = true;
    let terminated = 0;
    const terminator = (async () => {
      for (const until = Date.now() + 3_000; Date.now() < until; ) {
        const result = await admin.query<{ pid: number }>(
          'SELECT pg_terminate_backend(pid) AS pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [name],
        );
        terminated += result.rowCount ?? 0;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      terminating = false;
    })();
    let succeeded = 0;
    const failures: unknown[] = [];
    const worker = async (): Promise<void> => {
      while (terminating) {
        try {
          await test.db.withPlatform(async (tx) => {
            await tx.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.01)`;
            await tx.$queryRaw`SELECT 1 AS one`;
          });
          await test.db.resolveApiKey('0'.repeat(64));
          // The hand-written read paths (sql-reads.ts): a tenant transaction and a platform statement.
          await test.db.readAsTenant(SOME_TENANT, async (sql) => {
            await sql.rows('SELECT 1 AS one FROM pg_sleep(0.01)');
            await sql.rows('SELECT 1 AS one');
          });
          await test.db.readAsPlatform((sql) => sql.rows('SELECT 1 AS one'));
          succeeded += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all([terminator, ...Array.from({ length: 8 }, worker)]);

    expect(terminated).toBeGreaterThan(0);
    expect(failures.length).toBeGreaterThan(0);
    const unexpected = failures.filter((error) => !(error instanceof DatabaseError && error.code === 'DATABASE_UNAVAILABLE'));
    expect(unexpected.map((error) => String(error).slice(0, 200))).toEqual([]);
    expect(succeeded).toBeGreaterThan(0);

    // Back: every call succeeds again (broken clients were dropped from the pool).
    for (let i = 0; i < 20; i += 1) {
      await expect(test.db.withPlatform((tx) => tx.$queryRaw<{ one: number }[]>`SELECT 1 AS one`)).resolves.toEqual([{ one: 1 }]);
      // No pooled session was handed back inside a transaction or a tenant's scope.
      await expect(test.db.readAsPlatform((sql) => sql.rows(`SELECT current_setting('app.tenant_id', true) AS tenant, now() = statement_timestamp() AS "ownTransaction"`))).resolves.toEqual([
        { tenant: null, ownTransaction: true },
      ]);
      await expect(test.db.readAsTenant(SOME_TENANT, (sql) => sql.rows<{ one: number }>('SELECT 1 AS one'))).resolves.toEqual([{ one: 1 }]);
    }
  }, 30_000);

  it('an unreachable server is DATABASE_UNAVAILABLE, a bad query is not', async () => {
    const { createDatabase } = await import('./create-database');
    const nowhere = await createDatabase({ url: 'postgres://postgres@127.0.0.1:1/nowhere' });
    try {
      const failure = await nowhere.resolveApiKey('0'.repeat(64)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(DatabaseError);
      expect((failure as DatabaseError).code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await nowhere.close();
    }
    const bad = await test.db.withPlatform((tx) => tx.$queryRaw`SELECT * FROM no_such_table`).catch((error: unknown) => error);
    expect(isDatabaseUnavailableError(bad)).toBe(false);
    expect(bad).not.toBeInstanceOf(DatabaseError);
  });
});

describe('isDatabaseUnavailableError', () => {
  it('knows connection failures by SQLSTATE, Prisma code, socket code, adapter kind, message and cause', () => {
    const withCode = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of ['57P01', '57P03', '08006', '08001', '53300', 'P1001', 'P1017', 'P2024', 'ECONNREFUSED', 'ECONNRESET']) {
      expect(isDatabaseUnavailableError(withCode(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailableError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnavailableError(new Error('wrapped', { cause: { kind: 'ConnectionClosed' } }))).toBe(true);
    expect(isDatabaseUnavailableError(new Error('Raw query failed. Code: `57P01`. Message: `terminating connection`'))).toBe(true);
    for (const code of ['23505', 'P2002', '42P01', 'P2025']) expect(isDatabaseUnavailableError(withCode(code)), code).toBe(false);
    expect(isDatabaseUnavailableError(new DatabaseError('INVALID_TENANT_ID', 'x'))).toBe(false);
    expect(isDatabaseUnavailableError('Connection terminated')).toBe(false);
  });
});
