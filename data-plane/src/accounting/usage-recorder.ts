import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Bus } from '@switchyard/bus';
import type { Metrics } from '../telemetry/metrics';
import { costMicros, type PriceBook, type PriceBookSource } from './price-book';
import { USAGE_STREAM, type ExperimentArmRecord, type RouteDecisionRecord, type UsageEvent } from '@switchyard/events/usage';

/** What the request path knows when a request has finished. */
export interface CompletedRequest {
  /** The data plane's own id (generated per request): what consumers deduplicate on. */
  requestId: string;
  /** The client's x-request-id, for correlation only. */
  clientRequestId?: string;
  traceparent?: string;
  tenantId: string;
  apiKeyId: string | null;
  model: string;
  provider: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  status: 'ok' | 'error';
  completedAt: Date;
  /** Redactions by PII type in the prompt; omitted from the event when empty. */
  piiRedactions?: Readonly<Record<string, number>>;
  /** The routing decision (route, strategy, served candidate, legs); omitted when unknown. */
  route?: RouteDecisionRecord;
  /** The experiment arm the request served (a shadow request: the challenger's copy). */
  experiment?: ExperimentArmRecord;
}

export interface UsageRecorder {
  /** Fire and forget: queued, then priced and appended with the next flush (see createUsageRecorder); never throws, never blocks. */
  record(completed: CompletedRequest): void;
  /**
   * The same, flushed at the end of this turn instead of after the flush window, and settled once the bus
   * acknowledged this event (true) or it could not be recorded yet (false: retrying in memory, given
   * up, or unpriceable; logged and counted as with `record`). Never rejects. The chat path awaits it,
   * bounded, before a response's last byte, so an answer a client received is on the stream even if
   * the replica dies right after (chat-completions-handler.ts).
   */
  recordConfirmed(completed: CompletedRequest): Promise<boolean>;
  /** Resolves once every recorded event has been acknowledged by the bus (or given up on). */
  drain(): Promise<void>;
}

/**
 * How long an event is retried while the bus (Redis) is unreachable. The request was served, so
 * dropping its event would serve it for free: it is held in memory and appended when Redis comes
 * back; only past this window is it given up (metric + an error log carrying the whole event, so it
 * can be replayed). Appends are idempotent downstream (by the data plane's request id), so a retry that did land is harmless.
 */
const DEFAULT_RETRY_FOR_MS = 120_000;
const MAX_RETRY_DELAY_MS = 2_000;
/**
 * At most one flush per window while requests keep completing: those completed within it share one
 * price book read and one socket write of their XADDs. After a quiet window the next event is
 * flushed in the next turn (no timer, no extra wake-up for a lone request). The client's response
 * never waits for a flush; the window only delays when events reach Redis.
 */
const DEFAULT_FLUSH_WINDOW_MS = 5;
/** The route label when the recorder was given no way to label routes (tests, embedders). */
const UNLABELLED_ROUTE = '(route)';

/**
 * The event as it goes on the stream. Built from typed request-path values (not re-validated with
 * zod per request: the consumer validates what it reads); integers are rounded here because
 * latency is measured, and token counts are clamped to non-negative integers.
 */
export function usageEventOf(completed: CompletedRequest, book: PriceBook, cost: bigint): UsageEvent {
  const event: UsageEvent = {
    requestId: completed.requestId,
    tenantId: completed.tenantId,
    apiKeyId: completed.apiKeyId,
    model: completed.model,
    provider: completed.provider,
    promptTokens: Math.max(0, Math.round(completed.promptTokens)),
    completionTokens: Math.max(0, Math.round(completed.completionTokens)),
    priceBookVersion: book.version,
    costMicros: cost.toString(),
    latencyMs: Math.max(0, Math.round(completed.latencyMs)),
    status: completed.status,
    createdAt: completed.completedAt.toISOString(),
  };
  if (completed.clientRequestId !== undefined) event.clientRequestId = completed.clientRequestId;
  if (completed.traceparent !== undefined) event.traceparent = completed.traceparent;
  if (completed.piiRedactions && Object.keys(completed.piiRedactions).length > 0) event.piiRedactions = { ...completed.piiRedactions };
  if (completed.route) event.route = completed.route;
  if (completed.experiment) event.experiment = completed.experiment;
  return event;
}

/**
 * Batches per flush window: every request completed within `flushWindowMs` of the previous flush
 * (0: within one event-loop turn) is priced against one price book read and appended together (one
 * XADD per event, issued back to back so the auto-pipelining Redis client sends them in one write,
 * in completion order). The client's response never waits for the append; an event counts as
 * recorded only when the bus acknowledged it, and `drain()` flushes at once and waits for exactly
 * that. A crash loses what is queued or unacknowledged, as before batching, with a window longer
 * by at most `flushWindowMs` (or the retry window while Redis is down).
 */
export function createUsageRecorder(deps: {
  bus: Pick<Bus, 'append'>;
  priceBook: PriceBookSource;
  metrics: Metrics;
  /** The `model` label of a recorded model (the app maps what no configured provider serves, i.e. the client's own text, to one value). */
  modelLabel?: (model: string) => string;
  /** The `route` label of a request's route (platform routes and served models as they are, a tenant's own route per METRICS_TENANT_LABELS). */
  routeLabel?: (completed: CompletedRequest) => string;
  logger: Logger;
  retryForMs?: number;
  flushWindowMs?: number;
}): UsageRecorder {
  const retryForMs = deps.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const flushWindowMs = deps.flushWindowMs ?? DEFAULT_FLUSH_WINDOW_MS;
  /** Each queued request with who waits for its acknowledgement (recordConfirmed), if anyone. */
  let queued: Array<{ completed: CompletedRequest; confirm?: (acknowledged: boolean) => void }> = [];
  /** `thisTurn`: the flush runs at the end of the current turn (someone waits for an event in it). */
  let scheduled: { cancel(): void; thisTurn: boolean } | undefined;
  let lastFlushAt = -Infinity;
  const pending = new Set<Promise<void>>();

  function failed(error: unknown, requestId: string, usageEvent?: string): void {
    deps.metrics.usageEventFailures.inc();
    deps.logger.error({ err: error, requestId, usageEvent }, 'usage event could not be recorded');
  }

  async function append(requestId: string, payload: string, confirm?: (acknowledged: boolean) => void): Promise<void> {
    const giveUpAt = Date.now() + retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.bus.append(USAGE_STREAM, payload);
        confirm?.(true);
        return;
      } catch (error) {
        // Whoever waits learns at once that it is not acknowledged yet; the retries go on in memory.
        confirm?.(false);
        if (Date.now() >= giveUpAt) {
          failed(error, requestId, payload);
          return;
        }
        if (attempt === 1) deps.logger.warn({ err: error, requestId }, 'usage event append failed; retrying until the bus is back');
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** attempt));
      }
    }
  }

  async function write(batch: ReadonlyArray<{ completed: CompletedRequest; confirm?: (acknowledged: boolean) => void }>): Promise<void> {
    let book: PriceBook | null;
    try {
      book = await deps.priceBook.current();
    } catch (error) {
      for (const { completed, confirm } of batch) {
        failed(error, completed.requestId);
        confirm?.(false);
      }
      return;
    }
    if (!book) {
      for (const { completed, confirm } of batch) {
        deps.metrics.usageEventFailures.inc();
        deps.logger.error({ requestId: completed.requestId }, 'no price book published: usage event not recorded');
        confirm?.(false);
      }
      return;
    }
    const appends: Promise<void>[] = [];
    for (const { completed, confirm } of batch) {
      try {
        const cost = costMicros(book, completed.model, completed.promptTokens, completed.completionTokens);
        const event = usageEventOf(completed, book, cost);
        const model = deps.modelLabel ? deps.modelLabel(event.model) : event.model;
        deps.metrics.tokens.inc({ model, kind: 'prompt' }, event.promptTokens);
        deps.metrics.tokens.inc({ model, kind: 'completion' }, event.completionTokens);
        deps.metrics.costMicros.inc({ model }, Number(cost));
        // Issued synchronously one after another: same socket write, stream order = completion order.
        appends.push(append(completed.requestId, JSON.stringify(event), confirm));
      } catch (error) {
        failed(error, completed.requestId);
        confirm?.(false);
      }
    }
    await Promise.all(appends);
  }

  function flush(): void {
    scheduled = undefined;
    lastFlushAt = Date.now();
    const batch = queued;
    queued = [];
    const task = write(batch).finally(() => pending.delete(task));
    pending.add(task);
  }

  function flushInNextTurn(): void {
    const immediate = setImmediate(flush);
    scheduled = { cancel: () => clearImmediate(immediate), thisTurn: false };
  }

  /**
   * For an event someone waits on: flushed at the end of this turn (a microtask), not the next, so
   * its XADD joins the Redis auto-pipeline this turn already opened (the request's feedback entry,
   * other requests' limit scripts: one socket write and one read on the shared connection) instead
   * of a write of its own one turn later. What is queued before it still goes with it.
   */
  function flushThisTurn(): void {
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) flush();
    });
    scheduled = { cancel: () => (cancelled = true), thisTurn: true };
  }

  function enqueue(completed: CompletedRequest, confirm?: (acknowledged: boolean) => void): void {
    // The per-route SLI metrics count here, where every request that reached a provider ends, as the SLI consumer counts its usage event.
    const labels = { tenant: deps.metrics.tenantLabel(completed.tenantId), route: deps.routeLabel ? deps.routeLabel(completed) : UNLABELLED_ROUTE };
    deps.metrics.routeRequests.inc({ ...labels, status: completed.status });
    if (completed.status === 'ok') deps.metrics.routeDuration.observe(labels, completed.latencyMs / 1000);
    queued.push(confirm ? { completed, confirm } : { completed });
    // Someone waits for this one: no flush window, flushed with what is queued at the end of this turn.
    if (confirm && scheduled && !scheduled.thisTurn) {
      scheduled.cancel();
      flushThisTurn();
      return;
    }
    if (scheduled) return;
    if (confirm) {
      flushThisTurn();
      return;
    }
    const wait = lastFlushAt + flushWindowMs - Date.now();
    if (wait > 0) {
      const timer = setTimeout(flush, wait);
      scheduled = { cancel: () => clearTimeout(timer), thisTurn: false };
    } else flushInNextTurn();
  }

  return {
    record(completed) {
      enqueue(completed);
    },
    recordConfirmed(completed) {
      return new Promise<boolean>((resolve) => {
        let settled = false;
        enqueue(completed, (acknowledged) => {
          if (settled) return;
          settled = true;
          resolve(acknowledged);
        });
      });
    },
    async drain() {
      while (scheduled || pending.size > 0) {
        if (scheduled) {
          scheduled.cancel();
          flush();
        }
        await Promise.all([...pending]);
      }
    },
  };
}
