import { ApiError } from '../../errors';
import { InvalidRateLimitError, validateSettlement } from './gcra';
import { createInProcessRateLimiter } from './in-process-rate-limiter';
import type { BackendDownMode, RateLimit, RateLimitCheck, RateLimitDecision, RateLimiter } from './rate-limiter';

/**
 * What a limit does while its shared backend (Redis) is unreachable or too slow: a decorator
 * over the real limiter. Each check carries its own {@link BackendDownMode} (chosen per limit
 * type in limits-config.ts, reasons in FAILURE-MODES.md):
 * - `local`: this replica enforces the limit alone with an in-process GCRA, seeded with the last
 *   allowance Redis reported for the key, so a key that was exhausted stays exhausted and one that
 *   was not continues from where it stood. Across N replicas at most N times the allowance left.
 * - `open`: admitted without counting.
 * - `closed`: refused with 503 `rate_limiter_unavailable` and Retry-After.
 * After a backend failure the backend is skipped for `retryBackendAfterMs` (one probe after that),
 * so an outage costs each request microseconds, not a timeout.
 */
export interface FailSafeRateLimiterOptions {
  /**
   * A backend call still unanswered after this long counts as an outage (default 500). Measured
   * here, not with ioredis `commandTimeout`: a timer and a reply that both became due while the
   * event loop was blocked fire timer first, which would call a healthy Redis down and hand a
   * loaded replica's decisions to its local fallback (over-admitting across replicas). So on expiry
   * the I/O phase runs once more before the verdict.
   */
  backendTimeoutMs?: number;
  /** How long to stay on the fallback after a backend failure before probing again (default 1000). */
  retryBackendAfterMs?: number;
  /** Keys whose last allowance is remembered for seeding (least recently used dropped first). */
  rememberKeys?: number;
  clock?: () => number;
  /** Told once per change: true when the backend failed, false when it answered again. */
  onBackendState?: (down: boolean, error?: unknown) => void;
  /** Told for every decision taken without the backend, with the mode that took it. */
  onDegradedDecision?: (mode: BackendDownMode, allowed: boolean) => void;
}

export class RateLimiterUnavailableError extends ApiError {
  constructor(retryAfterSeconds: number) {
    super('rate_limiter_unavailable', { retryAfterSeconds });
  }
}

export interface FailSafeRateLimiter extends RateLimiter {
  /** True while decisions are taken without the backend. */
  degraded(): boolean;
}

export function createFailSafeRateLimiter(backend: RateLimiter, options: FailSafeRateLimiterOptions = {}): FailSafeRateLimiter {
  const clock = options.clock ?? Date.now;
  const retryAfterMs = options.retryBackendAfterMs ?? 1_000;
  const timeoutMs = options.backendTimeoutMs ?? 500;
  const rememberKeys = options.rememberKeys ?? 100_000;
  const local = createInProcessRateLimiter(clock);
  /** Last `remaining` the backend reported per key, refreshed on every backend decision. */
  const lastRemaining = new Map<string, number>();
  /** Keys already seeded into `local` during the current outage. */
  const seeded = new Set<string>();
  let downUntil = 0;
  let down = false;

  const remember = (key: string, remaining: number): void => {
    lastRemaining.delete(key);
    lastRemaining.set(key, remaining);
    if (lastRemaining.size > rememberKeys) {
      const oldest = lastRemaining.keys().next();
      if (!oldest.done) lastRemaining.delete(oldest.value);
    }
  };

  const markDown = (error: unknown): void => {
    downUntil = clock() + retryAfterMs;
    if (!down) {
      down = true;
      options.onBackendState?.(true, error);
    }
  };

  const markUp = (): void => {
    if (!down) return;
    down = false;
    seeded.clear();
    options.onBackendState?.(false);
  };

  async function withoutBackend(key: string, limit: RateLimit, cost: number): Promise<RateLimitDecision & { degraded: true }> {
    const mode = limit.onBackendDown ?? 'local';
    if (mode === 'closed') {
      options.onDegradedDecision?.(mode, false);
      throw new RateLimiterUnavailableError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    }
    if (mode === 'open') {
      options.onDegradedDecision?.(mode, true);
      return { allowed: true, remaining: limit.burst ?? limit.limit, retryAfterMs: 0, degraded: true };
    }
    if (!seeded.has(key)) {
      seeded.add(key);
      const known = lastRemaining.get(key);
      const burst = limit.burst ?? limit.limit;
      // Spend locally what the backend said was already spent; a fresh local key would forget it.
      if (known !== undefined && known < burst) await local.consume(key, limit, Math.max(0, Math.floor(burst - known)));
    }
    const decision = await local.consume(key, limit, cost);
    options.onDegradedDecision?.(mode, decision.allowed);
    return { ...decision, degraded: true };
  }

  /** A whole request's checks without the backend, still all or nothing across its `local` checks. */
  async function allWithoutBackend(checks: readonly RateLimitCheck[]): Promise<RateLimitDecision[]> {
    const modeOf = (check: RateLimitCheck): BackendDownMode => check.limit.onBackendDown ?? 'local';
    if (checks.some((check) => modeOf(check) === 'closed')) {
      options.onDegradedDecision?.('closed', false);
      throw new RateLimiterUnavailableError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
    }
    const localChecks = checks.filter((check) => modeOf(check) === 'local');
    for (const { key, limit } of localChecks) {
      if (seeded.has(key)) continue;
      seeded.add(key);
      const known = lastRemaining.get(key);
      const burst = limit.burst ?? limit.limit;
      if (known !== undefined && known < burst) await local.consume(key, limit, Math.max(0, Math.floor(burst - known)));
    }
    const localDecisions = await local.consumeAll(localChecks);
    let next = 0;
    return checks.map((check) => {
      const mode = modeOf(check);
      const decision: RateLimitDecision =
        mode === 'open' ? { allowed: true, remaining: check.limit.burst ?? check.limit.limit, retryAfterMs: 0 } : (localDecisions[next++] as RateLimitDecision);
      options.onDegradedDecision?.(mode, decision.allowed);
      return { ...decision, degraded: true };
    });
  }

  return {
    async consume(key, limit, cost = 1) {
      if (down && clock() < downUntil) return withoutBackend(key, limit, cost);
      let decision: RateLimitDecision;
      try {
        decision = await withTimeout(backend.consume(key, limit, cost), timeoutMs);
      } catch (error) {
        if (error instanceof InvalidRateLimitError) throw error;
        markDown(error);
        return withoutBackend(key, limit, cost);
      }
      markUp();
      remember(key, decision.remaining);
      return decision;
    },
    async consumeAll(checks) {
      if (down && clock() < downUntil) return allWithoutBackend(checks);
      let decisions: RateLimitDecision[];
      try {
        decisions = await withTimeout(backend.consumeAll(checks), timeoutMs);
      } catch (error) {
        if (error instanceof InvalidRateLimitError) throw error;
        markDown(error);
        return allWithoutBackend(checks);
      }
      markUp();
      checks.forEach((check, index) => remember(check.key, (decisions[index] as RateLimitDecision).remaining));
      return decisions;
    },
    /**
     * A reservation taken without the backend is settled where it was charged (the local fallback;
     * `open` charged nothing); one the backend took is settled on the backend. While the backend
     * is down, or when the settlement fails, the backend keeps the reservation's full estimate:
     * the conservative side (a refund lost costs allowance, never admits more than the limit).
     */
    async settle(settlements) {
      for (const { limit, reserved, used } of settlements) validateSettlement(limit, reserved, used);
      const locally = settlements.filter((s) => s.degraded && (s.limit.onBackendDown ?? 'local') === 'local');
      if (locally.length > 0) await local.settle(locally);
      const shared = settlements.filter((s) => !s.degraded);
      if (shared.length === 0 || (down && clock() < downUntil)) return;
      try {
        await withTimeout(backend.settle(shared), timeoutMs);
      } catch (error) {
        if (error instanceof InvalidRateLimitError) throw error;
        markDown(error);
        return;
      }
      markUp();
      // Keep the allowance a later outage seeds from in step with the settlement.
      for (const { key, limit, reserved, used } of shared) {
        const known = lastRemaining.get(key);
        if (known !== undefined) remember(key, Math.max(0, Math.min(limit.burst ?? limit.limit, known + reserved - used)));
      }
    },
    degraded: () => down,
    /** Clears the local fallback only: the backend belongs to whoever created it. */
    async close() {
      await local.close();
    },
  };
}

export class BackendTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`rate limiter backend did not answer within ${timeoutMs} ms`);
    this.name = 'BackendTimeoutError';
  }
}

/** Rejects after `ms` unless `call` settles first, giving pending I/O one more turn before deciding. */
function withTimeout<T>(call: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      // Timers run before the poll phase: a reply that is already in the socket gets its turn first.
      setImmediate(() => {
        if (!settled) {
          settled = true;
          reject(new BackendTimeoutError(ms));
        }
      });
    }, ms);
    call.then(
      (value) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        if (settled) return;
        settled = true;
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
