import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrationsDir } from './config';
import { postgresMigrationConnection } from './migration-connections';
import { migrationChecksum, readMigrationFiles, type MigrationFile } from './migration-files';
import { applyMigrations, MigrationError } from './migrator';
import { createTestDatabase, type TestDatabase } from './testing';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

async function migrationRows(url: string): Promise<MigrationRow[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<MigrationRow>('SELECT * FROM "_prisma_migrations" ORDER BY started_at, migration_name')).rows;
  } finally {
    await client.end();
  }
}

async function tableExists(url: string, table: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ found: string | null }>('SELECT to_regclass($1) AS found', [table])).rows[0]?.found != null;
  } finally {
    await client.end();
  }
}

const migration = (name: string, sql: string): MigrationFile => ({ name, sql, checksum: migrationChecksum(sql) });

describe('migrator on Postgres', () => {
  let database: TestDatabase | undefined;
  afterEach(async () => {
    await database?.drop();
    database = undefined;
  });

  it('applies each migration once when two processes run db:migrate at the same time, recording it like Prisma', async () => {
    database = await createTestDatabase({ migrate: false });
    const env = { ...process.env, DATABASE_URL: database.url };
    const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
    const [first, second] = await Promise.all([
      run(tsx, ['src/migrate-cli.ts'], { cwd: packageDir, env }),
      run(tsx, ['src/migrate-cli.ts'], { cwd: packageDir, env }),
    ]);
    const output = first.stderr + second.stderr;
    const files = await readMigrationFiles(migrationsDir);
    // Each migration is applied by exactly one of the two processes; the other finds nothing pending.
    expect(output.match(/Applying migration/g)).toHaveLength(files.length);
    for (const file of files) expect(output.split(file.name).length - 1, file.name).toBeGreaterThanOrEqual(1);
    expect(output).toContain('no pending migrations');

    const rows = await migrationRows(database.url);
    expect(rows.map((row) => [row.migration_name, row.checksum, row.applied_steps_count, row.rolled_back_at, row.logs])).toEqual(
      files.map((file) => [file.name, file.checksum, 1, null, null]),
    );
    for (const row of rows) {
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(row.finished_at).toBeInstanceOf(Date);
    }
  }, 120_000); // two cold tsx start-ups on a shared machine

  it('is a no-op the second time, also when called concurrently in one process', async () => {
    database = await createTestDatabase({ migrate: false });
    const files = await readMigrationFiles(migrationsDir);
    const connection = () => postgresMigrationConnection(database!.url);
    const results = await Promise.all([applyMigrations(connection(), files), applyMigrations(connection(), files)]);
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, files.length]);
    expect((await applyMigrations(connection(), files)).applied).toEqual([]);
    expect(await migrationRows(database.url)).toHaveLength(files.length);
  });

  it('rolls a failing migration back, records it, and refuses to continue until someone fixes it', async () => {
    database = await createTestDatabase({ migrate: false });
    const connection = postgresMigrationConnection(database.url);
    const broken = migration('20000101000000_broken', 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    await expect(applyMigrations(connection, [broken])).rejects.toSatisfy(
      (error) => error instanceof MigrationError && error.code === 'MIGRATION_FAILED' && /no_such_function/.test(error.message),
    );
    expect(await tableExists(database.url, 'half_done')).toBe(false);
    const [row] = await migrationRows(database.url);
    expect(row).toMatchObject({ migration_name: broken.name, finished_at: null, applied_steps_count: 0 });
    expect(row?.logs).toMatch(/no_such_function/);

    const fixed = migration(broken.name, 'CREATE TABLE half_done (id int);\n');
    await expect(applyMigrations(connection, [fixed])).rejects.toSatisfy(
      (error) => error instanceof MigrationError && error.code === 'MIGRATION_FAILED_BEFORE',
    );
  });

  it('refuses edited and locally missing migrations', async () => {
    database = await createTestDatabase({ migrate: false });
    const connection = postgresMigrationConnection(database.url);
    const original = migration('20000101000000_first', 'CREATE TABLE first (id int);\n');
    await applyMigrations(connection, [original]);
    await expect(applyMigrations(connection, [migration(original.name, 'CREATE TABLE first (id bigint);\n')])).rejects.toSatisfy(
      (error) => error instanceof MigrationError && error.code === 'MIGRATION_EDITED',
    );
    await expect(applyMigrations(connection, [])).rejects.toSatisfy(
      (error) => error instanceof MigrationError && error.code === 'MIGRATION_MISSING_LOCALLY',
    );
  });
});
