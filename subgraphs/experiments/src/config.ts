import { z } from 'zod';

/** Environment of a standalone experiments subgraph, read once and validated with zod. */
const envSchema = z.object({
  EXPERIMENTS_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4103),
  EXPERIMENTS_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: z.string().url('DATABASE_URL must be a postgres:// URL'),
  REDIS_URL: z.string().url('REDIS_URL must be a redis:// URL').optional(),
  REDIS_KEY_PREFIX: z.string().optional(),
  /** The gateway's Ed25519 public key as a JWK (JSON text). */
  INTERNAL_TOKEN_PUBLIC_JWK: z.string().transform((text, ctx) => {
    try {
      return z.record(z.string(), z.unknown()).parse(JSON.parse(text));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'INTERNAL_TOKEN_PUBLIC_JWK must be a JWK as JSON text' });
      return z.NEVER;
    }
  }),
  /** Comma-separated names of the platform's configured routes (what a tenant route may fall back to besides models). */
  PLATFORM_ROUTE_NAMES: z
    .string()
    .default('')
    .transform((text) => text.split(',').map((name) => name.trim()).filter(Boolean)),
  SUBGRAPH_INTROSPECTION: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
});

export type ExperimentsSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ExperimentsSubgraphConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment for the experiments subgraph:\n${problems}`);
  }
  return result.data;
}
