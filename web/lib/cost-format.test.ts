import { describe, expect, it } from 'vitest';
import { COST_WINDOW_OPTIONS, formatAxisUsd, formatCompact, formatInteger, formatShare, formatUsd } from './cost-format';

describe('formatUsd', () => {
  it('keeps six decimals below one dollar', () => {
    expect(formatUsd(0.004512)).toBe('$0.004512');
    expect(formatUsd(0)).toBe('$0.000000');
    expect(formatUsd(0.0000004)).toBe('$0.000000');
    expect(formatUsd(0.9999991)).toBe('$0.999999');
  });

  it('uses four decimals up to a hundred dollars and money format above', () => {
    expect(formatUsd(1.23456)).toBe('$1.2346');
    expect(formatUsd(99.5)).toBe('$99.5000');
    expect(formatUsd(1234.567)).toBe('$1,234.57');
  });

  it('handles negative and non-finite values', () => {
    expect(formatUsd(-0.5)).toBe('-$0.500000');
    expect(formatUsd(Number.NaN)).toBe('$0.000000');
    expect(formatUsd(Number.POSITIVE_INFINITY)).toBe('$0.000000');
  });
});

describe('number formatting', () => {
  it('groups integers and rounds', () => {
    expect(formatInteger(1234567)).toBe('1,234,567');
    expect(formatInteger(2.6)).toBe('3');
    expect(formatInteger(Number.NaN)).toBe('0');
  });

  it('compacts large numbers', () => {
    expect(formatCompact(12_300)).toBe('12.3K');
    expect(formatCompact(Number.NaN)).toBe('0');
  });

  it('computes shares without dividing by zero', () => {
    expect(formatShare(1, 4)).toBe('25.0%');
    expect(formatShare(1, 0)).toBe('0.0%');
  });
});

describe('COST_WINDOW_OPTIONS', () => {
  it('offers the three API windows in ascending order', () => {
    expect(COST_WINDOW_OPTIONS.map((option) => option.value)).toEqual(['LAST_15_MINUTES', 'LAST_HOUR', 'LAST_24_HOURS']);
    expect(COST_WINDOW_OPTIONS.map((option) => option.label)).toEqual(['15 min', '1 h', '24 h']);
  });
});

describe('formatAxisUsd', () => {
  it('keeps tiny ticks distinguishable', () => {
    expect(formatAxisUsd(0)).toBe('$0');
    expect(formatAxisUsd(0.000088)).toBe('$0.000088');
    expect(formatAxisUsd(0.0001)).toBe('$0.00010');
    expect(formatAxisUsd(0.00002)).toBe('$0.000020');
    expect(formatAxisUsd(0.5)).toBe('$0.50');
    expect(formatAxisUsd(12.345)).toBe('$12.35');
    expect(formatAxisUsd(1e-12)).toBe('$0.00000000');
    expect(formatAxisUsd(Number.NaN)).toBe('$0');
  });
});
