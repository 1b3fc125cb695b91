import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Bus } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, parseFederationViewMessage, type FederationViewMessage } from '@switchyard/events/federation';
import { ROUTING_OBSERVED_CHANNEL, type RoutingObservation } from '@switchyard/events/routing';
import { publicKeyFromJwk, signDelta, signingKeyFromJwk, type RegionKeyring, type RegionSigningKey, type SignedDelta } from '@switchyard/federation';
import { composeFederationCoordinator } from '@switchyard/federation/coordinator';
import { startHarness, type Harness } from '../test-support/data-plane-harness';
import { seededRandom } from './random';

/**
 * Other regions' evidence end to end: region B's data planes observe, B's coordinator signs deltas,
 * A's coordinator polls them over HTTP, verifies and merges them, publishes its view on A's bus,
 * and A's data plane ranks a platform route with it. Run on the in-process bus and on Redis.
 */
export interface RegionBuses {
  /** Region A's bus: its coordinator and its data plane. */
  a: Bus;
  /** Region B's bus (its own Redis in production). */
  b: Bus;
  close(): Promise<void>;
}

const ROUTE = { name: 'smart', strategy: { kind: 'bandit' as const, reward: { success: 1 } }, candidates: [{ model: 'mock-mini' }, { model: 'mock-large' }] };
const FAILING = 'mock/mock-large';
const HEALTHY = 'mock/mock-mini';
const REQUESTS = 30;

function keyPair(region: string, keyId = `${region}-1`): { signing: RegionSigningKey; trusted: { keyId: string; publicKey: ReturnType<typeof publicKeyFromJwk> } } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, keyId, privateKey.export({ format: 'jwk' })), trusted: { keyId, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * Publishes with `publish` and resolves with the first message on `channel` after it, seen by a
 * handler on the same bus object as the subscribers under test: handlers run in subscription
 * order, so when this one has it, theirs have run (on Redis too).
 */
async function delivered(bus: Bus, channel: string, publish: () => Promise<unknown>): Promise<string> {
  let resolveMessage: (message: string) => void = () => undefined;
  const received = new Promise<string>((resolve) => (resolveMessage = resolve));
  const stop = await bus.subscribe(channel, (message) => resolveMessage(message));
  await publish();
  const message = await received;
  await stop();
  return message;
}

/** The view the coordinator publishes on `bus` after `after` (every data plane on that bus object has it by then). */
async function nextView(bus: Bus, after: () => Promise<unknown>): Promise<FederationViewMessage> {
  const view = parseFederationViewMessage(await delivered(bus, FEDERATION_VIEW_CHANNEL, after));
  if (!view) throw new Error('malformed view');
  return view;
}

/**
 * Which upstream served each of `count` sequential requests: with `freshTenants`, each from a tenant
 * of its own (bandits learn per tenant, so every request is ranked before any local evidence).
 */
async function route(harness: Harness, count: number, freshTenants = false): Promise<string[]> {
  for (let i = 0; i < count; i++) {
    const secret = freshTenants ? harness.keys.add().secret : harness.secret;
    const response = await fetch(`${harness.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    await response.text();
  }
  const events = await harness.finish();
  return events.map((event) => event.route?.candidate ?? 'none');
}

const count = (served: string[], upstream: string) => served.filter((key) => key === upstream).length;

export function runFederatedRoutingContract(name: string, open: () => Promise<RegionBuses>): void {
  describe(`federated evidence in routing (${name})`, () => {
    const cleanups: Array<() => Promise<unknown>> = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const harnessOn = async (bus: Bus, seed: number) => startHarness({ bus, routes: [ROUTE], routing: { random: seededRandom(seed) } });

    it("an upstream failing in region B is avoided in region A before A has any evidence of its own", async () => {
      const buses = await open();
      cleanups.push(() => buses.close());
      const keys = { a: keyPair('region-a'), b: keyPair('region-b') };
      const keyring: RegionKeyring = new Map([['region-a', [keys.a.trusted]], ['region-b', [keys.b.trusted]]]);
      const common = { keyring, federatedRoutes: new Set(['smart']), intervalMs: 3_600_000, pollMs: 3_600_000 };
      const b = await composeFederationCoordinator({ ...common, region: 'region-b', signingKey: keys.b.signing, peers: [] }, { bus: buses.b });
      cleanups.push(() => b.close());
      const bUrl = await listen(b.server);
      const a = await composeFederationCoordinator({ ...common, region: 'region-a', signingKey: keys.a.signing, peers: [{ region: 'region-b', baseUrl: bUrl }] }, { bus: buses.a });
      cleanups.push(() => a.close());

      // Region A's data plane starts before any view exists; a control data plane never gets one.
      const subject = await harnessOn(buses.a, 5);
      const control = await startHarness({ routes: [ROUTE], routing: { random: seededRandom(5) } });

      // Region B: mock-large fails, mock-mini answers, over 20 intervals (the damped merge moves one step per delta).
      let view: FederationViewMessage | undefined;
      for (let interval = 0; interval < 20; interval++) {
        const observations: RoutingObservation[] = [];
        for (let i = 0; i < 50; i++) {
          observations.push({ kind: 'outcome', tenantId: randomUUID(), route: 'smart', upstream: FAILING, success: false, latencyMs: 0, platform: true });
          observations.push({ kind: 'outcome', tenantId: randomUUID(), route: 'smart', upstream: HEALTHY, success: true, latencyMs: 120, platform: true });
        }
        // B's coordinator (subscribed first on the same bus object) has counted them when this resolves.
        await delivered(buses.b, ROUTING_OBSERVED_CHANNEL, () => buses.b.publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: 'region-b-replica', id: randomUUID(), observations })));
        b.cutOnce();
        view = await nextView(buses.a, () => a.pollOnce());
      }
      const failing = view?.entries.find((entry) => entry.upstream === FAILING);
      expect(failing?.successRate).toBeLessThan(0.2);
      expect(view?.entries.find((entry) => entry.upstream === HEALTHY)?.successRate).toBeGreaterThan(0.8);

      expect(await subject.metricsText()).toMatch(/switchyard_federation_views_total\{outcome="applied"\} 20\b/);
      // Every request from a new tenant: each ranking is made before the route has any local evidence.
      const served = await route(subject, REQUESTS, true);
      const unguided = await route(control, REQUESTS, true);
      // Without the view a fresh bandit sends about half of them to the failing upstream; with it, hardly any.
      expect(count(unguided, FAILING)).toBeGreaterThanOrEqual(REQUESTS / 4);
      expect(count(served, FAILING)).toBeLessThanOrEqual(2);
    });

    it('a forged or replayed delta changes nothing: the view, and every routing decision, stay what they were', async () => {
      const buses = await open();
      cleanups.push(() => buses.close());
      const keys = { a: keyPair('region-a'), b: keyPair('region-b'), attacker: keyPair('region-b') };
      const keyring: RegionKeyring = new Map([['region-a', [keys.a.trusted]], ['region-b', [keys.b.trusted]]]);
      // Region B's address answers with whatever this test serves: one genuine delta, then forgeries and replays.
      let served: SignedDelta[] = [];
      const peer = createServer((request, response) => {
        const since = Number(new URL(request.url ?? '/', 'http://peer.invalid').searchParams.get('since') ?? '0');
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ region: 'region-b', deltas: since >= 0 ? served : [] }));
      });
      cleanups.push(() => new Promise((resolve) => peer.close(resolve)));
      const peerUrl = await listen(peer);
      const a = await composeFederationCoordinator(
        { keyring, federatedRoutes: new Set(['smart']), intervalMs: 3_600_000, pollMs: 3_600_000, region: 'region-a', signingKey: keys.a.signing, peers: [{ region: 'region-b', baseUrl: peerUrl }] },
        { bus: buses.a },
      );
      cleanups.push(() => a.close());

      const entry = (upstream: string, successes: number) => ({ route: 'smart', upstream, requests: 200, successes, latencyMsSum: successes * 100, qualitySum: 0, qualityCount: 0 });
      const genuine = [signDelta(keys.b.signing, { region: 'region-b', version: 1_000, issuedAt: 1_000, entries: [entry(FAILING, 0), entry(HEALTHY, 200)] })];
      served = genuine;
      const before = await nextView(buses.a, () => a.pollOnce());
      expect(before.entries).toHaveLength(2);

      // The same region's address now serves what would make mock-mini look broken: signed with a key
      // nobody trusts, tampered with, and the genuine delta replayed (same and lower version).
      const lies = Array.from({ length: 30 }, (_, i) => signDelta(keys.attacker.signing, { region: 'region-b', version: 2_000 + i, issuedAt: 2_000 + i, entries: [entry(HEALTHY, 0), entry(FAILING, 200)] }));
      const tampered = { ...genuine[0]!, payload: Buffer.from(JSON.stringify({ region: 'region-b', version: 5_000, issuedAt: 5_000, entries: [entry(HEALTHY, 0)] })).toString('base64url') };
      const older = signDelta(keys.b.signing, { region: 'region-b', version: 999, issuedAt: 999, entries: [entry(HEALTHY, 0)] });
      served = [...lies, tampered, genuine[0]!, older];
      const results = await a.pollOnce();
      expect(results).toEqual([{ region: 'region-b', ok: true, outcomes: { bad_signature: 31, replayed_or_stale: 2 } }]);
      // Nothing applied, so nothing was published; the interval's publication repeats the same view.
      const after = await nextView(buses.a, () => a.publishView());
      expect(after.version).toBeGreaterThan(before.version);
      expect(after.entries).toEqual(before.entries);

      // Two data planes with the same seed: one got the view before the forgeries, one after; they route alike.
      const subject = await harnessOn(buses.a, 9);
      await nextView(buses.a, () => a.publishView());
      const reference = await startHarness({ routes: [ROUTE], routing: { random: seededRandom(9) } });
      await delivered(reference.bus, FEDERATION_VIEW_CHANNEL, () => reference.bus.publish(FEDERATION_VIEW_CHANNEL, JSON.stringify(before)));
      const subjectServed = await route(subject, REQUESTS);
      const referenceServed = await route(reference, REQUESTS);
      expect(subjectServed).toEqual(referenceServed);
      expect(a.receiver.counts()).toMatchObject({ applied: 1, bad_signature: 31, replayed_or_stale: 2 });
    });
  });
}
