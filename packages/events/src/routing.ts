import { z } from 'zod';

/**
 * Pub/sub channel the experiments subgraph publishes on after a tenant's routes changed
 * (create, update, delete). Message: JSON `{ tenantId }`, key-only: each data-plane replica
 * reloads that tenant's routes from the database.
 */
export const ROUTES_CHANGED_CHANNEL = 'switchyard:routes.changed';

export const routesChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type RoutesChangedMessage = z.output<typeof routesChangedMessageSchema>;

export function routesChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies RoutesChangedMessage);
}

/** The tenant id of a routes-changed message, or undefined for anything malformed. */
export function parseRoutesChangedMessage(message: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  const result = routesChangedMessageSchema.safeParse(parsed);
  return result.success ? result.data.tenantId : undefined;
}

/**
 * Pub/sub channel the experiments subgraph publishes on after a tenant's experiments changed
 * (started, new statistics, stopped, promoted, reverted). Key-only, like routes.changed:
 * `{ tenantId }`; subscribers re-read the tenant's experiments.
 */
export const EXPERIMENT_UPDATED_CHANNEL = 'switchyard:experiments.updated';

export function experimentUpdatedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId });
}

/**
 * Pub/sub channel between data-plane replicas: bandit observations, batched, so every replica
 * learns from all of the traffic. Message: JSON {@link RoutingObservationBatch}; a replica drops
 * batches whose `origin` is its own id (it applied them when they happened).
 */
export const ROUTING_OBSERVED_CHANNEL = 'switchyard:routing.observed';

const name = z.string().min(1).max(200);
/**
 * `platform: true`: the route is the platform's configured route, not a tenant's own route of the
 * same name. Only such observations may leave the region (the federation coordinator); a tenant's
 * own routes are its data.
 */
const platform = z.literal(true).optional();
export const routingObservationSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('outcome'),
    tenantId: name,
    route: name,
    upstream: name,
    success: z.boolean(),
    latencyMs: z.number().min(0).max(86_400_000),
    pricePer1kMicros: z.number().min(0).optional(),
    platform,
  }),
  z.object({ kind: z.literal('feedback'), tenantId: name, route: name, upstream: name, score: z.number().min(0).max(1), platform }),
]);
export type RoutingObservation = z.output<typeof routingObservationSchema>;

/** Most observations in one message; a replica sends a full batch at once. */
export const MAX_ROUTING_OBSERVATION_BATCH = 100;
export const routingObservationBatchSchema = z.object({
  origin: z.string().min(1).max(100),
  /**
   * Unique per batch (the publisher's random UUID): whoever stores observations keys them by
   * (id, position), so a batch delivered twice is stored once. Optional only so batches from
   * replicas that predate it still parse; those are stored without that protection.
   */
  id: z.string().uuid().optional(),
  observations: z.array(routingObservationSchema).max(MAX_ROUTING_OBSERVATION_BATCH),
});
export type RoutingObservationBatch = z.output<typeof routingObservationBatchSchema>;
