import { describe, expect, it } from 'vitest';
import { burnRate, burnRateThreshold, DEFAULT_WINDOW_PAIRS, errorBudget, evaluateBurn, windowsOf, type Counts } from './burn-rate';

const [fast, slow] = DEFAULT_WINDOW_PAIRS;
if (fast === undefined || slow === undefined) throw new Error('two default pairs expected');
const day = 86_400;

describe('burn-rate thresholds', () => {
  it('are the SRE workbook numbers for a 30-day window', () => {
    expect(burnRateThreshold(fast, 30 * day)).toBeCloseTo(14.4, 10);
    expect(burnRateThreshold(slow, 30 * day)).toBeCloseTo(3, 10);
  });

  it('scale with the window and never drop below a sustainable burn of 1', () => {
    expect(burnRateThreshold(fast, 7 * day)).toBeCloseTo(3.36, 10);
    expect(burnRateThreshold(slow, 7 * day)).toBe(1);
  });
});

describe('burnRate and errorBudget', () => {
  it('is the error ratio over the allowed error ratio', () => {
    expect(burnRate({ good: 990, total: 1000 }, 0.99)).toBeCloseTo(1, 10);
    expect(burnRate({ good: 856, total: 1000 }, 0.99)).toBeCloseTo(14.4, 10);
    expect(burnRate({ good: 0, total: 0 }, 0.99)).toBe(0);
  });

  it('reports the SLI and the share of the budget left, negative once overspent', () => {
    expect(errorBudget({ good: 0, total: 0 }, 0.99)).toEqual({ sli: null, remaining: 1 });
    const half = errorBudget({ good: 995, total: 1000 }, 0.99);
    expect(half.sli).toBeCloseTo(0.995, 10);
    expect(half.remaining).toBeCloseTo(0.5, 10);
    expect(errorBudget({ good: 970, total: 1000 }, 0.99).remaining).toBeCloseTo(-2, 10);
  });
});

describe('evaluateBurn', () => {
  const slo = { objective: 0.99, windowDays: 30 };
  const counts = (entries: Array<[number, Counts]>) => new Map(entries);

  it('pages only when both the long and the short window burn past the threshold', () => {
    const burning: Counts = { good: 800, total: 1000 }; // 20× burn
    const calm: Counts = { good: 1000, total: 1000 };
    expect(evaluateBurn(slo, counts([[3_600, burning], [300, burning]])).state).toBe('page');
    // The fault ended: the hour still remembers it, the last five minutes are clean.
    const after = evaluateBurn(slo, counts([[3_600, burning], [300, calm]]));
    expect(after.state).toBe('ok');
    expect(after.pairs.find((p) => p.name === 'fast')).toMatchObject({ longBurn: expect.closeTo(20, 5), shortBurn: 0, firing: false });
    // A five-minute blip that has not yet spent 2 % of the budget in the hour.
    expect(evaluateBurn(slo, counts([[3_600, { good: 990, total: 1000 }], [300, burning]])).state).toBe('ok');
  });

  it('opens a ticket for a slow burn and pages over it when both fire', () => {
    const slowBurn: Counts = { good: 950, total: 1000 }; // 5×: past 3, under 14.4
    expect(evaluateBurn(slo, counts([[86_400, slowBurn], [3_600, slowBurn], [300, slowBurn]])).state).toBe('ticket');
    const hot: Counts = { good: 500, total: 1000 };
    expect(evaluateBurn(slo, counts([[86_400, hot], [3_600, hot], [300, hot]])).state).toBe('page');
  });

  it('never alerts without traffic', () => {
    expect(evaluateBurn(slo, new Map()).state).toBe('ok');
  });

  it('lists each window once, shortest first', () => {
    expect(windowsOf(DEFAULT_WINDOW_PAIRS)).toEqual([300, 3_600, 86_400]);
  });
});
