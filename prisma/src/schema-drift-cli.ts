// npm run -w @switchyard/db migrate:check
// Fails (exit 1) when the committed migrations do not produce what schema.prisma describes,
// printing the SQL that is missing. Needs no server: it migrates an in-memory PGlite.
import { migrationsDir, schemaPath } from './config';
import { diffMigrationsToSchema } from './schema-drift';

async function main(): Promise<void> {
  const sql = await diffMigrationsToSchema({ migrationsDir, schemaPath });
  if (sql === '') {
    process.stderr.write('schema.prisma and prisma/migrations agree.\n');
    return;
  }
  process.stderr.write('schema.prisma and prisma/migrations disagree. Missing SQL (create it with `npm run -w @switchyard/db migrate:create -- <name>`):\n');
  process.stdout.write(sql);
  process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
