import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, FEDERATION_VIEW_FORMAT, federationViewMessage, type FederationViewMessage } from '@switchyard/events/federation';
import { createFederatedViewCache, type ViewOutcome } from './federated-view';

const entry = { route: 'smart', upstream: 'mock/mock-large', successRate: 0.1, latencyMs: 300, quality: null, volume: 50, regions: ['region-b'] };
const view = (version: number, overrides: Partial<FederationViewMessage> = {}): FederationViewMessage => ({ format: FEDERATION_VIEW_FORMAT, region: 'region-a', version, issuedAt: version, ttlMs: 30_000, entries: [entry], ...overrides });

describe("a data plane's federation view", () => {
  it('keeps the newest version, ignores a late older one, and forgets it ttl after it arrived', () => {
    let now = 1_000;
    const cache = createFederatedViewCache({ region: 'region-a', clock: () => now });
    expect(cache.evidence('smart', 'mock/mock-large')).toBeUndefined();
    expect(cache.apply(view(10))).toBe('applied');
    expect(cache.evidence('smart', 'mock/mock-large')).toEqual({ successRate: 0.1, latencyMs: 300, quality: null, volume: 50 });
    expect(cache.evidence('smart', 'mock/mock-mini')).toBeUndefined();
    // A replayed or late message: the same or an older version changes nothing.
    expect(cache.apply(view(10, { entries: [] }))).toBe('stale');
    expect(cache.apply(view(9, { entries: [] }))).toBe('stale');
    expect(cache.evidence('smart', 'mock/mock-large')?.successRate).toBe(0.1);
    // A newer view replaces the whole view (an entry it lacks is gone).
    expect(cache.apply(view(11, { entries: [{ ...entry, upstream: 'mock/mock-mini' }] }))).toBe('applied');
    expect(cache.evidence('smart', 'mock/mock-large')).toBeUndefined();
    // The coordinator went away: after ttl the view no longer steers.
    now += 30_001;
    expect(cache.evidence('smart', 'mock/mock-mini')).toBeUndefined();
    // A restarted coordinator whose clock went back is believed again once the old view expired.
    expect(cache.apply(view(5))).toBe('applied');
    expect(cache.evidence('smart', 'mock/mock-large')).toBeDefined();
  });

  it("ignores a view published for another region and anything malformed on the channel", async () => {
    const bus = createInProcessBus();
    const outcomes: ViewOutcome[] = [];
    const cache = createFederatedViewCache({ region: 'region-a' });
    const unsubscribe = await cache.subscribe(bus, (outcome) => outcomes.push(outcome));
    await bus.publish(FEDERATION_VIEW_CHANNEL, federationViewMessage(view(1, { region: 'region-b' })));
    await bus.publish(FEDERATION_VIEW_CHANNEL, '{"format":1');
    await bus.publish(FEDERATION_VIEW_CHANNEL, JSON.stringify({ ...view(2), entries: [{ ...entry, successRate: 7 }] }));
    await bus.publish(FEDERATION_VIEW_CHANNEL, JSON.stringify({ ...view(3), format: 99 }));
    expect(cache.evidence('smart', 'mock/mock-large')).toBeUndefined();
    await bus.publish(FEDERATION_VIEW_CHANNEL, federationViewMessage(view(4)));
    expect(outcomes).toEqual(['other_region', 'malformed', 'malformed', 'malformed', 'applied']);
    expect(cache.evidence('smart', 'mock/mock-large')).toBeDefined();
    await unsubscribe();
    await bus.close();
  });
});
