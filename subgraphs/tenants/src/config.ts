import { parseMasterKeysEnv } from '@switchyard/identity/envelope';
import { z } from 'zod';

/** Environment of a standalone tenants subgraph, read once and validated with zod. */
const envSchema = z.object({
  TENANTS_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4101),
  TENANTS_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
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
  SUBGRAPH_INTROSPECTION: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  /** Master keys for tenant secrets, as for the platform: JSON {"<id>": "<base64>"} or "<id>:<base64>,…". Unset: secrets answer NOT_CONFIGURED. */
  SWITCHYARD_MASTER_KEYS: z.string().optional(),
  SWITCHYARD_MASTER_KEY_ID: z.string().optional(),
}).transform((env, ctx) => {
  if (!env.SWITCHYARD_MASTER_KEYS) return { ...env, masterKeys: undefined };
  try {
    return { ...env, masterKeys: parseMasterKeysEnv(env.SWITCHYARD_MASTER_KEYS, env.SWITCHYARD_MASTER_KEY_ID) };
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: ['SWITCHYARD_MASTER_KEYS'], message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
});

export type TenantsSubgraphConfig = z.output<typeof envSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): TenantsSubgraphConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new Error(`Invalid environment for the tenants subgraph:\n${problems}`);
  }
  return result.data;
}
