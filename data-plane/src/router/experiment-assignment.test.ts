import { describe, expect, it } from 'vitest';
import { assignArm, unitValue } from './experiment-assignment';

const experimentId = '5b0f8c2e-3f5a-4d7e-9a43-2f1d8f0b6c11';

describe('assignArm', () => {
  it('is sticky: a unit always gets the same arm', () => {
    for (let i = 0; i < 50; i++) expect(assignArm(experimentId, 30, `caller:${i}`)).toBe(assignArm(experimentId, 30, `caller:${i}`));
  });

  it('sends about p % of units to the challenger', () => {
    const n = 20_000;
    let challenger = 0;
    for (let i = 0; i < n; i++) if (assignArm(experimentId, 25, `caller:${i}`) === 'challenger') challenger++;
    // Binomial(20000, 0.25): sd ≈ 61, so ±1.5 points is > 4.8 sd.
    expect(challenger / n).toBeGreaterThan(0.235);
    expect(challenger / n).toBeLessThan(0.265);
  });

  it('0 % sends nobody and 100 % everybody', () => {
    for (let i = 0; i < 100; i++) {
      expect(assignArm(experimentId, 0, `u${i}`)).toBe('champion');
      expect(assignArm(experimentId, 100, `u${i}`)).toBe('challenger');
    }
  });

  it('assigns independently in different experiments', () => {
    const other = '9d7c1e55-0b2a-4f3c-8e61-7a5b4c3d2e1f';
    let same = 0;
    for (let i = 0; i < 2_000; i++) if (assignArm(experimentId, 50, `u${i}`) === assignArm(other, 50, `u${i}`)) same++;
    expect(same / 2_000).toBeGreaterThan(0.45);
    expect(same / 2_000).toBeLessThan(0.55);
  });
});

describe('unitValue', () => {
  it('uses the chosen unit, falling back to the caller', () => {
    expect(unitValue('user', { endUser: 'alice', caller: 'k1' })).toBe('user:alice');
    expect(unitValue('user', { caller: 'k1' })).toBe('caller:k1');
    expect(unitValue('session', { session: 's9', caller: 'k1' })).toBe('session:s9');
    expect(unitValue('key', { endUser: 'alice', session: 's9', caller: 'k1' })).toBe('caller:k1');
  });
});
