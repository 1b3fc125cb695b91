import { describe, expect, it } from 'vitest';
import { formatAxisTime, formatTimestamp } from './display';

describe('formatTimestamp', () => {
  it('renders every instant the same way, in UTC with seconds', () => {
    expect(formatTimestamp('2026-11-26T03:43:12.345Z')).toBe('2026-11-26 03:43:12 UTC');
    expect(formatTimestamp('2026-11-26T05:43:12+02:00')).toBe('2026-11-26 03:43:12 UTC');
  });

  it('shows a dash for missing or unreadable values', () => {
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp(undefined)).toBe('—');
    expect(formatTimestamp('not a date')).toBe('—');
  });
});


describe('formatAxisTime', () => {
  it('cuts the one format short for axis ticks', () => {
    expect(formatAxisTime('2026-11-26 03:43:12 UTC', true)).toBe('2026-11-26 03:43');
    expect(formatAxisTime('2026-11-26 03:43:12 UTC', false)).toBe('03:43');
  });

  it('leaves anything else alone', () => {
    expect(formatAxisTime('—', true)).toBe('—');
  });
});
