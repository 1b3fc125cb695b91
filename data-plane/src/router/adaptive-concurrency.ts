/**
 * Adaptive concurrency per upstream: an AIMD limit (TCP congestion control applied to
 * requests, as in Netflix's concurrency-limits) plus a bounded wait queue. An overload signal
 * from the upstream (429, 503, timeout) halves the limit. When the limit is reached and the
 * queue is full, the call is refused at once with a retry hint, so the gateway sheds load
 * instead of queueing without bound.
 *
 * Like TCP, it starts in slow start: until the upstream first signals overload, a success
 * while the gate is at least half used raises the limit by 1 (doubling it per round trip of a
 * burst), and the queue takes up to `maxLimit` callers, so a burst a healthy upstream can take
 * is queued for the slots that open, not shed (a gate starting at 20 with a queue of 40 used
 * to refuse most of a 512-client burst). The first overload signal ends slow start: from then
 * on a success raises the limit by 1/limit (about +1 per limit's worth of calls) and the
 * queue holds twice the limit. A success while the gate is mostly idle also raises it by
 * 1/limit only, so light traffic does not inflate the limit without testing it.
 */
export interface AimdOptions {
  initialLimit?: number;
  minLimit?: number;
  maxLimit?: number;
  /** Multiplicative decrease factor on overload (default 0.5). */
  backoffRatio?: number;
  /**
   * Calls allowed to wait for a slot. Default: `maxLimit` until the upstream first signals
   * overload (slow start), then twice the current limit (at least twice the initial limit).
   */
  maxQueue?: number;
}

export class OverloadedError extends Error {
  constructor(
    readonly upstream: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`upstream ${upstream} is at its concurrency limit and its queue is full`);
    this.name = 'OverloadedError';
  }
}

export interface Release {
  (outcome: 'success' | 'overload' | 'ignore'): void;
  /**
   * The upstream accepted the call (its first event arrived). In slow start the limit grows now,
   * not when the call ends: a stream holds its slot for its whole length, which would make a
   * burst of streams wait a stream's length per doubling.
   */
  accepted(): void;
}

export interface ConcurrencyGate {
  /** Resolves with a release function once a slot is free; rejects with OverloadedError when the queue is full. */
  acquire(signal: AbortSignal): Promise<Release>;
  limit(): number;
  inFlight(): number;
  queued(): number;
}

export const DEFAULT_AIMD_OPTIONS = { initialLimit: 20, minLimit: 1, maxLimit: 2_000, backoffRatio: 0.5 } as const;

export function createConcurrencyGate(upstream: string, options: AimdOptions = {}): ConcurrencyGate {
  const minLimit = options.minLimit ?? DEFAULT_AIMD_OPTIONS.minLimit;
  const maxLimit = options.maxLimit ?? DEFAULT_AIMD_OPTIONS.maxLimit;
  const backoffRatio = options.backoffRatio ?? DEFAULT_AIMD_OPTIONS.backoffRatio;
  let limit = Math.min(maxLimit, Math.max(minLimit, options.initialLimit ?? DEFAULT_AIMD_OPTIONS.initialLimit));
  const initialQueue = Math.ceil(limit * 2);
  // Slow start lasts while the limit is below this: no bound until the upstream signals overload.
  let slowStartUntil = Number.POSITIVE_INFINITY;
  const maxQueue = (): number =>
    options.maxQueue ?? (slowStartUntil === Number.POSITIVE_INFINITY ? Math.max(maxLimit, initialQueue) : Math.max(initialQueue, Math.ceil(limit * 2)));
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  const wakeWaiters = (): void => {
    while (waiters.length > 0 && inFlight < Math.floor(limit)) waiters.shift()?.();
  };
  // Once per call, with `inFlight` still counting it: +1 in slow start when the gate is at least
  // half used, else +1/limit.
  const grow = (slowStartOnly: boolean): boolean => {
    const slowStart = limit < slowStartUntil && inFlight >= limit / 2;
    if (slowStartOnly && !slowStart) return false;
    limit = Math.min(maxLimit, slowStart ? limit + 1 : limit + 1 / limit);
    return true;
  };

  const grant = (): Release => {
    inFlight += 1;
    let released = false;
    let grown = false;
    const release = (outcome: 'success' | 'overload' | 'ignore'): void => {
      if (released) return;
      released = true;
      if (outcome === 'success' && !grown) grow(false);
      inFlight -= 1;
      if (outcome === 'overload') {
        limit = Math.max(minLimit, limit * backoffRatio);
        slowStartUntil = limit;
      }
      wakeWaiters();
    };
    release.accepted = (): void => {
      if (released || grown) return;
      grown = grow(true);
      if (grown) wakeWaiters();
    };
    return release;
  };

  return {
    acquire(signal) {
      if (inFlight < Math.floor(limit)) return Promise.resolve(grant());
      if (waiters.length >= maxQueue()) return Promise.reject(new OverloadedError(upstream, 1));
      return new Promise<Release>((resolve, reject) => {
        const wake = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve(grant());
        };
        const onAbort = (): void => {
          const index = waiters.indexOf(wake);
          if (index >= 0) waiters.splice(index, 1);
          reject(signal.reason instanceof Error ? signal.reason : new Error('aborted while queued'));
        };
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        waiters.push(wake);
      });
    },
    limit: () => limit,
    inFlight: () => inFlight,
    queued: () => waiters.length,
  };
}
