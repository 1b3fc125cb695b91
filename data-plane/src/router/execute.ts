import { context, type Span } from '@opentelemetry/api';
import type { Logger } from 'pino';
import { countPromptTokens, estimateCompletionTokens } from '../accounting/token-count';
import { UpstreamError, type ProviderAdapter } from '../adapters/adapter';
import type { CompletionEvent } from '../domain/completion-event';
import type { InferenceRequest } from '../domain/inference-request';
import type { LegOutcome, LegRecord } from '../domain/upstream-leg';
import type { UpstreamLocation } from '../domain/upstream-location';
import { endLegSpan, startLegSpan, type LegKind } from '../telemetry/leg-span';
import type { Metrics } from '../telemetry/metrics';
import { OverloadedError, type Release } from './adaptive-concurrency';
import type { Random } from './random';
import { retryDelayMs, type RetryBudget } from './retry';
import type { SpeculativeConfig } from './route';
import type { UpstreamHealthRegistry } from './upstream-health';
import type { UpstreamStats } from './upstream-stats';

/** One concrete place a request can go (a model at a provider), and how to call it. */
export interface Upstream extends UpstreamLocation {
  /** `provider/model`: the unit for breakers, concurrency limits and latency stats. */
  key: string;
  adapter: ProviderAdapter;
  pricePer1kMicros: number | undefined;
}

export interface ExecutionPlan {
  /** Best first; later entries are the fail-over order. */
  upstreams: readonly Upstream[];
  speculative: SpeculativeConfig | undefined;
  retries: { max: number; baseMs: number };
  firstTokenTimeoutMs: number | undefined;
  /** The route's name, for the legs' spans. */
  route?: string | undefined;
}

/** The upstream's breaker is open: it was not called. */
export class CircuitOpenError extends Error {
  constructor(readonly upstream: string) {
    super(`circuit open for ${upstream}`);
    this.name = 'CircuitOpenError';
  }
}

/** The leg that produced the first event: the caller streams the rest of it, then calls `finish`. */
export interface WinningLeg {
  upstream: Upstream;
  iterator: AsyncIterator<CompletionEvent>;
  first: IteratorResult<CompletionEvent>;
  /** Time from the start of this leg's successful attempt to its first event. */
  firstEventMs: number;
  attempts: number;
  /** The leg's `adapter_call` span (a no-op without a tracing SDK): the caller adds the tokens; `finish` ends it. */
  span: Span;
  /** Settles breaker, concurrency limit and latency stats for the winner, and ends its span. Idempotent. */
  finish(outcome: 'success' | 'failure' | 'cancelled'): void;
}

export interface Execution {
  winner: WinningLeg;
  /** Settles once every other leg was cancelled or failed: their records, for billing and logs. */
  others: Promise<LegRecord[]>;
}

export interface ExecutorDeps {
  health: UpstreamHealthRegistry;
  stats: UpstreamStats;
  retryBudget: RetryBudget;
  random: Random;
  clock: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  metrics: Pick<Metrics, 'retries' | 'shedRequests' | 'legs' | 'legTokens'>;
  logger: Logger;
  /** The calling tenant's own key for a provider (else the adapter uses the provider's configured key). */
  credentialFor?: (provider: string) => string | undefined;
}

/** All upstreams failed: carries every leg's record and the error that best explains the failure. */
export class ExecutionFailedError extends Error {
  constructor(
    readonly reason: unknown,
    readonly legs: LegRecord[],
  ) {
    super(reason instanceof Error ? reason.message : 'every upstream failed');
    this.name = 'ExecutionFailedError';
  }
}

class Cancelled extends Error {
  constructor() {
    super('leg cancelled');
    this.name = 'Cancelled';
  }
}

/**
 * An AbortController that also aborts (with the same reason) when `parent` does. Cheaper than
 * AbortSignal.any, which registers weak references and a finalizer per call: the parent is the
 * request's own signal and a request has a handful of legs, so the listener lives as long as it.
 */
function childController(parent: AbortSignal): AbortController {
  const child = new AbortController();
  if (parent.aborted) child.abort(parent.reason);
  else parent.addEventListener('abort', () => child.abort(parent.reason), { once: true });
  return child;
}

/** Rejects as soon as `signal` aborts, even if `promise` never settles. */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}

const describe = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/**
 * Runs the plan: fail over in order before the first event, retry an upstream that asked to back
 * off (Retry-After), and optionally race speculative legs (k in parallel, or a hedge after a
 * latency percentile). The first leg to produce an event wins; every other leg is aborted at
 * once. Errors after the first event belong to the caller (it has started answering).
 */
export function execute(deps: ExecutorDeps, plan: ExecutionPlan, request: InferenceRequest, signal: AbortSignal): Promise<Execution> {
  deps.retryBudget.deposit();
  const queue = [...plan.upstreams];
  const records: LegRecord[] = [];
  const legControllers = new Set<AbortController>();
  const pendingLegs = new Set<Promise<unknown>>();
  let winner: WinningLeg | undefined;
  let hedgeTimer: ReturnType<typeof setTimeout> | undefined;
  // The request's context now: a hedge timer or a fail-over starts its leg later, under the same parent.
  const parent = context.active();

  const others = async (): Promise<LegRecord[]> => {
    while (pendingLegs.size > 0) await Promise.allSettled([...pendingLegs]);
    return records;
  };

  // Several legs may run at once (k parallel, or a hedge beside the primary): each needs its own
  // signal so the winner can cancel the others. Fail-over legs run one after another.
  const raced = plan.speculative !== undefined;

  return new Promise<Execution>((resolve, reject) => {
    let running = 0;
    let lastError: unknown;

    let launched = 0;
    const launch = (kind?: LegKind): boolean => {
      const upstream = queue.shift();
      if (!upstream) return false;
      running += 1;
      const span = startLegSpan(parent, upstream, kind ?? (launched === 0 ? 'primary' : 'failover'), plan.route);
      launched += 1;
      // Without speculative legs only one leg runs at a time and nothing cancels it but the request:
      // the leg reuses the request's signal (no controller, no listener per leg on the hot path).
      const controller = raced ? childController(signal) : undefined;
      if (controller) legControllers.add(controller);
      const legSignal = controller?.signal ?? signal;
      const leg = runLeg(deps, plan, upstream, request, legSignal).then(
        (opened) => {
          running -= 1;
          if (controller) legControllers.delete(controller);
          if (winner) {
            // Produced its first event a moment after another leg won: cancel, bill what it made.
            opened.finish('cancelled');
            void opened.iterator.return?.().catch(() => undefined);
            controller?.abort(new Cancelled());
            const tokens = generatedBy(opened.first, request);
            recordLeg(opened.upstream, 'lost', opened.attempts, undefined, tokens);
            endLegSpan(span, { outcome: 'lost', attempts: opened.attempts, promptTokens: tokens.prompt, completionTokens: tokens.completion });
            return;
          }
          const won: WinningLeg = {
            ...opened,
            span,
            finish(outcome) {
              opened.finish(outcome);
              endLegSpan(span, { outcome: outcome === 'failure' ? 'failed' : 'won', attempts: opened.attempts, responseModel: opened.upstream.model });
            },
          };
          winner = won;
          clearTimeout(hedgeTimer);
          for (const other of legControllers) other.abort(new Cancelled());
          recordLeg(won.upstream, 'won', won.attempts);
          resolve({ winner: won, others: others() });
        },
        (failure: LegFailure) => {
          running -= 1;
          if (controller) legControllers.delete(controller);
          const lost = winner !== undefined || failure.error instanceof Cancelled;
          recordLeg(upstream, lost ? 'lost' : 'failed', failure.attempts, lost ? undefined : describe(failure.error));
          endLegSpan(span, { outcome: lost ? 'lost' : 'failed', attempts: failure.attempts, error: lost ? undefined : describe(failure.error) });
          if (winner || signal.aborted) {
            if (!winner && running === 0) reject(new ExecutionFailedError(signal.reason ?? failure.error, records));
            return;
          }
          lastError = moreTelling(lastError, failure.error);
          if (running === 0 && !launch()) {
            clearTimeout(hedgeTimer);
            reject(new ExecutionFailedError(lastError, records));
          }
        },
      );
      pendingLegs.add(leg);
      void leg.finally(() => pendingLegs.delete(leg));
      return true;
    };

    const speculative = plan.speculative;
    const initial = speculative?.mode === 'parallel' ? Math.min(speculative.k, queue.length) : 1;
    for (let i = 0; i < initial; i++) launch(i === 0 ? 'primary' : 'speculative');
    if (speculative?.mode === 'hedge' && queue.length > 0) {
      const primary = plan.upstreams[0]!;
      const observed = deps.stats.percentile(primary.key, speculative.afterPercentile);
      const delay = Math.max(speculative.minDelayMs, observed ?? speculative.minDelayMs);
      hedgeTimer = setTimeout(() => {
        if (!winner && !signal.aborted) launch('hedge');
      }, delay);
    }
  });

  function recordLeg(upstream: Upstream, outcome: LegOutcome, attempts: number, error?: string, tokens = { prompt: 0, completion: 0 }): void {
    records.push({ upstream: upstream.key, model: upstream.model, outcome, attempts, error, promptTokens: tokens.prompt, completionTokens: tokens.completion });
    deps.metrics.legs.inc({ upstream: upstream.key, outcome });
    if (tokens.completion > 0) deps.metrics.legTokens.inc({ upstream: upstream.key, outcome }, tokens.completion);
  }
}

/** Tokens a cancelled leg generated: only what it actually sent (its first event). */
function generatedBy(first: IteratorResult<CompletionEvent>, request: InferenceRequest): { prompt: number; completion: number } {
  if (first.done) return { prompt: 0, completion: 0 };
  const event = first.value;
  if (event.type === 'usage') return { prompt: event.promptTokens, completion: event.completionTokens };
  const completion = event.type === 'delta' ? estimateCompletionTokens(event.content) : 0;
  return { prompt: countPromptTokens(request), completion };
}

/** A real upstream failure explains more than "we did not call it" (breaker open, queue full). */
function moreTelling(previous: unknown, next: unknown): unknown {
  if (previous instanceof UpstreamError && !(next instanceof UpstreamError)) return previous;
  if (previous instanceof OverloadedError && next instanceof CircuitOpenError) return previous;
  return next;
}

interface LegFailure {
  error: unknown;
  attempts: number;
}

/** One upstream: attempts with retries. Resolves with the first event, rejects with a LegFailure. */
async function runLeg(
  deps: ExecutorDeps,
  plan: ExecutionPlan,
  upstream: Upstream,
  request: InferenceRequest,
  signal: AbortSignal,
): Promise<Omit<WinningLeg, 'span'>> {
  for (let retry = 0; ; retry++) {
    try {
      const opened = await openAttempt(deps, plan, upstream, request, signal);
      return { ...opened, attempts: retry + 1 };
    } catch (error) {
      const failure = { error: signal.aborted ? new Cancelled() : error, attempts: retry + 1 };
      if (signal.aborted) throw failure;
      // Only an upstream that said "later" (429/503) is retried in place; other failures fail over.
      if (!(error instanceof UpstreamError) || error.failure !== 'upstream_unavailable' || retry >= plan.retries.max) throw failure;
      const delay = retryDelayMs({ retry, baseMs: plan.retries.baseMs, maxDelayMs: MAX_RETRY_WAIT_MS, retryAfterSeconds: error.retryAfterSeconds, random: deps.random });
      if (delay === undefined || !deps.retryBudget.tryWithdraw()) throw failure;
      deps.metrics.retries.inc({ upstream: upstream.key });
      try {
        await deps.sleep(delay, signal);
      } catch {
        throw { error: new Cancelled(), attempts: retry + 1 } satisfies LegFailure;
      }
    }
  }
}

/** Longest Retry-After we wait out inside a request; longer waits go back to the client. */
export const MAX_RETRY_WAIT_MS = 5_000;

async function openAttempt(
  deps: ExecutorDeps,
  plan: ExecutionPlan,
  upstream: Upstream,
  request: InferenceRequest,
  legSignal: AbortSignal,
): Promise<Omit<WinningLeg, 'attempts' | 'span'>> {
  const health = deps.health.get(upstream.key);
  if (!health.breaker.tryAcquire(deps.clock())) {
    deps.metrics.shedRequests.inc({ upstream: upstream.key, reason: 'circuit_open' });
    throw new CircuitOpenError(upstream.key);
  }
  // Only the first-token timer aborts an attempt on its own; without it the attempt is the leg.
  const attempt = plan.firstTokenTimeoutMs === undefined ? undefined : childController(legSignal);
  const signal = attempt?.signal ?? legSignal;
  let release: Release;
  try {
    release = await health.gate.acquire(signal);
  } catch (error) {
    health.breaker.onCancel();
    if (error instanceof OverloadedError) deps.metrics.shedRequests.inc({ upstream: upstream.key, reason: 'overloaded' });
    throw error;
  }

  const startedAt = deps.clock();
  deps.stats.started(upstream.key);
  const timer =
    plan.firstTokenTimeoutMs === undefined
      ? undefined
      : setTimeout(
          () => attempt?.abort(new UpstreamError('upstream_timeout', `no first token from ${upstream.key} within ${plan.firstTokenTimeoutMs} ms`)),
          plan.firstTokenTimeoutMs,
        );
  let settled = false;
  const settle = (outcome: 'success' | 'failure' | 'cancelled' | 'overload', firstEventMs?: number): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    const now = deps.clock();
    deps.stats.finished(upstream.key, now, firstEventMs);
    if (outcome === 'success') health.breaker.onSuccess(now);
    else if (outcome === 'cancelled') health.breaker.onCancel();
    else health.breaker.onFailure(now);
    release(outcome === 'success' ? 'success' : outcome === 'overload' ? 'overload' : 'ignore');
  };

  try {
    // The client may have named a route: the upstream is asked for its own model.
    // A non-streaming answer that no other leg races and no first-token timer watches is only ever
    // read whole: the adapter may ask for it in one piece (no stream to parse).
    const whole = request.stream !== true && plan.speculative === undefined && plan.firstTokenTimeoutMs === undefined;
    const call = await unlessAborted(upstream.adapter.start({ ...request, model: upstream.model }, signal, { apiKey: deps.credentialFor?.(upstream.provider), whole }), signal);
    const iterator = call.events[Symbol.asyncIterator]();
    const first = await unlessAborted(iterator.next(), signal).catch((error: unknown) => {
      void iterator.return?.().catch(() => undefined);
      throw error;
    });
    clearTimeout(timer);
    // The upstream took the call: in slow start its gate may open further now (see adaptive-concurrency).
    release.accepted();
    const firstEventMs = deps.clock() - startedAt;
    return {
      upstream,
      iterator,
      first,
      firstEventMs,
      finish: (outcome) => settle(outcome, firstEventMs),
    };
  } catch (error) {
    const reason: unknown = signal.aborted ? signal.reason : error;
    if (legSignal.aborted) {
      settle('cancelled');
      throw error;
    }
    const overload = reason instanceof UpstreamError && (reason.failure === 'upstream_unavailable' || reason.failure === 'upstream_timeout');
    // A request the upstream refused (4xx) says nothing about its health: no verdict for the breaker.
    settle(reason instanceof UpstreamError && reason.refusedRequest ? 'cancelled' : overload ? 'overload' : 'failure');
    throw reason instanceof UpstreamError ? reason : new UpstreamError('upstream_error', describe(reason));
  }
}
