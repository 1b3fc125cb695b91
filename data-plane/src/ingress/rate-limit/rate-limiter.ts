/**
 * The rate-limit port. GCRA (generic cell rate algorithm): one stored timestamp per key
 * (the theoretical arrival time), so a decision is one atomic read-modify-write; on Redis
 * that is one Lua script, exact across replicas. Both implementations pass rate-limiter.contract.ts.
 */
export interface RateLimit {
  /** Sustained allowance: `limit` units per `periodMs`. */
  limit: number;
  periodMs: number;
  /** Extra units that may be spent at once above the sustained rate (default: limit). */
  burst?: number;
  /** What this limit does while the shared backend is down (fail-safe-rate-limiter.ts; default `local`). */
  onBackendDown?: BackendDownMode;
}

/** `local`: enforced per replica in process; `open`: admitted uncounted; `closed`: refused (503). */
export type BackendDownMode = 'local' | 'open' | 'closed';

export interface RateLimitDecision {
  allowed: boolean;
  /** Units still available right now after this decision. */
  remaining: number;
  /** When not allowed: how long until `cost` units would be admitted. 0 when allowed. */
  retryAfterMs: number;
  /** Set when the decision was taken without the shared backend (see fail-safe-rate-limiter.ts). */
  degraded?: true;
}

export interface RateLimiter {
  /** Atomically charge `cost` units against `key` under `limit`; charges nothing when refused. */
  consume(key: string, limit: RateLimit, cost?: number): Promise<RateLimitDecision>;
  close(): Promise<void>;
}
