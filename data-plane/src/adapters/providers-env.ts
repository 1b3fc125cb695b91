import { z } from 'zod';
import { jsonEnv } from '../json-env';
import type { ProviderConfig } from './provider-registry';

const providerSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['mock', 'openai-compatible', 'anthropic']),
  baseUrl: z.url().optional(),
  apiKey: z.string().min(1).optional(),
  models: z.array(z.string().min(1)).min(1),
  idleTimeoutMs: z.number().int().positive().optional(),
  /** Where the provider processes data (data-locality policies); default `unspecified`. */
  region: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a short token like eu-west-1')
    .optional(),
  mock: z.object({ directives: z.string().max(500), firstRequests: z.number().int().positive().optional() }).optional(),
});

/** Unset: the deterministic mock provider only (nothing leaves the machine). */
export const DEFAULT_PROVIDERS: ProviderConfig[] = [{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-large', 'mock-mini'] }];

/**
 * `DATA_PLANE_PROVIDERS`, shared by the standalone data plane and `npm start`: a JSON array of
 * providers [{"name","kind":"mock"|"openai-compatible"|"anthropic","baseUrl","apiKey","models":[...],"region"}].
 */
export const providersEnvShape = {
  DATA_PLANE_PROVIDERS: jsonEnv<ProviderConfig[]>(z.array(providerSchema).min(1), 'a JSON array of providers', DEFAULT_PROVIDERS),
};
