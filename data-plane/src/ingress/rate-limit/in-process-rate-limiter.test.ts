import { describe, expect, it } from 'vitest';
import { createInProcessRateLimiter } from './in-process-rate-limiter';
import { runRateLimiterContract } from './rate-limiter.contract';

runRateLimiterContract('in-process', () => createInProcessRateLimiter());

describe('in-process rate limiter over time (fake clock)', () => {
  it('replenishes one unit every period/limit and never more than the burst', async () => {
    let now = 1_000_000;
    const limiter = createInProcessRateLimiter(() => now);
    const limit = { limit: 60, periodMs: 60_000 }; // one unit per second
    for (let i = 0; i < 60; i++) expect((await limiter.consume('k', limit)).allowed).toBe(true);
    const refused = await limiter.consume('k', limit);
    expect(refused).toEqual({ allowed: false, remaining: 0, retryAfterMs: 1_000 });

    now += 999;
    expect((await limiter.consume('k', limit)).allowed).toBe(false);
    now += 1;
    expect(await limiter.consume('k', limit)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 0 });

    // A long idle period refills to the burst, not beyond.
    now += 10 * 60_000;
    const decisions = [];
    for (let i = 0; i < 61; i++) decisions.push((await limiter.consume('k', limit)).allowed);
    expect(decisions.filter(Boolean)).toHaveLength(60);
    await limiter.close();
  });
});
