import { describe, expect, it } from 'vitest';
import { promDuration } from './promql-duration';

describe('promDuration', () => {
  it('uses the largest unit that divides the seconds', () => {
    expect(promDuration(300)).toBe('5m');
    expect(promDuration(3_600)).toBe('1h');
    expect(promDuration(86_400)).toBe('1d');
    expect(promDuration(30 * 86_400)).toBe('30d');
    expect(promDuration(14 * 86_400)).toBe('2w');
    expect(promDuration(20)).toBe('20s');
    expect(() => promDuration(0)).toThrow();
  });
});
