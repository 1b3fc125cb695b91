import { describe, expect, it } from 'vitest';
import { createRetryBudget, retryDelayMs } from './retry';

const always = (value: number) => () => value;

describe('retry delay', () => {
  it('grows exponentially, with full jitter, up to the cap', () => {
    expect(retryDelayMs({ retry: 0, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: undefined, random: always(0.999) })).toBeCloseTo(99.9);
    expect(retryDelayMs({ retry: 3, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: undefined, random: always(0.5) })).toBe(400);
    expect(retryDelayMs({ retry: 20, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: undefined, random: always(0.5) })).toBe(2_500);
    expect(retryDelayMs({ retry: 2, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: undefined, random: always(0) })).toBe(0);
  });

  it('never retries before Retry-After', () => {
    expect(retryDelayMs({ retry: 0, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: 2, random: always(0.5) })).toBe(2_000);
    expect(retryDelayMs({ retry: 0, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: 0, random: always(0.5) })).toBe(50);
  });

  it('gives up when Retry-After is longer than we hold a request', () => {
    expect(retryDelayMs({ retry: 0, baseMs: 100, maxDelayMs: 5_000, retryAfterSeconds: 7, random: always(0.5) })).toBeUndefined();
  });
});

describe('retry budget', () => {
  it('allows the initial tokens, then only a share of new requests', () => {
    const budget = createRetryBudget({ ratio: 0.5, initialTokens: 2, maxTokens: 3 });
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(false);
    budget.deposit();
    expect(budget.tryWithdraw()).toBe(true);
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.balance()).toBe(3);
  });
});
