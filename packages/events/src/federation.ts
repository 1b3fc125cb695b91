import { z } from 'zod';

/**
 * Pub/sub channel on a region's own bus: its federation coordinator's merged view of what the
 * OTHER regions observed about the platform's routes (success rate, latency, quality per route and
 * upstream, already verified, de-duplicated and damped by the coordinator). The region's data
 * planes use it as a bounded prior for upstreams they have little evidence about yet. The whole
 * view travels in every message (re-sent every interval), so a data plane that starts or missed a
 * message is current after the next one; a data plane keeps the newest `version` and forgets a
 * view `ttlMs` after it received it (a coordinator that went away stops steering).
 */
export const FEDERATION_VIEW_CHANNEL = 'switchyard:federation.view';

/** The message format; a reader ignores a version it does not know instead of guessing. */
export const FEDERATION_VIEW_FORMAT = 1;
/** Most (route, upstream) entries in one view: a bound on the message, not a product limit (platform routes × their upstreams). */
export const MAX_FEDERATION_VIEW_ENTRIES = 2_000;

const name = z.string().min(1).max(200);
const region = z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/);
const rate = z.number().min(0).max(1);

export const federationViewEntrySchema = z.object({
  route: name,
  /** `provider/model`, as the router names upstreams. */
  upstream: name,
  successRate: rate,
  /** Mean time to first event of successful requests (ms); null when no region measured one. */
  latencyMs: z.number().min(0).max(86_400_000).nullable(),
  /** Mean client feedback score in [0, 1]; null without feedback. */
  quality: rate.nullable(),
  /** The smoothed requests per interval behind the estimate, summed over the regions (how much to trust it). */
  volume: z.number().min(0).max(1e12),
  /** The regions whose evidence it combines. */
  regions: z.array(region).min(1).max(64),
});
export type FederationViewEntry = z.output<typeof federationViewEntrySchema>;

export const federationViewMessageSchema = z.object({
  format: z.literal(FEDERATION_VIEW_FORMAT),
  /** The region whose coordinator published it (the region of the bus). */
  region,
  /** Strictly increasing per coordinator (and across its restarts: at least the clock in ms). */
  version: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  issuedAt: z.number().int().min(0),
  /** How long after receiving it a data plane may use it (a few publishing intervals). */
  ttlMs: z.number().int().min(1_000).max(86_400_000),
  entries: z.array(federationViewEntrySchema).max(MAX_FEDERATION_VIEW_ENTRIES),
});
export type FederationViewMessage = z.output<typeof federationViewMessageSchema>;

export function federationViewMessage(view: FederationViewMessage): string {
  return JSON.stringify(federationViewMessageSchema.parse(view));
}

/** The view in a message, or undefined for anything malformed, oversized or of another format. */
export function parseFederationViewMessage(message: string): FederationViewMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  const result = federationViewMessageSchema.safeParse(parsed);
  return result.success ? result.data : undefined;
}
