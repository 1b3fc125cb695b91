/**
 * Adaptive concurrency per upstream: an AIMD limit (TCP congestion control applied to
 * requests, as in Netflix's concurrency-limits) plus a bounded wait queue. Success raises the
 * limit by 1/limit (about +1 per limit's worth of calls); an overload signal from the upstream
 * (429, 503, timeout) halves it. When the limit is reached and the queue is full, the call is
 * refused at once with a retry hint, so the gateway sheds load instead of queueing without bound.
 */
export interface AimdOptions {
  initialLimit?: number;
  minLimit?: number;
  maxLimit?: number;
  /** Multiplicative decrease factor on overload (default 0.5). */
  backoffRatio?: number;
  /** Calls allowed to wait for a slot (default 2 × initial limit). */
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

export type Release = (outcome: 'success' | 'overload' | 'ignore') => void;

export interface ConcurrencyGate {
  /** Resolves with a release function once a slot is free; rejects with OverloadedError when the queue is full. */
  acquire(signal: AbortSignal): Promise<Release>;
  limit(): number;
  inFlight(): number;
  queued(): number;
}

export const DEFAULT_AIMD_OPTIONS = { initialLimit: 20, minLimit: 1, maxLimit: 200, backoffRatio: 0.5 } as const;

export function createConcurrencyGate(upstream: string, options: AimdOptions = {}): ConcurrencyGate {
  const minLimit = options.minLimit ?? DEFAULT_AIMD_OPTIONS.minLimit;
  const maxLimit = options.maxLimit ?? DEFAULT_AIMD_OPTIONS.maxLimit;
  const backoffRatio = options.backoffRatio ?? DEFAULT_AIMD_OPTIONS.backoffRatio;
  let limit = Math.min(maxLimit, Math.max(minLimit, options.initialLimit ?? DEFAULT_AIMD_OPTIONS.initialLimit));
  const maxQueue = options.maxQueue ?? Math.ceil(limit * 2);
  let inFlight = 0;
  const waiters: (() => void)[] = [];

  const grant = (): Release => {
    inFlight += 1;
    let released = false;
    return (outcome) => {
      if (released) return;
      released = true;
      inFlight -= 1;
      if (outcome === 'success') limit = Math.min(maxLimit, limit + 1 / limit);
      else if (outcome === 'overload') limit = Math.max(minLimit, limit * backoffRatio);
      while (waiters.length > 0 && inFlight < Math.floor(limit)) waiters.shift()?.();
    };
  };

  return {
    acquire(signal) {
      if (inFlight < Math.floor(limit)) return Promise.resolve(grant());
      if (waiters.length >= maxQueue) return Promise.reject(new OverloadedError(upstream, 1));
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
