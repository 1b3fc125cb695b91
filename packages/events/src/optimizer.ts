import { z } from 'zod';

/**
 * Pub/sub channel the cost optimizer publishes on after it wrote a tenant's bandit priors (new
 * canary, promotion, discard). Message: JSON `{ tenantId }`, key-only: each data-plane replica
 * reloads that tenant's priors from the database.
 */
export const BANDIT_PRIORS_CHANGED_CHANNEL = 'switchyard:bandit-priors.changed';

export const banditPriorsChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type BanditPriorsChangedMessage = z.output<typeof banditPriorsChangedMessageSchema>;

export function banditPriorsChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies BanditPriorsChangedMessage);
}

/**
 * Pub/sub channel: a run of the optimizer was asked for (GraphQL `runCostOptimizer`). Message:
 * JSON `{ tenantId }`; every optimizer process runs that tenant (runs are idempotent per snapshot).
 */
export const OPTIMIZER_RUN_REQUESTED_CHANNEL = 'switchyard:optimizer.run-requested';
export const optimizerRunRequestedMessageSchema = z.object({ tenantId: z.string().uuid() });

/**
 * Pub/sub channel: key-only notification after the optimizer wrote a tenant's savings (the
 * gateway turns it into `savingsUpdated`). Message: JSON `{ tenantId }`.
 */
export const SAVINGS_UPDATED_CHANNEL = 'switchyard:savings.updated';
export const savingsUpdatedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });

/**
 * Durable stream: one entry per optimizer run of a tenant that measured at least one route, with
 * each route's savings and regret (what the slo subgraph counts into quality and cost SLOs). A
 * stream, not pub/sub, so a run reported while no SLO consumer listens is counted later; `runId`
 * (the run's snapshot id) makes a redelivery or a replay a no-op for its consumers.
 */
export const OPTIMIZER_RUNS_STREAM = 'switchyard:optimizer.runs';

/** Most routes one run reports (a tenant's routes are far fewer; bounds a hostile entry). */
export const MAX_OPTIMIZER_RUN_ROUTES = 1000;

export const optimizerRunEventSchema = z.object({
  runId: z.string().uuid(),
  tenantId: z.string().uuid(),
  /** When the run's window ended (ISO 8601): the instant its SLI events count at. */
  at: z.iso.datetime(),
  routes: z
    .array(
      z.object({
        route: z.string().min(1).max(256),
        /** Requests of the route in the run's window. */
        requests: z.number().int().min(0),
        /** Percent saved against the tenant's baseline; negative when the traffic cost more. */
        savingsPct: z.number().max(100),
        /** The bandit's per-request regret against the best arm in hindsight, in [0, 1]. */
        regretDelta: z.number().min(0).max(1),
      }),
    )
    .min(1)
    .max(MAX_OPTIMIZER_RUN_ROUTES),
});
export type OptimizerRunEvent = z.output<typeof optimizerRunEventSchema>;
