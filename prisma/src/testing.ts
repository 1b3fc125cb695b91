// @switchyard/db/testing: throw-away databases for tests, migrated and ready.
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadDbConfig, migrationsDir } from './config';
import { createDatabase, openPgliteDatabase } from './create-database';
import type { Database } from './database';
import { pgliteMigrationConnection } from './migration-connections';
import { readMigrationFiles } from './migration-files';
import { applyMigrations } from './migrator';
import { pgliteFromSnapshot } from './pglite-snapshots';

export interface TestDatabase {
  readonly db: Database;
  /** Connection string of the test database (hand it to child processes as DATABASE_URL). */
  readonly url: string;
  /** Closes `db` (if still open) and drops the database, even with other sessions connected. */
  drop(): Promise<void>;
}

export interface MemoryTestDatabase {
  readonly db: Database;
  /** Closes the in-memory PGlite. */
  drop(): Promise<void>;
}

/**
 * Creates `sy_test_<random>` on SWITCHYARD_TEST_POSTGRES_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres), migrates it (unless `migrate: false`) and opens it. Each call is isolated,
 * so test files can run concurrently. Always call `drop()` (afterAll).
 */
export async function createTestDatabase(options: { adminUrl?: string; migrate?: boolean } = {}): Promise<TestDatabase> {
  const adminUrl = options.adminUrl ?? loadDbConfig().testPostgresUrl;
  const name = `sy_test_${randomBytes(6).toString('hex')}`;
  const url = withDatabaseName(adminUrl, name);
  await runAdmin(adminUrl, `CREATE DATABASE "${name}"`);
  let db: Database | undefined;
  const drop = async () => {
    await db?.close();
    await runAdmin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  try {
    db = await createDatabase({ url });
    if (options.migrate !== false) await db.migrate();
    return { db, url, drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

/**
 * An in-memory PGlite, migrated: the same schema and RLS as Postgres, no server needed.
 * Loaded from a snapshot of the migrated data directory (built once per migrations state).
 */
export async function createMemoryTestDatabase(): Promise<MemoryTestDatabase> {
  const migrations = await readMigrationFiles(migrationsDir);
  const state = createHash('sha256')
    .update(migrations.map((migration) => `${migration.name}:${migration.checksum}`).join('\n'))
    .digest('hex')
    .slice(0, 16);
  const pglite = await pgliteFromSnapshot(`migrated-${state}`, async (fresh) => {
    await applyMigrations(pgliteMigrationConnection(fresh), migrations);
  });
  const db = await openPgliteDatabase(pglite);
  try {
    await db.migrate();
  } catch (error) {
    await db.close();
    throw error;
  }
  return { db, drop: () => db.close() };
}

function withDatabaseName(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function runAdmin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
