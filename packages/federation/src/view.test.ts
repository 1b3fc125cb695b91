import { describe, expect, it } from 'vitest';
import { MAX_FEDERATION_VIEW_ENTRIES, federationViewMessageSchema } from '@switchyard/events/federation';
import { createFederatedStats } from './merge';
import { buildFederationView } from './view';

const entry = (route: string, upstream: string, requests: number, successes: number) => ({ route, upstream, requests, successes, latencyMsSum: successes * 100, qualitySum: 0, qualityCount: 0 });

describe('the federation view a coordinator publishes to its data planes', () => {
  const base = { region: 'region-a', version: 7, now: 1_000_000, ttlMs: 30_000, maxSilenceMs: 60_000 };

  it("carries only this region's shared routes, only regions heard from recently, and fits the schema", () => {
    const stats = createFederatedStats('region-a');
    stats.apply({ region: 'region-b', version: 1, issuedAt: 0, entries: [entry('smart', 'mock/a', 100, 0), entry('acme-private', 'mock/a', 100, 100)] });
    stats.apply({ region: 'region-c', version: 1, issuedAt: 0, entries: [entry('smart', 'mock/b', 100, 100)] });
    const heard = new Map([['region-b', 990_000], ['region-c', 900_000]]);
    const view = buildFederationView(stats, { ...base, routes: new Set(['smart']), heardAt: (region) => heard.get(region) });
    expect(federationViewMessageSchema.safeParse(view).success).toBe(true);
    // region-c was last heard 100 s ago (> 60 s): its evidence about mock/b no longer counts.
    expect(view.entries).toHaveLength(1);
    expect(view.entries[0]).toMatchObject({ route: 'smart', upstream: 'mock/a', regions: ['region-b'], latencyMs: null });
    expect(view.entries[0]!.successRate).toBeLessThan(0.5);
    expect(view).toMatchObject({ region: 'region-a', version: 7, issuedAt: 1_000_000, ttlMs: 30_000 });
  });

  it('a region never heard from since the coordinator started counts for nothing', () => {
    const stats = createFederatedStats('region-a');
    stats.apply({ region: 'region-b', version: 1, issuedAt: 0, entries: [entry('smart', 'mock/a', 100, 0)] });
    expect(buildFederationView(stats, { ...base, routes: new Set(['smart']), heardAt: () => undefined }).entries).toEqual([]);
  });

  it('keeps the entries with the most traffic when there are more than a message carries', () => {
    const stats = createFederatedStats('region-a');
    const many = Array.from({ length: MAX_FEDERATION_VIEW_ENTRIES + 10 }, (_, i) => entry('smart', `mock/m${i}`, i + 1, 0));
    stats.apply({ region: 'region-b', version: 1, issuedAt: 0, entries: many.slice(0, 2_000) });
    stats.apply({ region: 'region-b', version: 2, issuedAt: 0, entries: many.slice(2_000) });
    const view = buildFederationView(stats, { ...base, routes: new Set(['smart']), heardAt: () => base.now });
    expect(view.entries).toHaveLength(MAX_FEDERATION_VIEW_ENTRIES);
    expect(view.entries.some((e) => e.upstream === 'mock/m0')).toBe(false);
    expect(view.entries[0]!.upstream).toBe(`mock/m${MAX_FEDERATION_VIEW_ENTRIES + 9}`);
  });
});
