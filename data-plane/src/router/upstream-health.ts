import type { UpstreamSnapshot } from '../telemetry/metrics';
import { createConcurrencyGate, type AimdOptions, type ConcurrencyGate } from './adaptive-concurrency';
import { createCircuitBreaker, type BreakerState, type CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker';

/** Breaker and concurrency gate per upstream (provider/model), created on first use. */
export interface UpstreamHealth {
  breaker: CircuitBreaker;
  gate: ConcurrencyGate;
}

export interface UpstreamHealthRegistry {
  get(key: string): UpstreamHealth;
  snapshot(now: number): UpstreamSnapshot[];
}

export interface UpstreamHealthOptions {
  breaker?: CircuitBreakerOptions;
  concurrency?: AimdOptions;
  onBreakerTransition?: (upstream: string, state: BreakerState) => void;
}

export function createUpstreamHealthRegistry(options: UpstreamHealthOptions = {}): UpstreamHealthRegistry {
  const entries = new Map<string, UpstreamHealth>();
  return {
    get(key) {
      let found = entries.get(key);
      if (!found) {
        found = {
          breaker: createCircuitBreaker(options.breaker, (state) => options.onBreakerTransition?.(key, state)),
          gate: createConcurrencyGate(key, options.concurrency),
        };
        entries.set(key, found);
      }
      return found;
    },
    snapshot(now) {
      return [...entries].map(([upstream, h]) => ({
        upstream,
        breaker: h.breaker.state(now),
        concurrencyLimit: h.gate.limit(),
        inFlight: h.gate.inFlight(),
        queued: h.gate.queued(),
      }));
    },
  };
}
