import { createDatabase } from '@switchyard/db';
import type { Database } from '@switchyard/db';

/** A migrated in-memory PGlite database for one test file. */
export async function openTestDatabase(): Promise<Database> {
  const db = await createDatabase({ memory: true });
  await db.migrate();
  return db;
}
