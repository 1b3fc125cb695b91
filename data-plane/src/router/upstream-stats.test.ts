import { describe, expect, it } from 'vitest';
import { createUpstreamStats } from './upstream-stats';

describe('upstream stats', () => {
  it('peak-EWMA jumps to a slow sample and decays back with time', () => {
    const stats = createUpstreamStats({ decayMs: 1_000 });
    stats.started('a');
    stats.finished('a', 0, 100);
    expect(stats.loadCost('a', 0)).toBe(100);
    stats.started('a');
    stats.finished('a', 10, 1_000);
    expect(stats.loadCost('a', 10)).toBe(1_000); // peak
    expect(stats.loadCost('a', 3_010)).toBeLessThan(100); // decayed
  });

  it('load cost grows with requests in flight, and an unseen upstream costs nothing', () => {
    const stats = createUpstreamStats();
    stats.started('a');
    stats.finished('a', 0, 100);
    stats.started('a');
    stats.started('a');
    expect(stats.loadCost('a', 0)).toBe(300);
    expect(stats.loadCost('never-seen', 0)).toBe(0);
  });

  it('percentiles over the recent window', () => {
    const stats = createUpstreamStats({ window: 100 });
    expect(stats.percentile('a', 99)).toBeUndefined();
    for (let i = 1; i <= 200; i++) {
      stats.started('a');
      stats.finished('a', i, i);
    }
    // Only the last 100 samples (101..200) remain.
    expect(stats.percentile('a', 50)).toBe(150);
    expect(stats.percentile('a', 99)).toBe(199);
    expect(stats.percentile('a', 100)).toBe(200);
  });

  it('failed attempts free their in-flight slot without a latency sample', () => {
    const stats = createUpstreamStats();
    stats.started('a');
    stats.finished('a', 0);
    expect(stats.percentile('a', 50)).toBeUndefined();
    expect(stats.loadCost('a', 0)).toBe(0);
  });
});
