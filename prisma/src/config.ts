import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Repository root (this file lives at `<repo>/prisma/src/config.ts`). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The committed migrations folder, in Prisma's own format. */
export const migrationsDir = fileURLToPath(new URL('../migrations/', import.meta.url));

/** The committed Prisma schema. */
export const schemaPath = fileURLToPath(new URL('../schema.prisma', import.meta.url));

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// or postgresql:// URL');

const envSchema = z.object({
  DATABASE_URL: postgresUrl.optional().or(z.literal('').transform(() => undefined)),
  DATABASE_TENANT_URL: postgresUrl.optional().or(z.literal('').transform(() => undefined)),
  SWITCHYARD_DATA_DIR: z.string().trim().min(1).optional(),
  SWITCHYARD_TEST_POSTGRES_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/postgres'),
});

export interface DbConfig {
  /** Postgres connection string; when absent the embedded PGlite is used. */
  readonly databaseUrl: string | undefined;
  /**
   * The tenant pool's connection string (login role `switchyard_app`); when absent, DATABASE_URL
   * with that user and no password (createDatabase's default).
   */
  readonly databaseTenantUrl: string | undefined;
  /** Where the embedded PGlite keeps its files. */
  readonly pgliteDataDir: string;
  /** Server that test databases (`sy_test_<random>`) are created on. */
  readonly testPostgresUrl: string;
}

/** Reads the database settings from the environment once; every problem is reported together. */
export function loadDbConfig(env: NodeJS.ProcessEnv = process.env): DbConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid database configuration: ${problems}`);
  }
  const dataDir = parsed.data.SWITCHYARD_DATA_DIR ?? `${repoRoot}.data`;
  return {
    databaseUrl: parsed.data.DATABASE_URL,
    databaseTenantUrl: parsed.data.DATABASE_TENANT_URL,
    pgliteDataDir: `${dataDir.replace(/\/+$/, '')}/pglite`,
    testPostgresUrl: parsed.data.SWITCHYARD_TEST_POSTGRES_URL,
  };
}
