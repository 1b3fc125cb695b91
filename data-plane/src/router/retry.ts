import type { Random } from './random';

/**
 * Retry timing. Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff and Jitter") so retries from many clients spread out; a provider's Retry-After
 * (RFC 9110 §10.2.3) is a floor, and a Retry-After longer than `maxDelayMs` means "do not retry
 * here": the caller fails over or passes the wait on to its client instead of holding the request.
 */
export interface BackoffInput {
  /** 0 for the first retry. */
  retry: number;
  baseMs: number;
  maxDelayMs: number;
  retryAfterSeconds: number | undefined;
  random: Random;
}

/** The delay before the next attempt, or undefined when the upstream asked for a longer wait than we hold requests for. */
export function retryDelayMs(input: BackoffInput): number | undefined {
  const ceiling = Math.min(input.maxDelayMs, input.baseMs * 2 ** input.retry);
  const jittered = input.random() * ceiling;
  if (input.retryAfterSeconds === undefined) return jittered;
  const floor = input.retryAfterSeconds * 1000;
  if (floor > input.maxDelayMs) return undefined;
  return Math.max(floor, jittered);
}

/**
 * Caps retries at a fraction of traffic (Finagle's RetryBudget, simplified): every request
 * deposits `ratio` tokens, every retry withdraws one, and the balance never exceeds `maxTokens`.
 * When an upstream is failing hard, retries stop amplifying the load on it.
 */
export interface RetryBudget {
  deposit(): void;
  tryWithdraw(): boolean;
  balance(): number;
}

export function createRetryBudget(options: { ratio?: number; initialTokens?: number; maxTokens?: number } = {}): RetryBudget {
  const ratio = options.ratio ?? 0.2;
  const maxTokens = options.maxTokens ?? 100;
  let tokens = Math.min(maxTokens, options.initialTokens ?? 10);
  return {
    deposit() {
      tokens = Math.min(maxTokens, tokens + ratio);
    },
    tryWithdraw() {
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    balance: () => tokens,
  };
}
