import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { PriceBook, PriceBookSource } from '../accounting/price-book';
import type { ProviderRegistry } from '../adapters/provider-registry';
import type { ProviderCredentialLookup } from '../adapters/tenant-credentials/credential-cache';
import type { InferenceRequest } from '../domain/inference-request';
import type { ToolCall } from '../domain/completion-event';
import type { LegRecord } from '../domain/upstream-leg';
import type { Metrics } from '../telemetry/metrics';
import { GEN_AI } from '@switchyard/tracing';
import type { AimdOptions } from './adaptive-concurrency';
import type { CircuitBreakerOptions } from './circuit-breaker';
import { applyConstraints } from './constraints';
import { execute, ExecutionFailedError, type Execution, type ExecutionPlan, type ExecutorDeps, type Upstream, type WinningLeg } from './execute';
import { createBanditPosteriors, type BanditPosteriors } from './bandit-posteriors';
import { pickPriors, type BanditPriorLookup, type PriorCohort } from './bandit-priors';
import type { BetaParameters, LatencyView } from './strategies/strategy';
import { armPriors, type FederatedPriorOptions } from './federated-prior';
import { withFederatedLatency } from './federated-latency';
import type { FederatedViewLookup } from './federated-view';
import { createInMemoryFeedbackLog, type FeedbackLog, type ServedRequest } from './feedback-log';
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
import { assignArm, unitValue, type Arm, type AssignmentUnits } from './experiment-assignment';
import { runShadow, type ShadowOutcome } from './shadow';

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
  /** What a split experiment may hash for its sticky assignment; absent: every request is the champion's. */
  units?: AssignmentUnits;
}

/** The experiment a request takes part in (the route runs one and its challenger is allowed for this tenant). */
export interface ExperimentDecision {
  id: string;
  /** The arm that serves the client: always the champion in shadow mode. */
  arm: Arm;
  /** Shadow mode: the challenger that gets a copy of the request after the champion answered. */
  shadow?: Upstream;
  shadowTimeoutMs: number;
  /** The experiment's automatic judge, when it has one the tenant's policy and regions allow (a forbidden judge is never called). */
  judge?: { upstream: Upstream; timeoutMs: number };
}

export interface RoutingDecision {
  target: ResolvedTarget;
  plan: ExecutionPlan;
  experiment?: ExperimentDecision;
  /** Set when the plan is empty because no provider on this data plane serves any model of the route or its fallbacks. */
  unserved?: true;
  /** Which cost-optimizer priors ranked the route's candidates (bandit routes with priors only), recorded with the usage. */
  priors?: PriorCohort;
}

export interface Router {
  /** `name` as `tenantId` sees it: its own route, a platform route, or a plain model. */
  resolve(name: string, tenantId: string): ResolvedTarget | undefined;
  /** Constraints, ranking, fallbacks: the ordered upstreams and how to run them. */
  /** `allowUpstream`: the tenant's egress and data-locality policies; a refused upstream is never in the plan (nor a fallback, hedge or speculative leg). */
  decide(target: ResolvedTarget, options?: DecideOptions): Promise<RoutingDecision>;
  /**
   * Serves a request on the decided plan: runs it (fail-over before the first event, retries,
   * speculative legs), hands the winning leg to `deliver`, and when the answer failed before
   * anything reached the client, fails over to the upstreams not tried yet. Learning strategies
   * see every round (`completed`). Resolves once the answer was delivered or nothing answered.
   */
  serve(decision: RoutingDecision, request: InferenceRequest, context: ServeContext, deliver: (winner: WinningLeg) => Promise<Delivery>): Promise<Served>;
  /** One round of `serve`: `tenantId` picks the tenant's own provider credentials (see RouterOptions.credentials). */
  execute(decision: RoutingDecision, request: InferenceRequest, signal: AbortSignal, tenantId?: string): Promise<Execution>;
  /**
   * The request ended (served or not): learning strategies see every leg that failed and the
   * winner's outcome; a served request becomes ratable through feedback.
   */
  completed(decision: RoutingDecision, ended: EndedRequest): void;
  /**
   * Shadow mode: runs the already-redacted request on the decision's shadow challenger, off the
   * client's path, to its end or its timeout. Never throws; an error or timeout is its outcome.
   */
  shadow(decision: RoutingDecision, request: InferenceRequest, tenantId: string): Promise<ShadowOutcome | undefined>;
  /**
   * Asks the decision's judge (`judgeRequest`, router/judge.ts), off the client's path, like a
   * shadow leg: never throws; undefined when the decision has no judge.
   */
  judge(decision: RoutingDecision, request: InferenceRequest, tenantId: string): Promise<ShadowOutcome | undefined>;
  /** A client's quality score for a request it made (served by any replica sharing the feedback log); false when unknown. */
  feedback(requestId: string, tenantId: string, score: number): Promise<boolean>;
  /** Another replica's bandit observation (from the routing.observed channel), applied to this replica's posteriors. */
  observe(observation: RoutingObservation): void;
  /** The routes `tenantId` may use, then plain models, for GET /v1/models. */
  listing(tenantId: string): { routes: readonly Route[]; models: readonly { id: string; ownedBy: string }[] };
}

export interface ServeContext {
  /** The data plane's own id of the request. */
  requestId: string;
  /** The client's x-request-id: the served request is also ratable by it (within the tenant). */
  clientRequestId?: string | undefined;
  /** Whose credentials and feedback log entry the request uses. */
  tenantId: string;
  /** When the request arrived (the router's clock): a served upstream's latency runs from here. */
  startedAt: number;
  /** Aborted when the client goes away: every leg is cancelled, and nothing is failed over. */
  signal: AbortSignal;
}

/** How handing one winning leg's answer to the client went, as the caller reports it. */
export interface Delivery {
  /** `ok`: the whole answer reached the client; `cancelled`: the client went away; `failed`: the provider failed mid-answer. */
  outcome: 'ok' | 'cancelled' | 'failed';
  /** `failed`: the provider's error. */
  error?: unknown;
  /** `failed` before anything reached the client: another upstream may still answer in its place. */
  retryable?: boolean;
  /** Tokens this leg generated, as the provider reported them or estimated. */
  promptTokens: number;
  completionTokens: number;
  /** The answer's text as it reached the client (what the memory fabric stores, and what an experiment's judge reads, cut to MAX_KEPT_CHARS there); absent when the wire format did not keep it. */
  text?: string;
  /** The tool calls the model made, when the wire format kept them. */
  toolCalls?: readonly ToolCall[];
}

/**
 * The end of `serve`. `legs`: every leg of every round, for billing and logs: lost races and
 * failures with what they generated, and the last winner as `won` without tokens (its answer's
 * tokens are the delivery's).
 */
export type Served =
  | { answered: false; error: unknown; legs: readonly LegRecord[] }
  | { answered: true; upstream: Upstream; delivery: Delivery; legs: readonly LegRecord[] };

export interface EndedRequest {
  requestId: string;
  clientRequestId?: string | undefined;
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
  /** Feedback on a request that took part in an experiment (its arm's quality); absent: experiments see no feedback. */
  onExperimentFeedback?: (feedback: { requestId: string; tenantId: string; experimentId: string; arm: 'champion' | 'challenger'; score: number }) => void;
  /** Where this replica's bandit observations go for the other replicas; absent: each replica learns alone. */
  observations?: Pick<RoutingObservationExchange, 'publish'>;
  /** The cost optimizer's bandit priors (and canary); absent: every arm starts at Beta(1, 1). */
  priors?: BanditPriorLookup;
  /**
   * Other regions' evidence from the region's federation coordinator (federated-view.ts): on a
   * platform route (not a tenant's own), a bounded prior for bandit arms and the latency of
   * upstreams this replica has not measured. Absent: this region's evidence only.
   */
  federation?: FederatedViewLookup;
  federatedPrior?: FederatedPriorOptions;
}

/** Routes without a retry setting retry once; plain models do not (the client's SDK retries). */
const DEFAULT_ROUTE_RETRIES = { max: 1, baseMs: 100 };
/** The adapter_call step's label, built once (the round is timed by hand, not with prom-client's startTimer). */
const ADAPTER_CALL_STEP = { step: 'adapter_call' } as const;
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
    // Marked when the route is the platform's own: only those observations may leave the region (federation).
    if (target.configured && target.strategy.observe) options.observations?.publish(platformRoutes.has(target.route) ? { ...observation, platform: true } : observation);
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

  // Label values are operator-chosen only: platform route names and configured models as they are,
  // a tenant's own route as one bounded value (its name only with METRICS_TENANT_LABELS=on).
  const platformRouteNames = new Set(defaults.map((route) => route.name));
  // The platform's route objects themselves: a tenant's own route of the same name is not one of them.
  const platformRoutes = new Set<Route>(defaults);
  const routeLabel = (target: ResolvedTarget): string =>
    !target.configured || platformRouteNames.has(target.route.name) ? target.route.name : metrics.tenantRouteLabel(target.route.name);

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

  const upstreamOf = (candidate: { model: string; provider?: string | undefined }, book: PriceBook | null): Upstream | undefined => {
    const served = providers.serve(candidate.model, candidate.provider);
    if (!served) return undefined;
    const price = book?.prices.find((p) => p.model === candidate.model);
    return {
      key: `${served.adapter.name}/${candidate.model}`,
      model: candidate.model,
      provider: served.adapter.name,
      host: served.host,
      region: served.region,
      adapter: served.adapter,
      pricePer1kMicros: price ? Number(price.inputPer1kMicros + price.outputPer1kMicros) : undefined,
    };
  };

  /**
   * The route's experiment for this request: none when the route runs none, when no provider here
   * serves the challenger, or when the tenant's policy or regions refuse it (a forbidden challenger
   * never receives traffic, not even a shadow copy).
   */
  const experimentOf = (target: ResolvedTarget, book: PriceBook | null, options: DecideOptions | undefined): { decision: ExperimentDecision; challenger: Upstream } | undefined => {
    const experiment = target.route.experiment;
    if (!experiment || !target.configured) return undefined;
    const challenger = upstreamOf(experiment.challenger, book);
    if (!challenger || (options?.allowUpstream && !options.allowUpstream(challenger))) return undefined;
    const { id, shadowTimeoutMs } = experiment;
    // The judge reads the tenant's (redacted) request and answers: the same egress and locality rules as any upstream.
    const judgeUpstream = experiment.judge && upstreamOf(experiment.judge, book);
    const judge = judgeUpstream && (!options?.allowUpstream || options.allowUpstream(judgeUpstream)) ? { judge: { upstream: judgeUpstream, timeoutMs: experiment.judge!.timeoutMs } } : {};
    if (experiment.mode === 'shadow') return { decision: { id, arm: 'champion', shadow: challenger, shadowTimeoutMs, ...judge }, challenger };
    const arm = options?.units ? assignArm(id, experiment.percent, unitValue(experiment.unit, options.units)) : 'champion';
    return { decision: { id, arm, shadowTimeoutMs, ...judge }, challenger };
  };

  const upstreamsOf = (
    target: ResolvedTarget,
    book: PriceBook | null,
    allowUpstream?: (upstream: Upstream) => boolean,
    optimizerPriors?: ReadonlyMap<string, BetaParameters>,
  ): Upstream[] => {
    const candidates = target.route.candidates.flatMap((candidate) => {
      const upstream = upstreamOf(candidate, book);
      if (!upstream) return [];
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
    // Other regions' evidence counts on the platform's routes only: a tenant's own route (even one
    // named like a platform route) is its data, and the federation never carries it.
    const federation = options.federation;
    const evidenceOf = federation && target.configured && platformRoutes.has(target.route) ? (upstream: string) => federation.evidence(target.route.name, upstream) : undefined;
    const strategy = target.route.strategy;
    const priors = evidenceOf && strategy.kind === 'bandit' ? armPriors(allowed, strategy, optimizerPriors, evidenceOf, options.federatedPrior) : optimizerPriors;
    const latency: LatencyView = evidenceOf ? withFederatedLatency(stats, evidenceOf) : stats;
    const ranked = target.strategy.rank(allowed, { random, now: clock(), latency, priors });
    return ranked.map((r) => candidates.find((c) => c.rankable === r)!.upstream);
  };

  // The executor's dependencies, built once; only a tenant's own provider keys make a per-call copy.
  const executorDeps: ExecutorDeps = { health, stats, retryBudget, random, clock, sleep: (ms, signal) => sleep(ms, undefined, { signal }), metrics, logger: options.logger };
  const executeRound: Router['execute'] = (decision, request, signal, tenantId) => {
    const { credentials } = options;
    return execute(
      credentials && tenantId !== undefined ? { ...executorDeps, credentialFor: (provider: string) => credentials.lookup(tenantId, provider) } : executorDeps,
      { ...decision.plan, route: decision.target.route.name },
      request,
      signal,
    );
  };

  const completed: Router['completed'] = (decision, ended) => {
    const { target, plan } = decision;
    const identity = { tenantId: target.tenantId, route: target.route.name };
    // A challenger is not one of the strategy's arms: its outcomes go to the experiment, not the bandit.
    const challengerKey = decision.experiment?.arm === 'challenger' ? plan.upstreams[0]?.key : undefined;
    for (const leg of ended.legs) {
      if (leg.outcome !== 'failed' || leg.upstream === challengerKey) continue;
      const upstream = plan.upstreams.find((u) => u.key === leg.upstream);
      learn(target, { kind: 'outcome', ...identity, upstream: leg.upstream, success: false, latencyMs: 0, ...priceOf(upstream) });
    }
    const winner = ended.winner;
    if (!winner) return;
    if (winner.upstream.key !== challengerKey) {
      learn(target, { kind: 'outcome', ...identity, upstream: winner.upstream.key, success: winner.success, latencyMs: winner.latencyMs, ...priceOf(winner.upstream) });
    }
    metrics.routeDecisions.inc({ route: routeLabel(target), model: winner.upstream.model });
    // Off the response path: a lost entry only makes this request's feedback answer 404.
    // Ratable by the data plane's id and by the client's x-request-id (the feedback log is per tenant,
    // so another tenant reusing the id neither overwrites nor reads this entry).
    const experiment = decision.experiment ? { experimentId: decision.experiment.id, arm: decision.experiment.arm } : undefined;
    const served = { tenantId: ended.tenantId, route: target.route.name, upstream: winner.upstream.key, ...(experiment ? { experiment } : {}) };
    const { requestId, clientRequestId } = ended;
    const entries: [string, ServedRequest][] =
      clientRequestId === undefined || clientRequestId === requestId
        ? [[requestId, served]]
        : [
            [requestId, { ...served, alias: clientRequestId }],
            [clientRequestId, { ...served, alias: requestId }],
          ];
    for (const [id, entry] of entries) {
      feedbackLog.remember(id, entry).catch((error: unknown) => {
        metrics.routingStateFailures.inc({ kind: 'feedback_log' });
        options.logger.warn({ err: error, requestId: ended.requestId }, 'served request not written to the feedback log; its feedback will be refused');
      });
    }
  };

  return {
    resolve,
    async decide(target, decideOptions) {
      const book = await options.priceBook.current();
      const allowUpstream = decideOptions?.allowUpstream;
      // Only a learning route of the tenant's view has priors; fallbacks rank without them.
      const picked = target.configured && target.strategy.kind === 'bandit' ? pickPriors(options.priors?.forRoute(target.tenantId, target.route.name), random) : undefined;
      const upstreams = upstreamsOf(target, book, allowUpstream, picked?.arms);
      // Fallback routes come after every candidate, ranked by their own strategies (one level deep: no cycles).
      for (const name of target.route.fallbacks ?? []) {
        const fallback = resolve(name, target.tenantId);
        if (!fallback) continue;
        for (const upstream of upstreamsOf({ ...fallback, route: { ...fallback.route, fallbacks: [] } }, book, allowUpstream)) {
          if (!upstreams.some((u) => u.key === upstream.key)) upstreams.push(upstream);
        }
      }
      const route = target.route;
      const experiment = experimentOf(target, book, decideOptions);
      // Split, challenger arm: the challenger answers alone (no speculative race against the
      // champion, which would blur the arms); the champion's upstreams stay behind it as fail-over.
      const challengerLeads = experiment?.decision.arm === 'challenger';
      if (challengerLeads) upstreams.unshift(experiment.challenger);
      return {
        target,
        ...(experiment ? { experiment: experiment.decision } : {}),
        plan: {
          upstreams,
          speculative: challengerLeads ? undefined : route.speculative,
          retries: route.retries ?? (target.configured ? DEFAULT_ROUTE_RETRIES : PLAIN_MODEL_RETRIES),
          firstTokenTimeoutMs: route.firstTokenTimeoutMs,
        },
        ...(upstreams.length === 0 && !servesAny(target) ? { unserved: true as const } : {}),
        ...(picked ? { priors: picked.cohort } : {}),
      };
    },
    async serve(decision, request, context, deliver) {
      const { requestId, clientRequestId, tenantId, signal } = context;
      const routeName = decision.target.route.name;
      // Legs of earlier rounds that failed mid-answer: billed for what they generated.
      const spent: LegRecord[] = [];
      let plan = decision.plan;
      for (;;) {
        // The round's latency (every leg up to the first event); each leg is its own adapter_call span (execute.ts).
        const roundStartedAt = performance.now();
        const stopRoundTimer = (): void => metrics.stepLatency.observe(ADAPTER_CALL_STEP, (performance.now() - roundStartedAt) / 1000);
        let execution: Execution;
        try {
          // Waits for the first event: an upstream that fails this early is failed over by execute.
          execution = await executeRound(plan === decision.plan ? decision : { ...decision, plan }, request, signal, tenantId);
        } catch (error) {
          stopRoundTimer();
          const legs = error instanceof ExecutionFailedError ? error.legs : [];
          completed(decision, { requestId, clientRequestId, tenantId, legs });
          options.logger.warn({ err: error, requestId, route: routeName, legs }, 'no upstream answered before the first byte');
          return { answered: false, error, legs: spent.length > 0 ? [...spent, ...legs] : legs };
        }
        const { winner } = execution;
        stopRoundTimer();

        const delivery = await deliver(winner);
        if (winner.span.isRecording()) {
          winner.span.setAttribute(GEN_AI.inputTokens, delivery.promptTokens);
          winner.span.setAttribute(GEN_AI.outputTokens, delivery.completionTokens);
        }
        winner.finish(delivery.outcome === 'ok' ? 'success' : delivery.outcome === 'failed' ? 'failure' : 'cancelled');
        const others = await execution.others;
        completed(decision, {
          requestId,
          clientRequestId,
          tenantId,
          legs: others,
          winner: delivery.outcome === 'cancelled' ? undefined : { upstream: winner.upstream, success: delivery.outcome === 'ok', latencyMs: clock() - context.startedAt },
        });

        if (delivery.outcome === 'failed' && delivery.retryable) {
          const tried = new Set([winner.upstream.key, ...others.map((leg) => leg.upstream)]);
          const remaining = plan.upstreams.filter((u) => !tried.has(u.key));
          options.logger.warn({ err: delivery.error, requestId, upstream: winner.upstream.key, remaining: remaining.length }, 'provider failed mid-answer');
          if (remaining.length > 0 && !signal.aborted) {
            spent.push(...others.filter((leg) => leg.outcome !== 'won'), {
              upstream: winner.upstream.key,
              model: winner.upstream.model,
              outcome: 'failed',
              attempts: winner.attempts,
              error: delivery.error instanceof Error ? delivery.error.message : 'failed mid-answer',
              promptTokens: delivery.promptTokens,
              completionTokens: delivery.completionTokens,
            });
            // Speculation was spent on the first round; the rest is a plain fail-over in order.
            plan = { ...plan, upstreams: remaining, speculative: undefined };
            continue;
          }
        }
        return { answered: true, upstream: winner.upstream, delivery, legs: spent.length > 0 ? [...spent, ...others] : others };
      }
    },
    execute: executeRound,
    completed,
    async shadow(decision, request, tenantId) {
      const challenger = decision.experiment?.shadow;
      if (!challenger) return undefined;
      const plan: ExecutionPlan = { upstreams: [challenger], speculative: undefined, retries: { max: 0, baseMs: 100 }, firstTokenTimeoutMs: decision.experiment?.shadowTimeoutMs };
      return runShadow({ clock, logger: options.logger, execute: (signal) => executeRound({ ...decision, plan }, request, signal, tenantId) }, challenger, decision.experiment!.shadowTimeoutMs);
    },
    async judge(decision, request, tenantId) {
      const judge = decision.experiment?.judge;
      if (!judge) return undefined;
      const plan: ExecutionPlan = { upstreams: [judge.upstream], speculative: undefined, retries: { max: 0, baseMs: 100 }, firstTokenTimeoutMs: judge.timeoutMs };
      return runShadow({ clock, logger: options.logger, execute: (signal) => executeRound({ ...decision, plan }, request, signal, tenantId) }, judge.upstream, judge.timeoutMs);
    },
    async feedback(requestId, tenantId, score) {
      const served = await feedbackLog.take(requestId, tenantId);
      if (!served) return false;
      // The same request under its other id: taken too, so rating it by both ids counts once.
      if (served.alias !== undefined) await feedbackLog.take(served.alias, tenantId);
      // Taken once above (under either id), so the arm gets this score once.
      if (served.experiment) options.onExperimentFeedback?.({ requestId, tenantId, ...served.experiment, score });
      const route = options.routes.get(tenantId, served.route);
      // A challenger's score is the experiment's, not an arm of the champion's bandit.
      if (route && served.experiment?.arm !== 'challenger') {
        learn({ route, tenantId, configured: true, strategy: strategyOf(route, tenantId) }, { kind: 'feedback', tenantId, route: served.route, upstream: served.upstream, score });
      }
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
