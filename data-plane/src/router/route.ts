import { z } from 'zod';

/**
 * A route: a name clients send as `model`, the candidate models behind it, how to pick among
 * them, and what to do when they fail. Validated once at start-up.
 */
const candidateSchema = z.object({
  model: z.string().min(1).max(256),
  /** Provider name; default: the first provider serving `model`. */
  provider: z.string().min(1).optional(),
  weight: z.number().positive().max(1_000_000).optional(),
  /** Lower goes first (priority strategy). */
  priority: z.number().int().min(0).max(1_000_000).optional(),
});

const rewardWeightsSchema = z
  .object({
    success: z.number().min(0).default(1),
    latency: z.number().min(0).default(0),
    cost: z.number().min(0).default(0),
    quality: z.number().min(0).default(0),
  })
  .refine((w) => w.success + w.latency + w.cost + w.quality > 0, 'at least one reward weight must be positive');

const strategySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('weighted') }),
  z.object({ kind: z.literal('priority') }),
  z.object({ kind: z.literal('least-latency') }),
  z.object({ kind: z.literal('cheapest') }),
  z.object({
    kind: z.literal('bandit'),
    reward: rewardWeightsSchema.default({ success: 1, latency: 0, cost: 0, quality: 0 }),
    /** Latency at or above which the latency reward is 0. */
    latencyTargetMs: z.number().int().positive().default(5_000),
    /** Blended price (input + output per 1k tokens) at or above which the cost reward is 0. */
    costTargetPer1kMicros: z.number().int().positive().default(20_000),
  }),
]);

const speculativeSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('parallel'), k: z.number().int().min(2).max(8) }),
  z.object({
    mode: z.literal('hedge'),
    /** Start the hedge when the primary's first token is later than this percentile of its history. */
    afterPercentile: z.number().min(50).max(99.9).default(95),
    /** Never hedge earlier than this (and this is the delay while there is no history). */
    minDelayMs: z.number().int().min(0).max(60_000).default(500),
  }),
]);

/**
 * A challenger under test on the route, written only by the experiments subgraph (a new route
 * version starts, promotes or stops it). `shadow`: the champion answers, the challenger gets a
 * copy off the client's path; `split`: `percent` % of units (sticky by a hash) go to the challenger.
 */
export const routeExperimentSchema = z.object({
  id: z.string().uuid(),
  challenger: z.object({ model: z.string().min(1).max(256), provider: z.string().min(1).optional() }),
  mode: z.enum(['shadow', 'split']),
  percent: z.number().min(0).max(100).default(10),
  /** What a sticky assignment hashes: the end user (`user` field, else the caller), the API key / caller, or the `x-switchyard-session` header. */
  unit: z.enum(['user', 'key', 'session']).default('key'),
  /** A shadow leg not finished by then is cancelled (and recorded as an error). */
  shadowTimeoutMs: z.number().int().positive().max(120_000).default(30_000),
  /**
   * An automatic judge: after an arm answered (both arms in shadow mode, the serving arm in a
   * split), this model scores the answer from 0 to 1 off the client's path; the score is the
   * arm's quality, as a client's `POST /v1/feedback` is. Its tokens are the tenant's shadow cost.
   */
  judge: z
    .object({
      model: z.string().min(1).max(256),
      provider: z.string().min(1).optional(),
      /** A judge not finished by then is cancelled: no score, its tokens still billed. */
      timeoutMs: z.number().int().positive().max(120_000).default(30_000),
    })
    .optional(),
});

export type RouteExperiment = z.infer<typeof routeExperimentSchema>;

export const routeMemorySchema = z.object({
  recentTurns: z.number().int().min(1).max(100).optional(),
  topMemories: z
    .object({
      k: z.number().int().min(1).max(20),
      collection: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a collection is 1-64 letters, digits, _ . or -'),
      embeddingModel: z.string().min(1).max(256),
      minScore: z.number().min(-1).max(1).optional(),
    })
    .optional(),
});

export const routeSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / - only'),
    candidates: z.array(candidateSchema).min(1).max(32),
    strategy: strategySchema,
    constraints: z
      .object({
        /** Drop candidates whose blended price (input + output per 1k tokens) is above this. Hard. */
        maxCostPer1kMicros: z.number().int().nonnegative().optional(),
        /** Drop candidates whose observed p99 time to first token is above this (soft: kept if all fail it). */
        maxP99Ms: z.number().int().positive().optional(),
      })
      .optional(),
    /** Other route or model names tried, in order, once every candidate has failed. */
    fallbacks: z.array(z.string().min(1).max(256)).max(8).optional(),
    speculative: speculativeSchema.optional(),
    retries: z
      .object({ max: z.number().int().min(0).max(5), baseMs: z.number().int().min(1).max(10_000).default(100) })
      .optional(),
    /** Give up on a candidate that has not produced its first event in this time and fail over. */
    firstTokenTimeoutMs: z.number().int().positive().max(600_000).optional(),
    experiment: routeExperimentSchema.optional(),
    /**
     * The memory fabric for this route: an object of optional fields, so each kind of memory adds
     * its own. `recentTurns`: the session's last N turns (`x-switchyard-session` for chat and
     * completions) go into the prompt, counted and billed as prompt tokens; the turns of each
     * answered request are remembered, redacted, in the session window. `topMemories`: the k
     * memories of `collection` most similar to the last user message (embedded with
     * `embeddingModel`; only those scoring at least `minScore`), as a system message.
     */
    memory: routeMemorySchema.optional(),
  })
  .refine((r) => new Set(r.candidates.map((c) => `${c.provider ?? ''}/${c.model}`)).size === r.candidates.length, {
    message: 'candidates must be distinct',
    path: ['candidates'],
  })
  .refine((r) => !r.fallbacks?.includes(r.name), { message: 'a route cannot fall back to itself', path: ['fallbacks'] })
  .refine((r) => !r.experiment || !r.candidates.some((c) => c.model === r.experiment!.challenger.model && (c.provider ?? '') === (r.experiment!.challenger.provider ?? '')), {
    message: 'the challenger must not already be a candidate',
    path: ['experiment', 'challenger'],
  });

export type RouteConfig = z.input<typeof routeSchema>;
export type Route = z.infer<typeof routeSchema>;
export type RouteCandidate = Route['candidates'][number];
export type StrategyConfig = Route['strategy'];
export type SpeculativeConfig = NonNullable<Route['speculative']>;
export type RewardWeights = Extract<StrategyConfig, { kind: 'bandit' }>['reward'];

export const routesSchema = z.array(routeSchema).max(1_000);

/** Parses route configuration; throws one error listing every problem. */
export function parseRoutes(input: unknown): Route[] {
  const parsed = routesSchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(`Invalid routes: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
