/**
 * The rate-limit port. GCRA (generic cell rate algorithm): one stored timestamp per key
 * (the theoretical arrival time), so a decision is one atomic read-modify-write; on Redis
 * that is one Lua script, exact across replicas. `consumeAll` decides every limit of a request
 * in one such step (one Redis round trip however many limits). Both implementations pass
 * rate-limiter.contract.ts.
 *
 * Keys decided together (one `consumeAll`, one `settle`) must share a Redis Cluster hash tag, a
 * `{…}` part naming one slot (the limits of a request carry their tenant's: `limitKeys`): on a
 * cluster one script can only touch one slot's keys. On one node or in process the tag is just
 * part of the name.
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

/** One limit of a request: charge `cost` units against `key` under `limit`. */
export interface RateLimitCheck {
  key: string;
  limit: RateLimit;
  cost: number;
}

/**
 * The end of a reservation: `reserved` units were charged against `key` under `limit` by an
 * admitted `consume`/`consumeAll`; `used` is what the request actually spent. Settling charges the
 * difference: the unused part comes back (never more than is still charged: time already returned
 * part of it), and usage above the reservation is charged unconditionally (the work is done; later
 * requests wait for it).
 */
export interface RateLimitSettlement {
  key: string;
  limit: RateLimit;
  reserved: number;
  used: number;
  /** The reservation was decided without the shared backend (its decision said `degraded`): settled where it was charged. */
  degraded?: true;
}

export interface RateLimiter {
  /** Atomically charge `cost` units against `key` under `limit`; charges nothing when refused. */
  consume(key: string, limit: RateLimit, cost?: number): Promise<RateLimitDecision>;
  /**
   * All or nothing, atomically: every check is charged, or, when any check is refused, none is.
   * One decision per check, in order; checks are evaluated in order, so a key listed twice is
   * charged twice. When the batch is refused, a check that would have passed reports
   * `allowed: true` and the units it has left (nothing was charged); `retryAfterMs` is set on
   * the refused checks.
   */
  consumeAll(checks: readonly RateLimitCheck[]): Promise<RateLimitDecision[]>;
  /**
   * Settles reservations to what was used, atomically (one script on Redis, like `consumeAll`):
   * each key's charge moves by `used - reserved` units. A refund never leaves a key with more
   * than a fresh key's allowance; an extra charge is never refused.
   */
  settle(settlements: readonly RateLimitSettlement[]): Promise<void>;
  close(): Promise<void>;
}
