import { describe, expect, it } from 'vitest';
import type { FeatureRow } from '../store/optimizer-store';
import { mergeRegionFeatures } from './merge-features';

const row = (parts: Partial<FeatureRow>): FeatureRow => ({
  route: 'smart',
  upstream: 'mock/mini',
  model: 'mini',
  requests: 10,
  successes: 10,
  latencyP50Ms: 50,
  latencyP95Ms: 100,
  latencyP99Ms: 150,
  quality: null,
  qualitySamples: 0,
  promptTokens: 100n,
  completionTokens: 200n,
  costMicros: 1000n,
  ...parts,
});

describe('mergeRegionFeatures', () => {
  it('adds counts and money, weights latency by requests and quality by samples', () => {
    const [merged] = mergeRegionFeatures([[row({ requests: 30, successes: 20, latencyP95Ms: 100, quality: 0.9, qualitySamples: 3 })], [row({ requests: 10, successes: 10, latencyP95Ms: 300, quality: 0.1, qualitySamples: 1, costMicros: 5n })]]);
    expect(merged).toMatchObject({ requests: 40, successes: 30, latencyP95Ms: 150, qualitySamples: 4, promptTokens: 200n, costMicros: 1005n });
    expect(merged!.quality).toBeCloseTo(0.7);
  });

  it('keeps arms apart and a region without feedback does not dilute quality', () => {
    const merged = mergeRegionFeatures([[row({ upstream: 'b', quality: 0.5, qualitySamples: 2 })], [row({ upstream: 'b' }), row({ upstream: 'a' })], []]);
    expect(merged.map((r) => [r.upstream, r.requests, r.quality])).toEqual([
      ['a', 10, null],
      ['b', 20, 0.5],
    ]);
  });

  it('is the identity for one region', () => {
    const rows = [row({ upstream: 'a', quality: 0.4, qualitySamples: 2 }), row({ upstream: 'b' })];
    expect(mergeRegionFeatures([rows])).toEqual(rows);
  });
});
