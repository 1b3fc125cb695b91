import { describe, expect, it } from 'vitest';
import { budgetBarPercent, burnShareOfThreshold, describeObjective, formatBudget, formatBurn, formatSli, windowLabel } from './slo-format';

describe('slo-format', () => {
  it('names windows as people do', () => {
    expect([300, 3_600, 86_400, 45].map(windowLabel)).toEqual(['5m', '1h', '24h', '45s']);
  });

  it('describes each class of objective', () => {
    const base = { windowDays: 30, thresholdMs: null, percentile: null, maxRegret: null, minSavingsPct: null };
    expect(describeObjective({ ...base, kind: 'LATENCY', objective: 0.95, percentile: 95, thresholdMs: 800 })).toBe('p95 ≤ 800 ms over 30 d');
    expect(describeObjective({ ...base, kind: 'AVAILABILITY', objective: 0.999 })).toBe('99.9 % answered over 30 d');
    expect(describeObjective({ ...base, kind: 'QUALITY', objective: 0.9, maxRegret: 0.1 })).toBe('90 % with regret ≤ 0.1 over 30 d');
  });

  it('formats SLIs, budgets and burn rates, keeping overspent budgets negative and bars in range', () => {
    expect(formatSli(null)).toBe('—');
    expect(formatSli(0.9951)).toBe('99.51 %');
    expect(formatBudget(-2)).toBe('-200 %');
    expect(budgetBarPercent(-2)).toBe(0);
    expect(budgetBarPercent(0.42)).toBe(42);
    expect([0, 2.345, 14.4, 30, 123.4].map(formatBurn)).toEqual(['0×', '2.3×', '14.4×', '30×', '123×']);
    expect(burnShareOfThreshold({ threshold: 14.4 }, 28.8)).toBe(2);
  });
});
