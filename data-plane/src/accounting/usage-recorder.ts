import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Bus } from '../bus/bus';
import type { Metrics } from '../telemetry/metrics';
import { costMicros, type PriceBookSource } from './price-book';
import { USAGE_STREAM, usageEventSchema, type RouteDecisionRecord, type UsageEvent } from './usage-event';

/** What the request path knows when a request has finished. */
export interface CompletedRequest {
  requestId: string;
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
}

export interface UsageRecorder {
  /** Fire and forget: prices and appends after the current tick; never throws, never blocks. */
  record(completed: CompletedRequest): void;
  /** Resolves once every recorded event has been appended (or given up on). */
  drain(): Promise<void>;
}

/**
 * How long an event is retried while the bus (Redis) is unreachable. The request was served, so
 * dropping its event would serve it for free: it is held in memory and appended when Redis comes
 * back; only past this window is it given up (metric + an error log carrying the whole event, so it
 * can be replayed). Appends are idempotent downstream (by request id), so a retry that did land is harmless.
 */
const DEFAULT_RETRY_FOR_MS = 120_000;
const MAX_RETRY_DELAY_MS = 2_000;

export function createUsageRecorder(deps: { bus: Bus; priceBook: PriceBookSource; metrics: Metrics; logger: Logger; retryForMs?: number }): UsageRecorder {
  const retryForMs = deps.retryForMs ?? DEFAULT_RETRY_FOR_MS;
  const pending = new Set<Promise<void>>();

  async function write(completed: CompletedRequest): Promise<void> {
    const book = await deps.priceBook.current();
    if (!book) {
      deps.metrics.usageEventFailures.inc();
      deps.logger.error({ requestId: completed.requestId }, 'no price book published: usage event not recorded');
      return;
    }
    const cost = costMicros(book, completed.model, completed.promptTokens, completed.completionTokens);
    const event: UsageEvent = usageEventSchema.parse({
      requestId: completed.requestId,
      tenantId: completed.tenantId,
      apiKeyId: completed.apiKeyId,
      model: completed.model,
      provider: completed.provider,
      promptTokens: completed.promptTokens,
      completionTokens: completed.completionTokens,
      priceBookVersion: book.version,
      costMicros: cost.toString(),
      latencyMs: Math.max(0, Math.round(completed.latencyMs)),
      status: completed.status,
      createdAt: completed.completedAt.toISOString(),
      ...(completed.piiRedactions && Object.keys(completed.piiRedactions).length > 0 ? { piiRedactions: completed.piiRedactions } : {}),
      ...(completed.route ? { route: completed.route } : {}),
    });
    deps.metrics.tokens.inc({ model: event.model, kind: 'prompt' }, event.promptTokens);
    deps.metrics.tokens.inc({ model: event.model, kind: 'completion' }, event.completionTokens);
    deps.metrics.costMicros.inc({ model: event.model }, Number(cost));
    const payload = JSON.stringify(event);
    const giveUpAt = Date.now() + retryForMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await deps.bus.append(USAGE_STREAM, payload);
        return;
      } catch (error) {
        if (Date.now() >= giveUpAt) throw Object.assign(error instanceof Error ? error : new Error(String(error)), { usageEvent: payload });
        if (attempt === 1) deps.logger.warn({ err: error, requestId: completed.requestId }, 'usage event append failed; retrying until the bus is back');
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 50 * 2 ** attempt));
      }
    }
  }

  return {
    record(completed) {
      const task = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => write(completed))
        .catch((error: unknown) => {
          deps.metrics.usageEventFailures.inc();
          const usageEvent = (error as { usageEvent?: string } | undefined)?.usageEvent;
          deps.logger.error({ err: error, requestId: completed.requestId, usageEvent }, 'usage event could not be recorded');
        })
        .finally(() => pending.delete(task));
      pending.add(task);
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
