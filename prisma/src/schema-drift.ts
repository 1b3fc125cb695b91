import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { pgliteMigrationConnection } from './migration-connections';
import { readMigrationFiles } from './migration-files';
import { applyMigrations } from './migrator';
import { diffDatabaseToSchema, startSchemaEngine } from './schema-engine';

/**
 * Applies every committed migration to a throw-away in-memory PGlite, then asks the schema
 * engine what SQL would take that database to schema.prisma. Empty string: they agree.
 * This is both the drift check and how a new migration is drafted.
 */
export async function diffMigrationsToSchema(options: { migrationsDir: string; schemaPath: string }): Promise<string> {
  const pglite = await PGlite.create();
  try {
    await applyMigrations(pgliteMigrationConnection(pglite), await readMigrationFiles(options.migrationsDir));
    const schema = { path: options.schemaPath, content: await readFile(options.schemaPath, 'utf8') };
    const engine = await startSchemaEngine(new PrismaPGlite(pglite), schema);
    try {
      return await diffDatabaseToSchema(engine, schema);
    } finally {
      engine.free();
    }
  } finally {
    await pglite.close();
  }
}
