import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PriceBook, PriceBookSource } from '../accounting/price-book';
import type { ChatCompletionRequest } from '../api/chat-completion-request';
import type { ProviderRegistry } from '../adapters/provider-registry';
import type { ProviderCredentialLookup } from '../adapters/tenant-credentials/credential-cache';
import type { Metrics } from '../telemetry/metrics';
import type { AimdOptions } from './adaptive-concurrency';
import type { CircuitBreakerOptions } from './circuit-breaker';
import { applyConstraints } from './constraints';
import { execute, type Execution, type ExecutionPlan, type LegRecord, type Upstream } from './execute';
import { createBanditPosteriors, type BanditPosteriors } from './bandit-posteriors';
import { createInMemoryFeedbackLog, type FeedbackLog } from './feedback-log';
import type { Random } from './random';
import { createRetryBudget } from './retry';
import type { Route } from './route';
import type { RouteTable } from './route-table';
import type { RoutingObservation } from '@switchyard/events/routing';
import type { RoutingObservationExchange } from './routing-observations';
import { createStrategy } from './strategies/create-strategy';
import type { RankableCandidate, Strategy } from './strategies/strategy';
import { createUpstreamHealthRegistry } from './upstream-health';
import { createUpstreamStats, type UpstreamStats } from './upstream-stats';

/** What a client's `model` names: a configured route, or a plain model as a one-candidate route. */
export interface ResolvedTarget {
  route: Route;
  /** Whose view of the route table resolved it (fallbacks resolve in the same view). */
  tenantId: string;
  /** False for a plain model. */
  configured: boolean;
  strategy: Strategy;
}

export interface DecideOptions {
  allowUpstream?: (upstream: Upstream) => boolean;
}

export interface RoutingDecision {
  target: ResolvedTarget;
  plan: ExecutionPlan;
  /** Set when the plan is empty because no provider on this data plane serves any model of the route or its fallbacks. */
  unserved?: true;
}

export interface Router {
  /** `name` as `tenantId` sees it: its own route, a platform route, or a plain model. */
  resolve(name: string, tenantId: string): ResolvedTarget | undefined;
  /** Constraints, ranking, fallbacks: the ordered upstreams and how to run them. */
  /** `allowUpstream`: the tenant's egress and data-locality policies; a refused upstream is never in the plan (nor a fallback, hedge or speculative leg). */
  decide(target: ResolvedTarget, options?: DecideOptions): Promise<RoutingDecision>;
  /** `tenantId` picks the tenant's own provider credentials (see RouterOptions.credentials). */
  execute(decision: RoutingDecision, request: ChatCompletionRequest, signal: AbortSignal, tenantId?: string): Promise<Execution>;
  /**
   * The request ended (served or not): learning strategies see every leg that failed and the
   * winner's outcome; a served request becomes ratable through feedback.
   */
  completed(decision: RoutingDecision, ended: EndedRequest): void;
  /** A client's quality score for a request it made (served by any replica sharing the feedback log); false when unknown. */
  feedback(requestId: string, tenantId: string, score: number): Promise<boolean>;
  /** Another replica's bandit observation (from the routing.observed channel), applied to this replica's posteriors. */
  observe(observation: RoutingObservation): void;
  /** The routes `tenantId` may use, then plain models, for GET /v1/models. */
  listing(tenantId: string): { routes: readonly Route[]; models: readonly { id: string; ownedBy: string }[] };
}

export interface EndedRequest {
  requestId: string;
  tenantId: string;
  legs: readonly LegRecord[];
  winner?: { upstream: Upstream; success: boolean; latencyMs: number };
}

export interface RouterOptions {
  routes: RouteTable;
  providers: ProviderRegistry;
  priceBook: PriceBookSource;
  metrics: Metrics;
  logger: Logger;
  random?: Random;
  clock?: () => number;
  breaker?: CircuitBreakerOptions;
  concurrency?: AimdOptions;
  stats?: UpstreamStats;
  /** Tenants' own provider keys (per-replica cache); absent: every call uses the provider's configured key. */
  credentials?: ProviderCredentialLookup;
  /** Which replica served which request, for feedback; default in-memory (feedback must reach the serving replica). */
  feedbackLog?: FeedbackLog;
  /** Bandit posteriors by (tenant, route name, upstream); injectable so tests can read them. */
  posteriors?: BanditPosteriors;
  /** Where this replica's bandit observations go for the other replicas; absent: each replica learns alone. */
  observations?: Pick<RoutingObservationExchange, 'publish'>;
}

/** Routes without a retry setting retry once; plain models do not (the client's SDK retries). */
const DEFAULT_ROUTE_RETRIES = { max: 1, baseMs: 100 };
const PLAIN_MODEL_RETRIES = { max: 0, baseMs: 100 };

export function createRouter(options: RouterOptions): Router {
  const random = options.random ?? Math.random;
  const clock = options.clock ?? Date.now;
  const { metrics, providers } = options;
  const stats = options.stats ?? createUpstreamStats();
  const health = createUpstreamHealthRegistry({
    breaker: options.breaker,
    concurrency: options.concurrency,
    onBreakerTransition: (upstream, state) => {
      metrics.breakerTransitions.inc({ upstream, state });
      options.logger.warn({ upstream, state }, 'circuit breaker changed state');
    },
  });
  metrics.observeUpstreams(() => health.snapshot(clock()));
  const retryBudget = createRetryBudget();
  const feedbackLog: FeedbackLog = options.feedbackLog ?? createInMemoryFeedbackLog();
  const posteriors = options.posteriors ?? createBanditPosteriors();
  // One strategy per (tenant, route name), rebuilt when the route's definition changes; the
  // learned posteriors live apart (by tenant, route name, upstream) and survive the rebuild.
  const strategies = new Map<string, { route: Route; strategy: Strategy }>();
  const strategyOf = (route: Route, tenantId: string): Strategy => {
    const key = `${tenantId}\u0000${route.name}`;
    const cached = strategies.get(key);
    if (cached?.route === route) return cached.strategy;
    const strategy = createStrategy(route.strategy, posteriors.arms(tenantId, route.name));
    strategies.set(key, { route, strategy });
    return strategy;
  };
  /** This replica's observation: applied at once, then shared (batched, never awaited) when the route learns. */
  const learn = (target: ResolvedTarget, observation: RoutingObservation): void => {
    applyObservation(target.strategy, observation);
    if (target.configured && target.strategy.observe) options.observations?.publish(observation);
  };
  const plainStrategy = createStrategy({ kind: 'priority' });

  // Configured routes are checked at start-up; tenant routes are checked by the experiments
  // subgraph when written, and a candidate no provider serves is skipped at request time.
  const defaults = options.routes.defaults();
  for (const route of defaults) {
    for (const candidate of route.candidates) {
      if (!providers.serve(candidate.model, candidate.provider)) {
        throw new Error(`route ${route.name}: no provider ${candidate.provider ?? ''} serves model ${candidate.model}`);
      }
    }
    for (const fallback of route.fallbacks ?? []) {
      if (!defaults.some((r) => r.name === fallback) && !providers.route(fallback)) throw new Error(`route ${route.name}: unknown fallback ${fallback}`);
    }
  }

  const resolve = (name: string, tenantId: string): ResolvedTarget | undefined => {
    const route = options.routes.get(tenantId, name);
    if (route) return { route, tenantId, configured: true, strategy: strategyOf(route, tenantId) };
    if (!providers.route(name)) return undefined;
    return {
      route: { name, candidates: [{ model: name }], strategy: { kind: 'priority' }, retries: PLAIN_MODEL_RETRIES },
      tenantId,
      configured: false,
      strategy: plainStrategy,
    };
  };

  /** Whether any provider here serves a model of the route or of its fallbacks (tells "unserved" from "all excluded"). */
  const servesAny = (target: ResolvedTarget): boolean =>
    [target.route, ...(target.route.fallbacks ?? []).flatMap((name) => resolve(name, target.tenantId)?.route ?? [])].some((route) =>
      route.candidates.some((candidate) => providers.serve(candidate.model, candidate.provider) !== undefined),
    );

  const upstreamsOf = (target: ResolvedTarget, book: PriceBook | null, allowUpstream?: (upstream: Upstream) => boolean): Upstream[] => {
    const candidates = target.route.candidates.flatMap((candidate) => {
      const served = providers.serve(candidate.model, candidate.provider);
      if (!served) return [];
      const price = book?.prices.find((p) => p.model === candidate.model);
      const upstream: Upstream = {
        key: `${served.adapter.name}/${candidate.model}`,
        model: candidate.model,
        provider: served.adapter.name,
        host: served.host,
        region: served.region,
        adapter: served.adapter,
        pricePer1kMicros: price ? Number(price.inputPer1kMicros + price.outputPer1kMicros) : undefined,
      };
      if (allowUpstream && !allowUpstream(upstream)) return [];
      const rankable: RankableCandidate = {
        key: upstream.key,
        model: candidate.model,
        weight: candidate.weight ?? 1,
        priority: candidate.priority ?? 0,
        pricePer1kMicros: upstream.pricePer1kMicros,
      };
      return [{ upstream, rankable }];
    });
    const allowed = applyConstraints(
      candidates.map((c) => c.rankable),
      target.route.constraints,
      (key) => stats.percentile(key, 99),
    );
    const ranked = target.strategy.rank(allowed, { random, now: clock(), latency: stats });
    return ranked.map((r) => candidates.find((c) => c.rankable === r)!.upstream);
  };

  return {
    resolve,
    async decide(target, decideOptions) {
      const book = await options.priceBook.current();
      const allowUpstream = decideOptions?.allowUpstream;
      const upstreams = upstreamsOf(target, book, allowUpstream);
      // Fallback routes come after every candidate, ranked by their own strategies (one level deep: no cycles).
      for (const name of target.route.fallbacks ?? []) {
        const fallback = resolve(name, target.tenantId);
        if (!fallback) continue;
        for (const upstream of upstreamsOf({ ...fallback, route: { ...fallback.route, fallbacks: [] } }, book, allowUpstream)) {
          if (!upstreams.some((u) => u.key === upstream.key)) upstreams.push(upstream);
        }
      }
      const route = target.route;
      return {
        target,
        plan: {
          upstreams,
          speculative: route.speculative,
          retries: route.retries ?? (target.configured ? DEFAULT_ROUTE_RETRIES : PLAIN_MODEL_RETRIES),
          firstTokenTimeoutMs: route.firstTokenTimeoutMs,
        },
        ...(upstreams.length === 0 && !servesAny(target) ? { unserved: true as const } : {}),
      };
    },
    execute(decision, request, signal, tenantId) {
      const { credentials } = options;
      return execute(
        {
          health,
          stats,
          retryBudget,
          random,
          clock,
          sleep: (ms, signal) => sleep(ms, undefined, { signal }),
          metrics,
          logger: options.logger,
          ...(credentials && tenantId !== undefined ? { credentialFor: (provider: string) => credentials.lookup(tenantId, provider) } : {}),
        },
        decision.plan,
        request,
        signal,
      );
    },
    completed(decision, ended) {
      const { target, plan } = decision;
      const identity = { tenantId: target.tenantId, route: target.route.name };
      for (const leg of ended.legs) {
        if (leg.outcome !== 'failed') continue;
        const upstream = plan.upstreams.find((u) => u.key === leg.upstream);
        learn(target, { kind: 'outcome', ...identity, upstream: leg.upstream, success: false, latencyMs: 0, ...priceOf(upstream) });
      }
      const winner = ended.winner;
      if (!winner) return;
      learn(target, { kind: 'outcome', ...identity, upstream: winner.upstream.key, success: winner.success, latencyMs: winner.latencyMs, ...priceOf(winner.upstream) });
      metrics.routeDecisions.inc({ route: target.route.name, model: winner.upstream.model });
      // Off the response path: a lost entry only makes this request's feedback answer 404.
      feedbackLog.remember(ended.requestId, { tenantId: ended.tenantId, route: target.route.name, upstream: winner.upstream.key }).catch((error: unknown) => {
        metrics.routingStateFailures.inc({ kind: 'feedback_log' });
        options.logger.warn({ err: error, requestId: ended.requestId }, 'served request not written to the feedback log; its feedback will be refused');
      });
    },
    async feedback(requestId, tenantId, score) {
      const served = await feedbackLog.take(requestId, tenantId);
      if (!served) return false;
      const route = options.routes.get(tenantId, served.route);
      if (route) learn({ route, tenantId, configured: true, strategy: strategyOf(route, tenantId) }, { kind: 'feedback', tenantId, route: served.route, upstream: served.upstream, score });
      return true;
    },
    observe(observation) {
      // The route as this replica knows it; one it does not know (yet) has nothing to learn.
      const route = options.routes.get(observation.tenantId, observation.route);
      if (route) applyObservation(strategyOf(route, observation.tenantId), observation);
    },
    listing: (tenantId) => ({ routes: options.routes.list(tenantId), models: providers.models() }),
  };
}

function applyObservation(strategy: Strategy, observation: RoutingObservation): void {
  if (observation.kind === 'feedback') strategy.feedback?.(observation.upstream, observation.score);
  else strategy.observe?.({ key: observation.upstream, success: observation.success, latencyMs: observation.latencyMs, pricePer1kMicros: observation.pricePer1kMicros });
}

function priceOf(upstream: Upstream | undefined): { pricePer1kMicros?: number } {
  return upstream?.pricePer1kMicros === undefined ? {} : { pricePer1kMicros: upstream.pricePer1kMicros };
}
