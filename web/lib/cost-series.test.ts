import { describe, expect, it } from 'vitest';
import { costChartTitle, rankModels, shapeCostSeries, totalTokens } from './cost-series';
import type { CostPoint, ModelCost } from './operations';

const point = (bucketStart: string, costUsd: number, requests = 1, tokens = 10, shadowCostUsd = 0): CostPoint => ({
  bucketStart,
  costUsd,
  requests,
  tokens,
  shadowCostUsd,
  shadowRequests: shadowCostUsd > 0 ? 1 : 0,
});

describe('shapeCostSeries', () => {
  it('sorts oldest first and labels minutes in the given zone', () => {
    const shaped = shapeCostSeries(
      [point('2026-01-01T10:01:00.000Z', 0.2), point('2026-01-01T10:00:00.000Z', 0.1)],
      { timeZone: 'UTC' },
    );
    expect(shaped.map((entry) => [entry.label, entry.costUsd])).toEqual([
      ['10:00', 0.1],
      ['10:01', 0.2],
    ]);
    expect(shaped[0]?.time).toBe(Date.parse('2026-01-01T10:00:00.000Z'));
  });

  it('fills missing minutes with zeros', () => {
    const shaped = shapeCostSeries([point('2026-01-01T10:00:00Z', 1), point('2026-01-01T10:03:00Z', 2)], { timeZone: 'UTC' });
    expect(shaped.map((entry) => entry.costUsd)).toEqual([1, 0, 0, 2]);
    expect(shaped.map((entry) => entry.requests)).toEqual([1, 0, 0, 1]);
  });

  it('sums duplicate buckets and snaps seconds to the minute', () => {
    const shaped = shapeCostSeries([point('2026-01-01T10:00:00Z', 1, 2, 20), point('2026-01-01T10:00:30Z', 0.5, 1, 5)], { timeZone: 'UTC' });
    expect(shaped).toHaveLength(1);
    expect(shaped[0]).toMatchObject({ costUsd: 1.5, requests: 3, tokens: 25 });
  });

  it('keeps shadow cost as its own series, summed per minute and never added to the cost', () => {
    const shaped = shapeCostSeries([point('2026-01-01T10:00:00Z', 1, 1, 10, 0.25), point('2026-01-01T10:00:30Z', 0.5, 1, 5, 0.5), point('2026-01-01T10:02:00Z', 0, 0, 0, 2)], { timeZone: 'UTC' });
    expect(shaped.map((entry) => [entry.costUsd, entry.shadowCostUsd])).toEqual([
      [1.5, 0.75],
      [0, 0],
      [0, 2],
    ]);
  });

  it('drops unparseable timestamps and returns nothing for no data', () => {
    expect(shapeCostSeries([point('yesterday-ish', 1)], { timeZone: 'UTC' })).toEqual([]);
    expect(shapeCostSeries([], { timeZone: 'UTC' })).toEqual([]);
  });

  it('does not fill an absurd span (hostile or broken input)', () => {
    const shaped = shapeCostSeries([point('2000-01-01T00:00:00Z', 1), point('2026-01-01T00:00:00Z', 2)], { timeZone: 'UTC' });
    expect(shaped).toHaveLength(2);
  });

  it('keeps a full 24-hour window intact', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const points = Array.from({ length: 1440 }, (_, index) => point(new Date(start + index * 60_000).toISOString(), 0.001));
    expect(shapeCostSeries(points, { timeZone: 'UTC' })).toHaveLength(1440);
  });

  it('fills gaps at the summary bucket size (24 h in 15-minute buckets), not per minute', () => {
    const shaped = shapeCostSeries([point('2026-01-01T10:00:00Z', 1), point('2026-01-01T10:45:00Z', 2)], { bucketSeconds: 900, timeZone: 'UTC' });
    expect(shaped.map((entry) => [entry.label, entry.costUsd])).toEqual([
      ['10:00', 1],
      ['10:15', 0],
      ['10:30', 0],
      ['10:45', 2],
    ]);
    const day = Array.from({ length: 97 }, (_, index) => point(new Date(Date.parse('2026-01-01T00:00:00Z') + index * 900_000).toISOString(), 0.001));
    expect(shapeCostSeries(day, { bucketSeconds: 900, timeZone: 'UTC' })).toHaveLength(97);
  });

  it('falls back to minutes for a bucket size the API never sends', () => {
    for (const bucketSeconds of [0, -900, 90, Number.NaN]) {
      const shaped = shapeCostSeries([point('2026-01-01T10:00:00Z', 1), point('2026-01-01T10:02:00Z', 2)], { bucketSeconds, timeZone: 'UTC' });
      expect(shaped).toHaveLength(3);
    }
  });

  it('titles the chart by its bucket size', () => {
    expect(costChartTitle(60)).toBe('Cost per minute');
    expect(costChartTitle(undefined)).toBe('Cost per minute');
    expect(costChartTitle(900)).toBe('Cost per 15 minutes');
  });
});

describe('summary helpers', () => {
  it('adds prompt and completion tokens', () => {
    expect(totalTokens({ promptTokens: 12, completionTokens: 30 })).toBe(42);
  });

  it('ranks models by cost, then name, without mutating the input', () => {
    const models: ModelCost[] = [
      { model: 'b', costUsd: 1, requests: 1, promptTokens: 1, completionTokens: 1 },
      { model: 'c', costUsd: 3, requests: 1, promptTokens: 1, completionTokens: 1 },
      { model: 'a', costUsd: 1, requests: 1, promptTokens: 1, completionTokens: 1 },
    ];
    expect(rankModels(models).map((model) => model.model)).toEqual(['c', 'a', 'b']);
    expect(models.map((model) => model.model)).toEqual(['b', 'c', 'a']);
  });
});
