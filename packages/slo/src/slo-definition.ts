import { z } from 'zod';

/**
 * The four SLO classes of a route (issue 12). Each counts every request on its route as good or
 * bad; the objective is the share that must be good over the window.
 * - latency: good when it answered within `thresholdMs`; "p95 ≤ 800 ms" is "95 % of requests within
 *   800 ms", so the percentile *is* the objective (stored once, as `objective = percentile / 100`).
 * - availability: good when it answered without an error (`status = ok`).
 * - quality: good when its regret (the gap to the best candidate in hindsight) is at most `maxRegret`.
 * - cost: good when it saved at least `minSavingsPct` percent against the route's reference model.
 */
export const SLO_KINDS = ['latency', 'availability', 'quality', 'cost'] as const;
export type SloKind = (typeof SLO_KINDS)[number];

/**
 * Whether the auto-throttle (shedding the route's batch class) can relieve a burn of this class:
 * it lowers load, so it helps latency and availability; it does not lower regret or raise savings,
 * so quality and cost pages alert without throttling.
 */
export function throttleRelieves(kind: SloKind): boolean {
  return kind === 'latency' || kind === 'availability';
}

/** Windows an SLO may be measured over: the burn-rate thresholds scale with them (see burn-rate.ts). */
export const MIN_WINDOW_DAYS = 1;
export const MAX_WINDOW_DAYS = 31;

const objective = z.number().gt(0.5).lt(1);

const common = {
  id: z.string().min(1).max(100),
  tenantId: z.string().min(1).max(100),
  /** The route (or plain model) name a request names: `UsageEvent.route.name`. */
  route: z.string().min(1).max(256),
  /** Share of requests that must be good over the window, strictly between 0.5 and 1 (1 leaves no budget). */
  objective,
  windowDays: z.number().int().min(MIN_WINDOW_DAYS).max(MAX_WINDOW_DAYS),
};

export const sloDefinitionSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('latency'), thresholdMs: z.number().int().min(1).max(600_000) }),
  z.object({ ...common, kind: z.literal('availability') }),
  z.object({ ...common, kind: z.literal('quality'), maxRegret: z.number().min(0).max(1) }),
  z.object({ ...common, kind: z.literal('cost'), minSavingsPct: z.number().min(0).max(100) }),
]);

export type SloDefinition = z.infer<typeof sloDefinitionSchema>;

/** The percentile a latency SLO is stated with (`p95`), from its objective. */
export function latencyPercentile(slo: Pick<SloDefinition, 'objective'>): number {
  return Math.round(slo.objective * 10_000) / 100;
}

/** An SLO before it is stored (no id yet), per class. */
export type SloDraft = SloDefinition extends infer T ? (T extends SloDefinition ? Omit<T, 'id'> : never) : never;
