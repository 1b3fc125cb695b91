/**
 * A circuit breaker per upstream. Closed: calls flow, outcomes fill a sliding window; when the
 * window holds at least `minimumCalls` and the failure rate reaches `failureRateThreshold`, it
 * opens. Open: calls are refused for `cooldownMs`. Half-open: one probe at a time is let
 * through; its success closes the breaker (with a fresh window), its failure reopens it.
 * Pure: the clock is passed in.
 */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  windowSize?: number;
  minimumCalls?: number;
  failureRateThreshold?: number;
  cooldownMs?: number;
}

export interface CircuitBreaker {
  state(now: number): BreakerState;
  /** May a call go through now? In half-open this reserves the single probe. */
  tryAcquire(now: number): boolean;
  onSuccess(now: number): void;
  onFailure(now: number): void;
  /** The call never reached a verdict (e.g. cancelled): frees a half-open probe without judging. */
  onCancel(): void;
}

export const DEFAULT_BREAKER_OPTIONS: Required<CircuitBreakerOptions> = {
  windowSize: 20,
  minimumCalls: 5,
  failureRateThreshold: 0.5,
  cooldownMs: 10_000,
};

export function createCircuitBreaker(options: CircuitBreakerOptions = {}, onTransition?: (state: BreakerState) => void): CircuitBreaker {
  const o = { ...DEFAULT_BREAKER_OPTIONS, ...options };
  let outcomes: boolean[] = []; // true = failure
  let openedAt: number | undefined;
  let probing = false;
  let current: BreakerState = 'closed';

  const move = (next: BreakerState): void => {
    if (next === current) return;
    current = next;
    onTransition?.(next);
  };
  const stateAt = (now: number): BreakerState => {
    if (current === 'open' && openedAt !== undefined && now - openedAt >= o.cooldownMs) move('half-open');
    return current;
  };
  const open = (now: number): void => {
    openedAt = now;
    probing = false;
    outcomes = [];
    move('open');
  };

  return {
    state: stateAt,
    tryAcquire(now) {
      const state = stateAt(now);
      if (state === 'closed') return true;
      if (state === 'open' || probing) return false;
      probing = true;
      return true;
    },
    onSuccess(now) {
      const state = stateAt(now);
      if (state === 'half-open') {
        probing = false;
        outcomes = [];
        move('closed');
        return;
      }
      if (state === 'closed') record(false, now);
    },
    onFailure(now) {
      const state = stateAt(now);
      if (state === 'half-open') return open(now);
      if (state === 'closed') record(true, now);
    },
    onCancel() {
      probing = false;
    },
  };

  function record(failed: boolean, now: number): void {
    outcomes.push(failed);
    if (outcomes.length > o.windowSize) outcomes.shift();
    if (outcomes.length < o.minimumCalls) return;
    const failures = outcomes.filter(Boolean).length;
    if (failures / outcomes.length >= o.failureRateThreshold) open(now);
  }
}
