import { describe, expect, it } from 'vitest';
import { budgetView, crossedThresholds, epsilonDeltaOf, remainingMicros } from './budget';
import type { DpBudget } from './budget';

const budget = (overrides: Partial<DpBudget> = {}): DpBudget => ({
  id: 'b1',
  tenantId: 't1',
  dataset: 'visits',
  mode: 'pure_epsilon',
  capMicros: 1_000_000n,
  spentMicros: 0n,
  reservedMicros: 0n,
  delta: null,
  alertThresholds: [50, 80],
  createdAt: new Date('2026-01-01T00:00:00Z'),
  ...overrides,
});

describe('crossedThresholds', () => {
  it('reports each threshold crossed upward by one change, ascending', () => {
    expect(crossedThresholds([80, 50, 95], 1_000_000n, 400_000n, 850_000n)).toEqual([50, 80]);
  });
  it('counts reaching a threshold exactly as crossing it', () => {
    expect(crossedThresholds([50], 1_000_000n, 499_999n, 500_000n)).toEqual([50]);
  });
  it('reports nothing for a change that stays below, starts above, or goes down', () => {
    expect(crossedThresholds([50], 1_000_000n, 0n, 499_999n)).toEqual([]);
    expect(crossedThresholds([50], 1_000_000n, 500_000n, 700_000n)).toEqual([]);
    expect(crossedThresholds([50], 1_000_000n, 700_000n, 100_000n)).toEqual([]);
  });
  it('is exact for caps that do not divide by 100', () => {
    // 1/3 of a 3-micro cap is 33.3…%: 1 micro has not reached 34%.
    expect(crossedThresholds([34], 3n, 0n, 1n)).toEqual([]);
    expect(crossedThresholds([33], 3n, 0n, 1n)).toEqual([33]);
  });
});

describe('budgetView', () => {
  it('shows micro-units, decimals and the remainder', () => {
    const view = budgetView(budget({ spentMicros: 250_000n, reservedMicros: 500_001n }));
    expect(view).toMatchObject({ capMicros: '1000000', remainingMicros: '249999', cap: '1', spent: '0.25', reserved: '0.500001', remaining: '0.249999', mode: 'PURE_EPSILON' });
    expect(view.usedPercent).toBe(75);
    expect(view.capEpsilonDelta).toBeNull();
    expect(remainingMicros(budget({ spentMicros: 1n }))).toBe(999_999n);
  });
  it('shows a zCDP budget as (ε, δ) with ε = ρ + 2·sqrt(ρ·ln(1/δ))', () => {
    const zcdp = budget({ mode: 'zcdp', delta: 1e-6, capMicros: 500_000n });
    const shown = epsilonDeltaOf(zcdp, zcdp.capMicros);
    expect(shown?.delta).toBe(1e-6);
    expect(shown?.epsilon).toBeCloseTo(0.5 + 2 * Math.sqrt(0.5 * Math.log(1e6)), 12);
    expect(budgetView(zcdp).mode).toBe('ZCDP');
  });
});
