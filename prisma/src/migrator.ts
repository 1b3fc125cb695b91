import { randomUUID } from 'node:crypto';
import type { MigrationFile } from './migration-files';

/**
 * The few statements the migrator needs, on one connection (or one PGlite) that it holds
 * for the whole run. Implemented for node-postgres and PGlite in migration-connections.ts.
 */
export interface MigrationSession {
  query<Row extends object>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
  /** Runs a multi-statement script (simple-query protocol, no parameters). */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction(fn: (tx: MigrationSession) => Promise<void>): Promise<void>;
}

export interface MigrationConnection {
  /** Holds the migration lock (across processes where the backend allows it) while `fn` runs. */
  withMigrationLock<T>(fn: (session: MigrationSession) => Promise<T>): Promise<T>;
}

export type MigrationLog = (message: string) => void;

export interface MigrateResult {
  readonly applied: string[];
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: 'MIGRATION_FAILED_BEFORE' | 'MIGRATION_EDITED' | 'MIGRATION_MISSING_LOCALLY' | 'MIGRATION_FAILED',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// Same table Prisma Migrate creates, so `prisma migrate status/deploy` agree with us.
const createMigrationsTable = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

/**
 * Applies pending migrations in order, each in its own transaction together with its
 * `_prisma_migrations` row, under the migration lock: running it twice, or from two processes
 * at once, applies every migration exactly once.
 */
export async function applyMigrations(
  connection: MigrationConnection,
  migrations: readonly MigrationFile[],
  log: MigrationLog = () => {},
): Promise<MigrateResult> {
  return connection.withMigrationLock(async (session) => {
    await session.exec(createMigrationsTable);
    const rows = await session.query<AppliedRow>(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at',
    );
    const live = rows.filter((row) => row.rolled_back_at === null);
    const failed = live.find((row) => row.finished_at === null);
    if (failed) {
      throw new MigrationError(
        'MIGRATION_FAILED_BEFORE',
        `Migration ${failed.migration_name} failed earlier and is recorded as unfinished in _prisma_migrations. ` +
          'Fix the database by hand, then mark it rolled back (UPDATE "_prisma_migrations" SET rolled_back_at = now() ...) and run the migrator again.',
      );
    }
    const known = new Map(migrations.map((migration) => [migration.name, migration]));
    for (const row of live) {
      const local = known.get(row.migration_name);
      if (!local) {
        throw new MigrationError(
          'MIGRATION_MISSING_LOCALLY',
          `Migration ${row.migration_name} is applied to the database but missing from the migrations folder. Restore it from version control.`,
        );
      }
      if (local.checksum !== row.checksum) {
        throw new MigrationError(
          'MIGRATION_EDITED',
          `Migration ${row.migration_name} was edited after it was applied (checksum differs). Revert the edit and add a new migration instead.`,
        );
      }
    }
    const appliedNames = new Set(live.map((row) => row.migration_name));
    const pending = migrations.filter((migration) => !appliedNames.has(migration.name));
    if (pending.length === 0) {
      log('Database is up to date, no pending migrations.');
      return { applied: [] };
    }
    for (const migration of pending) {
      log(`Applying migration ${migration.name}`);
      await applyOne(session, migration);
    }
    log(`Applied ${pending.length} migration(s).`);
    return { applied: pending.map((migration) => migration.name) };
  });
}

async function applyOne(session: MigrationSession, migration: MigrationFile): Promise<void> {
  const id = randomUUID();
  const startedAt = new Date();
  try {
    await session.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
         VALUES ($1, $2, $3, $4, now(), 1)`,
        [id, migration.checksum, migration.name, startedAt],
      );
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // Recorded the way Prisma records a failed migration, so the next run refuses to continue blindly.
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, logs, applied_steps_count)
       VALUES ($1, $2, $3, $4, $5, 0)`,
      [id, migration.checksum, migration.name, startedAt, message],
    );
    throw new MigrationError('MIGRATION_FAILED', `Migration ${migration.name} failed and was rolled back: ${message}`, {
      cause: error,
    });
  }
}
