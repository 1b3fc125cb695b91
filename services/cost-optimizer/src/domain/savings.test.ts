import { describe, expect, it } from 'vitest';
import { baselineModel, gainShareMicros, priceTokens, regretInHindsight, routeSavings } from './savings';

const prices = new Map([
  ['mini', { inputPer1kMicros: 150n, outputPer1kMicros: 600n }],
  ['big', { inputPer1kMicros: 2500n, outputPer1kMicros: 10_000n }],
]);

describe('savings', () => {
  it('picks the baseline model: the champion (first candidate) or the most expensive priced candidate', () => {
    expect(baselineModel('champion', ['mini', 'big'], prices)).toBe('mini');
    expect(baselineModel('most_expensive', ['mini', 'big'], prices)).toBe('big');
    expect(baselineModel('champion', ['unpriced', 'big'], prices)).toBe('big');
    expect(baselineModel('champion', ['unpriced'], prices)).toBeUndefined();
  });

  it('prices tokens per 1k, rounding half up', () => {
    expect(priceTokens(1000n, 1000n, prices.get('mini')!)).toBe(750n);
    expect(priceTokens(1n, 0n, { inputPer1kMicros: 500n, outputPer1kMicros: 0n })).toBe(1n);
    expect(priceTokens(1n, 0n, { inputPer1kMicros: 499n, outputPer1kMicros: 0n })).toBe(0n);
  });

  it('compares what the traffic cost with the baseline: money and percent', () => {
    const savings = routeSavings(
      [
        { upstream: 'p/mini', model: 'mini', requests: 3, promptTokens: 3000n, completionTokens: 3000n, costMicros: 2250n },
        { upstream: 'p/big', model: 'big', requests: 1, promptTokens: 1000n, completionTokens: 1000n, costMicros: 12_500n },
      ],
      prices.get('big')!,
    );
    expect(savings).toEqual({ requests: 4, actualMicros: 14_750n, baselineMicros: 50_000n, savingsMicros: 35_250n, savingsPct: 70.5 });
  });

  it('regret: zero when every request went to the best arm, the reward gap per request otherwise', () => {
    expect(regretInHindsight([{ requests: 10, meanReward: 0.9 }, { requests: 0, meanReward: 0.2 }])).toEqual({ cumulative: 0, perRequest: 0 });
    const regret = regretInHindsight([{ requests: 75, meanReward: 0.9 }, { requests: 25, meanReward: 0.5 }]);
    expect(regret.cumulative).toBeCloseTo(10);
    expect(regret.perRequest).toBeCloseTo(0.1);
  });

  it('gain share: the agreed percentage of positive savings, nothing on a loss', () => {
    expect(gainShareMicros(1_000_000n, 20)).toBe(200_000n);
    expect(gainShareMicros(1_000_000n, 12.5)).toBe(125_000n);
    expect(gainShareMicros(-5n, 20)).toBe(0n);
  });
});
