import type { JsonWebKey } from 'node:crypto';
import { z } from 'zod';
import { REGION_NAME } from './delta';
import type { FederationCoordinatorConfig } from './coordinator';
import { publicKeyFromJwk, signingKeyFromJwk, type RegionKeyring } from './signing';

function json<T extends z.ZodType>(schema: T, what: string) {
  return z.string().transform((text, context): z.output<T> => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      context.addIssue({ code: 'custom', message: `must be ${what} (JSON)` });
      return z.NEVER;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      context.addIssue({ code: 'custom', message: `must be ${what}: ${result.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`).join('; ')}` });
      return z.NEVER;
    }
    return result.data;
  });
}

const jwk = z.record(z.string(), z.unknown()).transform((value) => value as JsonWebKey);
const emptyIsUnset = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The coordinator's environment, parsed once at start-up with every problem reported together. */
export const federationEnvSchema = z.object({
  SWITCHYARD_REGION: z.string().regex(REGION_NAME, 'a short token like region-a'),
  FEDERATION_PORT: z.coerce.number().int().min(0).max(65_535).default(4500),
  FEDERATION_HOST: z.string().min(1).default('127.0.0.1'),
  /** This region's Ed25519 private key as a JWK (the Secret `switchyard-federation` / `private-jwk`). */
  FEDERATION_SIGNING_KEY: json(jwk, 'an Ed25519 private JWK'),
  FEDERATION_KEY_ID: z.string().min(1).max(100),
  /** {"region-b":[{"keyId":"b-2026-12","jwk":{…public…}}]}: two keys of a region during its rotation. */
  FEDERATION_TRUSTED_KEYS: json(z.record(z.string().regex(REGION_NAME), z.array(z.object({ keyId: z.string().min(1).max(100), jwk })).min(1).max(4)), 'a JSON object of region → public keys'),
  /** [{"region":"region-b","baseUrl":"https://federation.region-b.example.com"}] */
  FEDERATION_PEERS: json(z.array(z.object({ region: z.string().regex(REGION_NAME), baseUrl: z.url() })).max(16), 'a JSON array of peers').default([]),
  FEDERATION_TOKEN: emptyIsUnset(z.string().min(16, 'must be at least 16 characters')),
  FEDERATION_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  FEDERATION_POLL_MS: z.coerce.number().int().min(100).max(3_600_000).default(5_000),
  /** A peer region not heard from for longer leaves the view this region's data planes get (default 15 min). */
  FEDERATION_MAX_PEER_SILENCE_MS: z.coerce.number().int().min(1_000).max(7 * 86_400_000).default(15 * 60_000),
  /** The platform's route names whose stats are shared (comma-separated); tenants' own routes never are. */
  FEDERATION_ROUTES: z.string().default('').transform((text) => new Set(text.split(',').map((name) => name.trim()).filter((name) => name.length > 0))),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL'),
  REDIS_KEY_PREFIX: z.string().default(''),
  /** The region's Postgres (the platform pool's owner login): set, the global configuration is replicated too (config-coordinator.ts). */
  DATABASE_URL: emptyIsUnset(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  DATABASE_TENANT_URL: emptyIsUnset(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  /** The one region that writes the platform's configuration (the price book); unset: it is not replicated. */
  FEDERATION_PLATFORM_WRITER: emptyIsUnset(z.string().regex(REGION_NAME)),
});

export interface FederationProcessConfig {
  coordinator: FederationCoordinatorConfig;
  port: number;
  host: string;
  redisUrl: string;
  redisKeyPrefix: string;
  /** Where the global configuration is captured and applied; undefined: stats only. */
  database: { url: string; tenantUrl: string | undefined } | undefined;
  platformWriter: string | undefined;
}

export function loadFederationConfig(env: NodeJS.ProcessEnv = process.env): FederationProcessConfig {
  const parsed = federationEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid federation coordinator configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const keyring: RegionKeyring = new Map(Object.entries(e.FEDERATION_TRUSTED_KEYS).map(([region, keys]) => [region, keys.map((key) => ({ keyId: key.keyId, publicKey: publicKeyFromJwk(key.jwk) }))]));
  return {
    coordinator: {
      region: e.SWITCHYARD_REGION,
      signingKey: signingKeyFromJwk(e.SWITCHYARD_REGION, e.FEDERATION_KEY_ID, e.FEDERATION_SIGNING_KEY),
      keyring,
      peers: e.FEDERATION_PEERS,
      token: e.FEDERATION_TOKEN,
      intervalMs: e.FEDERATION_INTERVAL_MS,
      pollMs: e.FEDERATION_POLL_MS,
      maxPeerSilenceMs: e.FEDERATION_MAX_PEER_SILENCE_MS,
      federatedRoutes: e.FEDERATION_ROUTES,
    },
    port: e.FEDERATION_PORT,
    host: e.FEDERATION_HOST,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    database: e.DATABASE_URL === undefined ? undefined : { url: e.DATABASE_URL, tenantUrl: e.DATABASE_TENANT_URL },
    platformWriter: e.FEDERATION_PLATFORM_WRITER,
  };
}
