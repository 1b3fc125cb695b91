// npm run db:migrate: applies pending migrations to DATABASE_URL, or to the embedded PGlite
// under <repo>/.data/pglite (SWITCHYARD_DATA_DIR/pglite). Progress goes to stderr.
import { loadDbConfig } from './config';
import { createDatabase } from './create-database';

async function main(): Promise<void> {
  const config = loadDbConfig();
  const log = (message: string) => process.stderr.write(`[db:migrate] ${message}\n`);
  log(config.databaseUrl ? `Postgres ${redact(config.databaseUrl)}` : `PGlite at ${config.pgliteDataDir}`);
  const db = await createDatabase(config.databaseUrl ? { url: config.databaseUrl, log } : { dataDir: config.pgliteDataDir, log });
  try {
    await db.migrate();
  } finally {
    await db.close();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

main().catch((error: unknown) => {
  process.stderr.write(`[db:migrate] failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
