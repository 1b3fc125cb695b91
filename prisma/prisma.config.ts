// Prisma 7 CLI configuration. The CLI only needs it for `prisma generate` (and, where the
// schema-engine binary exists, `prisma migrate deploy`); at runtime the services connect through
// driver adapters (see src/create-database.ts) and migrate with the wasm schema engine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  // Only `prisma migrate deploy/status` (where the binary exists) use this; the CLI reads its own env.
  // eslint-disable-next-line no-restricted-syntax
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
});
