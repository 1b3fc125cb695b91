import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { pgliteMigrationConnection } from './migration-connections';
import { readMigrationFiles } from './migration-files';
import { applyMigrations } from './migrator';
import { diffDatabaseToSchema, startSchemaEngine } from './schema-engine';

/**
 * SQL the schema engine would run to take the database behind `adapterFactory` to the state
 * schema.prisma describes; empty string when they agree. Roles, grants, policies and functions
 * are invisible to Prisma, so only what schema.prisma models is compared.
 */
export async function diffDatabaseToSchemaFile(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schemaPath: string,
): Promise<string> {
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const engine = await startSchemaEngine(adapterFactory, schema);
  try {
    return await diffDatabaseToSchema(engine, schema);
  } finally {
    engine.free();
  }
}

/**
 * Applies every committed migration to a throw-away in-memory PGlite, then diffs it against
 * schema.prisma: the drift check and the draft of the next migration, with no server needed.
 */
export async function diffMigrationsToSchema(options: {
  migrationsDir: string;
  schemaPath: string;
  /** An empty PGlite to use (and close); a fresh one by default. */
  pglite?: PGlite;
}): Promise<string> {
  const pglite = options.pglite ?? (await PGlite.create());
  try {
    await applyMigrations(pgliteMigrationConnection(pglite), await readMigrationFiles(options.migrationsDir));
    return await diffDatabaseToSchemaFile(new PrismaPGlite(pglite), options.schemaPath);
  } finally {
    await pglite.close();
  }
}
