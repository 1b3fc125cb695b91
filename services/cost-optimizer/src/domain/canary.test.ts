import { describe, expect, it } from 'vitest';
import { cohortOf, DEFAULT_CANARY_RULE, judgeCanary, requestReward } from './canary';

const repeat = (values: number[], times: number): number[] => Array.from({ length: times }, () => values).flat();

describe('canary rule', () => {
  it('waits until both cohorts have enough requests', () => {
    expect(judgeCanary(cohortOf(repeat([1], 10)), cohortOf(repeat([0], 500))).decision).toBe('wait');
  });

  it('promotes a canary that is as good or better', () => {
    expect(judgeCanary(cohortOf(repeat([0.8, 0.9], 100)), cohortOf(repeat([0.7, 0.9], 500))).decision).toBe('promote');
  });

  it('discards a canary that is clearly worse', () => {
    const verdict = judgeCanary(cohortOf(repeat([0.3, 0.5], 100)), cohortOf(repeat([0.8, 0.9], 500)));
    expect(verdict.decision).toBe('discard');
    expect(verdict.upper).toBeLessThan(-DEFAULT_CANARY_RULE.margin);
  });

  it('keeps waiting while it cannot tell, and discards once the canary has had its maximum', () => {
    const noisyCanary = repeat([0, 1, 0.45], 30);
    const active = repeat([0, 1, 0.5], 30);
    expect(judgeCanary(cohortOf(noisyCanary), cohortOf(active)).decision).toBe('wait');
    expect(judgeCanary(cohortOf(noisyCanary), cohortOf(active), { ...DEFAULT_CANARY_RULE, maxSamples: 90 }).decision).toBe('discard');
  });

  it('a request reward is 0 on failure and rises as the request gets cheaper or faster', () => {
    const bounds = { maxCostPer1kMicros: 1000, maxLatencyMs: 1000 };
    expect(requestReward({ success: false, latencyMs: 1, costPer1kMicros: 1 }, bounds)).toBe(0);
    const dear = requestReward({ success: true, latencyMs: 500, costPer1kMicros: 1000 }, bounds);
    const cheap = requestReward({ success: true, latencyMs: 500, costPer1kMicros: 100 }, bounds);
    const fast = requestReward({ success: true, latencyMs: 50, costPer1kMicros: 100 }, bounds);
    expect(cheap).toBeGreaterThan(dear);
    expect(fast).toBeGreaterThan(cheap);
    expect(fast).toBeLessThanOrEqual(1);
  });
});
