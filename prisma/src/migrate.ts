import { migrationsDir } from './config';
import { readMigrationFiles } from './migration-files';
import type { MigrationConnection, MigrationLog } from './migrator';
import { applyMigrations } from './migrator';

/** Applies the committed migrations folder through `connection` (shared by the CLI and Database.migrate). */
export async function migrateDatabase(connection: MigrationConnection, log: MigrationLog): Promise<string[]> {
  const migrations = await readMigrationFiles(migrationsDir);
  const result = await applyMigrations(connection, migrations, log);
  return result.applied;
}
