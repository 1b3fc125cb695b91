import { describe, expect, it } from 'vitest';
import { floorToMinute, summarizeCost, windowBuckets } from './cost-summary';
import type { CostRollupRow, ShadowCostRollupRow } from './cost-summary';

const TENANT = '00000000-0000-4000-8000-00000000000a';
const NOW = new Date('2026-03-01T12:30:45.500Z');

function row(bucketStart: string, model: string, costMicros: bigint, requests = 1): CostRollupRow {
  return { bucketStart: new Date(bucketStart), model, requests, promptTokens: 10n * BigInt(requests), completionTokens: 5n * BigInt(requests), costMicros };
}

describe('windowBuckets', () => {
  it('ends with the current minute and spans the window', () => {
    expect(windowBuckets('LAST_15_MINUTES', NOW)).toEqual({
      first: new Date('2026-03-01T12:16:00.000Z'),
      last: new Date('2026-03-01T12:30:00.000Z'),
      minutes: 15,
    });
    expect(windowBuckets('LAST_24_HOURS', NOW).minutes).toBe(1440);
  });

  it('floors to the minute', () => {
    expect(floorToMinute(new Date('2026-03-01T12:30:59.999Z'))).toEqual(new Date('2026-03-01T12:30:00.000Z'));
  });
});

describe('summarizeCost', () => {
  it('returns one zero point per minute when nothing was used', () => {
    const summary = summarizeCost(TENANT, 'LAST_HOUR', NOW, []);
    expect(summary.series).toHaveLength(60);
    expect(summary.series.every((point) => point.costUsd === 0 && point.requests === 0 && point.tokens === 0)).toBe(true);
    expect(summary.series[0]?.bucketStart).toEqual(new Date('2026-03-01T11:31:00.000Z'));
    expect(summary.series[59]?.bucketStart).toEqual(new Date('2026-03-01T12:30:00.000Z'));
    expect(summary).toMatchObject({ tenantId: TENANT, window: 'LAST_HOUR', totalCostUsd: 0, totalRequests: 0, byModel: [], shadowCostUsd: 0, shadowRequests: 0, shadowByExperiment: [] });
  });

  it('fills buckets oldest first, totals per model, and converts micros to USD exactly', () => {
    const rows = [
      row('2026-03-01T12:30:00.000Z', 'gpt-small', 1_500n, 2),
      row('2026-03-01T12:16:00.000Z', 'gpt-large', 2_000_000n),
      row('2026-03-01T12:30:00.000Z', 'gpt-large', 250_000n),
    ];
    const summary = summarizeCost(TENANT, 'LAST_15_MINUTES', NOW, rows);
    expect(summary.series[0]).toEqual({ bucketStart: new Date('2026-03-01T12:16:00.000Z'), costUsd: 2, requests: 1, tokens: 15, shadowCostUsd: 0, shadowRequests: 0 });
    expect(summary.series[14]).toEqual({ bucketStart: new Date('2026-03-01T12:30:00.000Z'), costUsd: 0.2515, requests: 3, tokens: 45, shadowCostUsd: 0, shadowRequests: 0 });
    expect(summary.totalCostUsd).toBe(2.2515);
    expect(summary.totalRequests).toBe(4);
    expect(summary.promptTokens).toBe(40);
    expect(summary.completionTokens).toBe(20);
    expect(summary.byModel.map((model) => model.model)).toEqual(['gpt-large', 'gpt-small']);
    expect(summary.byModel[0]).toEqual({ model: 'gpt-large', costUsd: 2.25, requests: 2, promptTokens: 20, completionTokens: 10 });
  });

  it('sums 24 hours into aligned 15-minute buckets, the edge buckets holding only the window part', () => {
    // Window: 12:31 yesterday .. 12:30 today (1,440 minutes). Buckets: 12:30 yesterday .. 12:30 today.
    const rows = [
      row('2026-02-28T12:30:00.000Z', 'too-old', 7n),
      row('2026-02-28T12:31:00.000Z', 'gpt', 1_000_000n),
      row('2026-02-28T12:44:00.000Z', 'gpt', 1_000_000n),
      row('2026-02-28T12:45:00.000Z', 'gpt', 500_000n, 2),
      row('2026-03-01T12:30:00.000Z', 'gpt', 250_000n),
    ];
    const summary = summarizeCost(TENANT, 'LAST_24_HOURS', NOW, rows, [{ ...row('2026-03-01T12:29:00.000Z', 'mini', 100_000n), experimentId: 'e1' }]);
    expect(summary.bucketSeconds).toBe(900);
    expect(summary.series).toHaveLength(97);
    expect(summary.series[0]).toEqual({ bucketStart: new Date('2026-02-28T12:30:00.000Z'), costUsd: 2, requests: 2, tokens: 30, shadowCostUsd: 0, shadowRequests: 0 });
    expect(summary.series[1]).toMatchObject({ bucketStart: new Date('2026-02-28T12:45:00.000Z'), costUsd: 0.5, requests: 2 });
    expect(summary.series[95]).toMatchObject({ bucketStart: new Date('2026-03-01T12:15:00.000Z'), costUsd: 0, shadowCostUsd: 0.1, shadowRequests: 1 });
    expect(summary.series[96]).toMatchObject({ bucketStart: new Date('2026-03-01T12:30:00.000Z'), costUsd: 0.25, requests: 1 });
    // The series adds up to the totals: coarser buckets lose nothing.
    expect(summary.totalRequests).toBe(5);
    expect(summary.series.reduce((sum, point) => sum + point.requests, 0)).toBe(summary.totalRequests);
    expect(summary.byModel.map((model) => model.model)).toEqual(['gpt']);
  });

  it('keeps one-minute points for the short windows', () => {
    expect(summarizeCost(TENANT, 'LAST_15_MINUTES', NOW, []).bucketSeconds).toBe(60);
    expect(summarizeCost(TENANT, 'LAST_HOUR', NOW, []).bucketSeconds).toBe(60);
    // 96 buckets when the window starts on a bucket boundary.
    expect(summarizeCost(TENANT, 'LAST_24_HOURS', new Date('2026-03-01T12:14:10.000Z'), []).series).toHaveLength(96);
  });

  it('ignores rows outside the window', () => {
    const rows = [row('2026-03-01T12:15:00.000Z', 'old', 1n), row('2026-03-01T12:31:00.000Z', 'future', 1n)];
    const summary = summarizeCost(TENANT, 'LAST_15_MINUTES', NOW, rows);
    expect(summary.totalRequests).toBe(0);
    expect(summary.byModel).toEqual([]);
  });
});

describe('shadow cost', () => {
  const EXP_A = '00000000-0000-4000-8000-0000000000e1';
  const EXP_B = '00000000-0000-4000-8000-0000000000e2';
  const shadow = (bucketStart: string, experimentId: string, model: string, costMicros: bigint, requests = 1): ShadowCostRollupRow => ({
    ...row(bucketStart, model, costMicros, requests),
    experimentId,
  });

  it('sums shadow copies apart: never in the client totals, per minute and per experiment and model', () => {
    const summary = summarizeCost(
      TENANT,
      'LAST_15_MINUTES',
      NOW,
      [row('2026-03-01T12:30:00.000Z', 'champion', 1_000_000n)],
      [
        shadow('2026-03-01T12:30:00.000Z', EXP_A, 'challenger', 400_000n, 2),
        shadow('2026-03-01T12:29:00.000Z', EXP_A, 'challenger', 100_000n),
        shadow('2026-03-01T12:30:00.000Z', EXP_B, 'other', 700_000n),
        shadow('2026-03-01T12:00:00.000Z', EXP_B, 'other', 9n),
      ],
    );
    expect(summary.totalCostUsd).toBe(1);
    expect(summary.totalRequests).toBe(1);
    expect(summary.byModel.map((model) => model.model)).toEqual(['champion']);
    expect(summary.shadowCostUsd).toBe(1.2);
    expect(summary.shadowRequests).toBe(4);
    expect(summary.series[13]).toMatchObject({ costUsd: 0, requests: 0, shadowCostUsd: 0.1, shadowRequests: 1 });
    expect(summary.series[14]).toMatchObject({ costUsd: 1, requests: 1, shadowCostUsd: 1.1, shadowRequests: 3 });
    expect(summary.shadowByExperiment).toEqual([
      { experimentId: EXP_B, model: 'other', costUsd: 0.7, requests: 1, promptTokens: 10, completionTokens: 5 },
      { experimentId: EXP_A, model: 'challenger', costUsd: 0.5, requests: 3, promptTokens: 30, completionTokens: 15 },
    ]);
  });
});
