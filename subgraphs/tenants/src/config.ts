import { limitsEnvShape } from '@switchyard/data-plane/config';
import { parseMasterKeysEnv } from '@switchyard/identity/envelope';
import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';
import { alertWebhookEnvShape } from './webhook-env';

/** Environment of a standalone tenants subgraph, read once and validated with zod. */
const envSchema = z.object({
  TENANTS_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4101),
  TENANTS_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...subgraphProcessEnv,
  ...subgraphIntrospectionEnv,
  /** Master keys for tenant secrets, as for the platform: JSON {"<id>": "<base64>"} or "<id>:<base64>,…". Unset: secrets answer NOT_CONFIGURED. */
  SWITCHYARD_MASTER_KEYS: z.string().optional(),
  SWITCHYARD_MASTER_KEY_ID: z.string().optional(),
  /** The data plane's limits, as the data planes read them: tenant admins may set quotas up to the tenant limits. */
  ...limitsEnvShape,
  /** Non-public addresses alert webhooks may reach (default none). */
  ...alertWebhookEnvShape,
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
  return parseEnvironment(envSchema, env, 'the tenants subgraph');
}
