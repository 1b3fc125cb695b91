import { describe, expect, it } from 'vitest';
import { bucketsForWindow, DEFAULT_TIERS } from './bucket-plan';

describe('bucketsForWindow', () => {
  const now = Date.UTC(2026, 11, 7, 12, 30, 15);

  it('reads minutes for short windows and hours for a day or more', () => {
    const five = bucketsForWindow(now, 300, DEFAULT_TIERS);
    expect(five).toHaveLength(5);
    expect(five.every((b) => b.tierSeconds === 60)).toBe(true);
    expect(five.at(-1)?.index).toBe(Math.floor(now / 60_000));
    expect(bucketsForWindow(now, 3_600, DEFAULT_TIERS)).toHaveLength(60);
    const day = bucketsForWindow(now, 86_400, DEFAULT_TIERS);
    expect(day).toHaveLength(24);
    expect(day.every((b) => b.tierSeconds === 3_600)).toBe(true);
    expect(bucketsForWindow(now, 7 * 86_400, DEFAULT_TIERS)).toHaveLength(168);
    const month = bucketsForWindow(now, 30 * 86_400, DEFAULT_TIERS);
    expect(month).toHaveLength(30);
    expect(month.every((b) => b.tierSeconds === 86_400)).toBe(true);
  });

  it('falls back to the finest tier for windows shorter than it', () => {
    expect(bucketsForWindow(now, 30, DEFAULT_TIERS)).toEqual([{ tierSeconds: 60, index: Math.floor(now / 60_000) }]);
  });
});
