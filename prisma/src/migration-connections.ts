import type { PGlite, Transaction } from '@electric-sql/pglite';
import pg from 'pg';
import type { MigrationConnection, MigrationSession } from './migrator';

/** The advisory lock key Prisma Migrate itself takes, so we also exclude a concurrent `prisma migrate deploy`. */
const PRISMA_MIGRATE_LOCK_KEY = 72707369;

/** A dedicated node-postgres session holding a session-level advisory lock for the whole run. */
export function postgresMigrationConnection(url: string): MigrationConnection {
  return {
    async withMigrationLock(fn) {
      const client = new pg.Client({ connectionString: url });
      // A dropped connection fails the migration through its query; unheard, the 'error' event would end the process.
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
        try {
          return await fn(postgresSession(client));
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK_KEY]);
        }
      } finally {
        await client.end();
      }
    },
  };
}

function postgresSession(client: pg.Client): MigrationSession {
  const session: MigrationSession = {
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script) {
      await client.query(script);
    },
    async transaction(fn) {
      await client.query('BEGIN');
      try {
        await fn(session);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    },
  };
  return session;
}

// One PGlite lives in one process, so an in-process lock per instance is the whole story.
const pgliteLocks = new WeakMap<PGlite, Promise<unknown>>();

/** Migration session on an open PGlite; transactions hold PGlite's own mutex, so nothing interleaves. */
export function pgliteMigrationConnection(db: PGlite): MigrationConnection {
  return {
    async withMigrationLock(fn) {
      const previous = pgliteLocks.get(db) ?? Promise.resolve();
      const run = previous.catch(() => {}).then(() => fn(pgliteSession(db)));
      pgliteLocks.set(db, run);
      return run;
    },
  };
}

function pgliteSession(db: PGlite | Transaction): MigrationSession {
  return {
    async query<Row extends object>(sql: string, params: readonly unknown[] = []) {
      const result = await db.query<Row>(sql, [...params]);
      return result.rows;
    },
    async exec(script) {
      await db.exec(script);
    },
    async transaction(fn) {
      if (!('transaction' in db)) throw new Error('Nested migration transactions are not supported');
      await db.transaction(async (tx) => {
        await fn(pgliteSession(tx));
      });
    },
  };
}
