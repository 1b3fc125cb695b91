import type { Logger } from 'pino';
import type { Bus } from '@switchyard/bus';
import { REQUEST_LOG_STREAM } from '@switchyard/events/request-log';
import { costMicros, type PriceBookSource } from './price-book';
import { requestLogEntryOf, type RequestLogDraft } from './request-log-entry';

export interface RequestLogLimits {
  /** Refused requests logged per tenant per second on this replica; the rest are only counted (default 50). */
  refusalsPerTenantPerSecond: number;
  /** Entries queued or being appended (a Redis outage can hold appends open); past this, new entries are dropped and counted (default 5,000). */
  maxQueued: number;
}

export const DEFAULT_REQUEST_LOG_LIMITS: RequestLogLimits = { refusalsPerTenantPerSecond: 50, maxQueued: 5_000 };

export interface RequestLogMetrics {
  /** Entries not logged, by reason (`refusal_cap`, `queue_full`, `bus_error`). */
  dropped(reason: 'refusal_cap' | 'queue_full' | 'bus_error', count?: number): void;
  /** Refusals with no authenticated tenant, by error code: counted, never logged per request. */
  unattributed(code: string): void;
}

export interface RequestLogRecorder {
  /** Called when a response closed; never throws, never blocks the response. */
  record(draft: RequestLogDraft, status: number, endedAt: number): void;
  /** Resolves once every queued entry was appended (or dropped). */
  drain(): Promise<void>;
}

/**
 * One entry per answered request of a known tenant on `switchyard:request-log`, appended in
 * batches off the response path. Unlike usage (billing: retried for minutes), the log is for
 * looking: an entry the bus refuses is dropped and counted, and two bounds keep a flood from
 * turning into a flood of writes. Refusals without a tenant (a wrong or missing key) are never
 * logged per request: the tenant they name cannot be trusted, so an attacker could otherwise fill
 * any tenant's log; they are counted by error code. Refusals of an authenticated caller are capped
 * per tenant per second (a fixed one-second window per tenant: cheap, and exactness does not
 * matter here), and the queue is bounded. Served requests are never capped: limits and load
 * shedding already bound them.
 */
export function createRequestLogRecorder(deps: {
  bus: Pick<Bus, 'append'>;
  priceBook: PriceBookSource;
  metrics: RequestLogMetrics;
  logger: Logger;
  limits?: Partial<RequestLogLimits>;
  now?: () => number;
}): RequestLogRecorder {
  const limits = { ...DEFAULT_REQUEST_LOG_LIMITS, ...deps.limits };
  const now = deps.now ?? Date.now;
  const refusalWindows = new Map<string, { second: number; count: number }>();
  // The draft itself is queued, not a copy: the chat handler attaches the usage record in its own
  // listener of the same 'close' event, after this one; the entry is built at the flush, a turn later.
  let queued: { draft: RequestLogDraft; caller: NonNullable<RequestLogDraft['caller']>; status: number; endedAt: number }[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  const pending = new Set<Promise<void>>();
  let appending = 0;

  function admitRefusal(tenantId: string): boolean {
    const second = Math.floor(now() / 1000);
    const window = refusalWindows.get(tenantId);
    if (!window || window.second !== second) {
      // Old windows are dropped as tenants come back; the map holds at most the tenants seen lately.
      if (refusalWindows.size > 10_000) refusalWindows.clear();
      refusalWindows.set(tenantId, { second, count: 1 });
      return true;
    }
    window.count += 1;
    return window.count <= limits.refusalsPerTenantPerSecond;
  }

  async function write(batch: typeof queued): Promise<void> {
    const needsPrices = batch.some((item) => item.draft.usage !== undefined);
    const book = needsPrices ? await deps.priceBook.current().catch(() => null) : null;
    await Promise.all(
      batch.map(async ({ draft, caller, status, endedAt }) => {
        const usage = draft.usage;
        const cost = usage && book ? costMicros(book, usage.model, usage.promptTokens, usage.completionTokens) : 0n;
        try {
          await deps.bus.append(REQUEST_LOG_STREAM, JSON.stringify(requestLogEntryOf(draft, caller, status, endedAt, cost)));
        } catch (error) {
          deps.metrics.dropped('bus_error');
          deps.logger.warn({ err: error, requestId: draft.requestId }, 'request log entry not appended');
        } finally {
          appending -= 1;
        }
      }),
    );
  }

  function flush(): void {
    scheduled = undefined;
    const batch = queued;
    queued = [];
    // Counted against maxQueued until each append settles (decremented per entry in write()).
    appending += batch.length;
    const task = write(batch).finally(() => pending.delete(task));
    pending.add(task);
  }

  return {
    record(draft, status, endedAt) {
      const caller = draft.caller;
      if (!caller) {
        if (status >= 400) deps.metrics.unattributed(draft.errorCode ?? `http_${String(status)}`);
        return;
      }
      if (draft.usage === undefined && status >= 400 && !admitRefusal(caller.tenantId)) {
        deps.metrics.dropped('refusal_cap');
        return;
      }
      if (queued.length + appending >= limits.maxQueued) {
        deps.metrics.dropped('queue_full');
        return;
      }
      queued.push({ draft, caller, status, endedAt });
      scheduled ??= setImmediate(flush);
    },
    async drain() {
      while (scheduled || pending.size > 0) {
        if (scheduled) {
          clearImmediate(scheduled);
          flush();
        }
        await Promise.all([...pending]);
      }
    },
  };
}
