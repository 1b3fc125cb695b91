import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, parseFederationViewMessage, type FederationViewMessage } from '@switchyard/events/federation';
import { ROUTING_OBSERVED_CHANNEL, type RoutingObservation } from '@switchyard/events/routing';
import { composeFederationCoordinator, type FederationCoordinator } from './coordinator';
import { publicKeyFromJwk, signingKeyFromJwk, type RegionKeyring, type RegionSigningKey } from './signing';

const running: FederationCoordinator[] = [];
afterEach(async () => {
  for (const coordinator of running.splice(0)) await coordinator.close();
});

function keyPair(region: string): { signing: RegionSigningKey; trusted: { keyId: string; publicKey: ReturnType<typeof publicKeyFromJwk> } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, `${region}-1`, privateKey.export({ format: 'jwk' })), trusted: { keyId: `${region}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}

/** Two regions' coordinators, each on its own bus; B polls A over loopback HTTP. */
async function twoRegions(now: () => number = Date.now) {
  const keys = { a: keyPair('region-a'), b: keyPair('region-b') };
  const keyring: RegionKeyring = new Map([
    ['region-a', [keys.a.trusted]],
    ['region-b', [keys.b.trusted]],
  ]);
  const buses = { a: createInProcessBus(), b: createInProcessBus() };
  const config = { keyring, federatedRoutes: new Set(['smart']), intervalMs: 3_600_000, pollMs: 3_600_000 };
  const a = await composeFederationCoordinator({ ...config, region: 'region-a', signingKey: keys.a.signing, peers: [] }, { bus: buses.a });
  running.push(a);
  await new Promise<void>((resolve) => a.server.listen(0, '127.0.0.1', resolve));
  const aUrl = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
  const b = await composeFederationCoordinator({ ...config, region: 'region-b', signingKey: keys.b.signing, peers: [{ region: 'region-a', baseUrl: aUrl }] }, { bus: buses.b, now });
  running.push(b);
  return { a, b, busA: buses.a, busB: buses.b };
}

/** What region A's data planes publish after serving: a batch on its bus, as routing-observations.ts sends it. */
async function observe(bus: Bus, observations: RoutingObservation[]): Promise<void> {
  await bus.publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: 'replica-1', id: randomUUID(), observations }));
}

describe('federation coordinator', () => {
  it("turns region A's routing observations into signed deltas that region B merges; a tenant's own route stays home", async () => {
    const { a, b, busA } = await twoRegions();
    const outcome = (route: string, success: boolean): RoutingObservation => ({ kind: 'outcome', tenantId: randomUUID(), route, upstream: 'mock/mock-gpt', success, latencyMs: 200, platform: true });
    // A tenant's own route, even one named like a shared platform route (no `platform` mark), stays home.
    const tenantsOwn: RoutingObservation = { kind: 'outcome', tenantId: randomUUID(), route: 'smart', upstream: 'mock/mock-gpt', success: false, latencyMs: 0 };
    await observe(busA, [...Array.from({ length: 8 }, () => outcome('smart', true)), outcome('smart', false), outcome('smart', false), outcome('acme-private-route', true), ...Array.from({ length: 50 }, () => tenantsOwn)]);
    await observe(busA, [{ kind: 'feedback', tenantId: randomUUID(), route: 'smart', upstream: 'mock/mock-gpt', score: 1, platform: true }]);
    await busA.publish(ROUTING_OBSERVED_CHANNEL, '{not json'); // ignored
    a.cutOnce();

    const polled = await b.pollOnce();
    expect(polled).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: 1 } }]);
    const view = b.stats.view('smart', 'mock/mock-gpt');
    expect(view?.regions).toEqual(['region-a']);
    // 8 of 10 succeeded; the first evidence moves an even rate by at most one step towards it.
    expect(view?.successRate).toBeGreaterThan(0.5);
    expect(view?.quality).toBeGreaterThan(0.5);
    expect(view?.latencyMs).toBe(200);
    expect(b.stats.keys()).toEqual([{ route: 'smart', upstream: 'mock/mock-gpt' }]);
    // Nothing new: the next poll applies nothing.
    expect(await b.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: {} }]);
  });

  it("publishes its merged view of the other regions on its own bus when a poll applied something, and every interval", async () => {
    const { a, b, busA, busB } = await twoRegions();
    const views: FederationViewMessage[] = [];
    await busB.subscribe(FEDERATION_VIEW_CHANNEL, (message) => {
      const view = parseFederationViewMessage(message);
      if (view) views.push(view);
    });
    await observe(busA, Array.from({ length: 20 }, (): RoutingObservation => ({ kind: 'outcome', tenantId: randomUUID(), route: 'smart', upstream: 'mock/mock-gpt', success: false, latencyMs: 0, platform: true })));
    a.cutOnce();
    await b.pollOnce();
    expect(views).toHaveLength(1);
    expect(views[0]).toMatchObject({ region: 'region-b', entries: [{ route: 'smart', upstream: 'mock/mock-gpt', regions: ['region-a'] }] });
    expect(views[0]!.entries[0]!.successRate).toBeLessThan(0.5);
    // A poll that applied nothing publishes nothing; the interval's publication repeats the whole view with a higher version.
    await b.pollOnce();
    expect(views).toHaveLength(1);
    await b.publishView();
    expect(views).toHaveLength(2);
    expect(views[1]!.version).toBeGreaterThan(views[0]!.version);
    expect(views[1]!.entries).toEqual(views[0]!.entries);
  });

  it('answers /healthz and /readyz (ready once subscribed to its bus, not ready from the moment it closes)', async () => {
    const { a } = await twoRegions(); // A listens (B polls it)
    const base = `http://127.0.0.1:${(a.server.address() as AddressInfo).port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
    expect((await fetch(`${base}/nothing`)).status).toBe(404);
    const closing = a.close();
    expect(a.ready()).toBe(false);
    await closing;
  });

  it("in a partition keeps the peer's last evidence for 15 minutes, then drops it; after the link heals it catches up and publishes it again", async () => {
    let clock = Date.now();
    const { a, b, busA, busB } = await twoRegions(() => clock);
    const port = (a.server.address() as AddressInfo).port;
    const views: FederationViewMessage[] = [];
    await busB.subscribe(FEDERATION_VIEW_CHANNEL, (message) => {
      const view = parseFederationViewMessage(message);
      if (view) views.push(view);
    });
    const failures = (): RoutingObservation[] => Array.from({ length: 50 }, () => ({ kind: 'outcome', tenantId: randomUUID(), route: 'smart', upstream: 'mock/mock-gpt', success: false, latencyMs: 0, platform: true }));
    await observe(busA, failures());
    a.cutOnce();
    await b.pollOnce();
    expect(views.at(-1)?.entries).toHaveLength(1);

    // The link breaks; A keeps counting and signing.
    await new Promise<void>((resolve) => a.server.close(() => resolve()));
    for (let i = 0; i < 3; i++) {
      await observe(busA, failures());
      a.cutOnce();
    }
    clock += 10 * 60_000;
    expect((await b.pollOnce())[0]?.ok).toBe(false);
    await b.publishView();
    expect(views.at(-1)?.entries).toHaveLength(1); // 10 minutes: still the last known evidence
    clock += 6 * 60_000;
    await b.publishView();
    expect(views.at(-1)?.entries).toEqual([]); // 16 minutes: A no longer counts

    // The link heals: the next poll fetches the three deltas A signed meanwhile, and the view is back at once.
    await new Promise<void>((resolve) => a.server.listen(port, '127.0.0.1', resolve));
    const published = views.length;
    expect(await b.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: 3 } }]);
    expect(views).toHaveLength(published + 1);
    expect(views.at(-1)?.entries[0]?.regions).toEqual(['region-a']);
    expect(views.at(-1)!.entries[0]!.successRate).toBeLessThan(views[0]!.entries[0]!.successRate);
  });
});
