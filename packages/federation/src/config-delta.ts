import { z } from 'zod';
import { REGION_NAME } from './delta';

/**
 * Global configuration between regions (DESIGN.md §10): what a region that is the writer of some
 * configuration tells the others. Every op carries the whole current state of one row (or its
 * absence), read when the delta was cut, so applying an op twice, or an older state after a newer
 * one of the same delta, cannot leave a row half-updated: receivers upsert or delete by id.
 * API keys travel as hashes only (the secret is never stored anywhere); a key's last use is the
 * serving region's record and never travels.
 */

/** Ops per delta: a region with more changes signs several deltas. */
export const MAX_CONFIG_OPS = 200;

const id = z.guid();
const region = z.string().regex(REGION_NAME);
const text = z.string().max(200);
const instant = z.iso.datetime({ offset: true });

export const tenantStateSchema = z.object({
  id,
  slug: text.min(1),
  name: text,
  allowedRegions: z.array(region).max(32),
  defaultDataClassification: z.enum(['public', 'internal', 'confidential', 'restricted']),
  requestsPerMinute: z.number().int().positive().nullable(),
  tokensPerMinute: z.number().int().positive().nullable(),
  tokensPerDay: z.number().int().positive().nullable(),
  /** Always set: a tenant without a home is not replicated. */
  homeRegion: region,
  regionPinned: z.boolean(),
  createdAt: instant,
});
export type TenantState = z.output<typeof tenantStateSchema>;

export const apiKeyStateSchema = z.object({
  id,
  tenantId: id,
  name: text,
  prefix: text,
  /** SHA-256 (hex) of the secret. */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  scopes: z.array(text).max(32),
  createdAt: instant,
  expiresAt: instant.nullable(),
  revokedAt: instant.nullable(),
});
export type ApiKeyState = z.output<typeof apiKeyStateSchema>;

export const policyVersionStateSchema = z.object({
  id,
  tenantId: id,
  version: z.number().int().positive(),
  text: z.string().max(200_000),
  status: z.enum(['proposed', 'active', 'superseded', 'rejected']),
  proposedBy: text,
  approvedBy: text.nullable(),
  createdAt: instant,
  activatedAt: instant.nullable(),
});
export type PolicyVersionState = z.output<typeof policyVersionStateSchema>;

export const routeStateSchema = z.object({
  id,
  tenantId: id,
  name: text.min(1),
  /** The data plane validates it when it loads the route, as it does for the home region's rows. */
  definition: z.json(),
  version: z.number().int().positive(),
  createdBy: text,
  updatedBy: text,
  createdAt: instant,
  updatedAt: instant,
  pinnedVersion: z.number().int().positive().nullable(),
});
export type RouteState = z.output<typeof routeStateSchema>;

const micros = z.string().regex(/^\d{1,30}$/);
export const priceBookStateSchema = z.object({
  version: z.number().int().positive(),
  createdAt: instant,
  prices: z.array(z.object({ model: text.min(1), inputPer1kMicros: micros, outputPer1kMicros: micros })).max(10_000),
});
export type PriceBookState = z.output<typeof priceBookStateSchema>;

export const configOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('tenant.upsert'), tenant: tenantStateSchema }),
  z.object({ op: z.literal('tenant.delete'), tenantId: id }),
  z.object({ op: z.literal('api_key.upsert'), apiKey: apiKeyStateSchema }),
  z.object({ op: z.literal('api_key.delete'), tenantId: id, id }),
  z.object({ op: z.literal('policy_version.upsert'), policyVersion: policyVersionStateSchema }),
  z.object({ op: z.literal('route.upsert'), route: routeStateSchema }),
  z.object({ op: z.literal('route.delete'), tenantId: id, id }),
  z.object({ op: z.literal('price_book.upsert'), priceBook: priceBookStateSchema }),
]);
export type ConfigOp = z.output<typeof configOpSchema>;

export const configDeltaSchema = z.object({
  /** Domain separation: a signed stats delta can never be taken for a config delta, nor the reverse. */
  feed: z.literal('config'),
  region,
  /** Per region, strictly increasing, durable across restarts (the last one is in config_deltas_out). */
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.number().int().min(0),
  ops: z.array(configOpSchema).min(1).max(MAX_CONFIG_OPS),
});
export type ConfigDelta = z.output<typeof configDeltaSchema>;

/** The tenant an op is about (undefined: platform configuration). */
export function tenantOf(op: ConfigOp): string | undefined {
  switch (op.op) {
    case 'tenant.upsert':
      return op.tenant.id;
    case 'tenant.delete':
    case 'api_key.delete':
    case 'route.delete':
      return op.tenantId;
    case 'api_key.upsert':
      return op.apiKey.tenantId;
    case 'policy_version.upsert':
      return op.policyVersion.tenantId;
    case 'route.upsert':
      return op.route.tenantId;
    case 'price_book.upsert':
      return undefined;
  }
}
