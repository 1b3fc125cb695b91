import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir, schemaPath } from './config';
import { pgliteMigrationConnection } from './migration-connections';
import { migrationChecksum, readMigrationFiles } from './migration-files';
import { applyMigrations } from './migrator';
import { pgliteFromSnapshot } from './pglite-snapshots';
import { diffDatabaseToSchemaFile } from './schema-drift';

// The committed migrations are applied for real to an empty database (an initdb snapshot saves
// the seconds initdb costs), then the wasm schema engine diffs it against schema.prisma.
// (PGlite because @prisma/adapter-pg 7.10 cannot read the "char" catalog columns the engine's
// introspection selects.)
describe('schema.prisma and the migrations folder', () => {
  let scratch: string;
  let pglite: PGlite;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'sy-db-drift-'));
    pglite = await pgliteFromSnapshot('pristine', async () => {});
    await applyMigrations(pgliteMigrationConnection(pglite), await readMigrationFiles(migrationsDir));
  });
  afterAll(async () => {
    await pglite.close();
    await rm(scratch, { recursive: true, force: true });
  });

  const diff = (schema: string) => diffDatabaseToSchemaFile(new PrismaPGlite(pglite), schema);

  it('agree: the migrated database diffs empty against schema.prisma', async () => {
    expect(await diff(schemaPath)).toBe('');
  });

  it('disagree when schema.prisma gains a field without a migration', async () => {
    const editedSchema = join(scratch, 'schema.prisma');
    const schema = await readFile(schemaPath, 'utf8');
    const edited = schema.replace('  name      String\n', '  name      String\n  plan      String?\n');
    expect(edited).not.toBe(schema);
    await writeFile(editedSchema, edited);
    expect(await diff(editedSchema)).toMatch(/ALTER TABLE "tenants" ADD COLUMN\s+"plan" TEXT/);
  });

  // Runs last: it changes the database.
  it('disagree when a migration changes the database without schema.prisma', async () => {
    const sql = 'ALTER TABLE "members" ADD COLUMN "nickname" TEXT;\n';
    await applyMigrations(pgliteMigrationConnection(pglite), [
      ...(await readMigrationFiles(migrationsDir)),
      { name: '29991231000000_unmodelled', sql, checksum: migrationChecksum(sql) },
    ]);
    expect(await diff(schemaPath)).toMatch(/DROP COLUMN\s+"nickname"/);
  });

  it('keeps row-level security on every table in the migrations', async () => {
    const sql = (await readMigrationFiles(migrationsDir)).map((migration) => migration.sql).join('\n');
    for (const table of ['tenants', 'members', 'api_keys', 'usage_events', 'cost_rollups', 'shadow_cost_rollups', 'price_book_versions', 'model_prices']) {
      expect(sql).toContain(`ALTER TABLE "${table}" ENABLE ROW LEVEL SECURITY;`);
      expect(sql).toContain(`ALTER TABLE "${table}" FORCE ROW LEVEL SECURITY;`);
    }
  });
});
