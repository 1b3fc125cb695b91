import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createFederationPoller, createFederationServer, DELTAS_PATH, MAX_DELTAS_PER_PAGE } from './http';
import { createFederatedStats } from './merge';
import { createDeltaPublisher, type DeltaPublisher } from './publisher';
import { createFederationReceiver } from './receiver';
import { publicKeyFromJwk, signingKeyFromJwk, type RegionKeyring } from './signing';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** Region `region`'s coordinator: a publisher behind the pull endpoint on loopback, port 0. */
async function region(name: string, token?: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publisher = createDeltaPublisher({ key: signingKeyFromJwk(name, `${name}-1`, privateKey.export({ format: 'jwk' })), startVersion: 0 });
  const server = createFederationServer({ region: name, publisher, token });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { name, publisher, baseUrl, trusted: { keyId: `${name}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}

/** One interval of region traffic: `n` requests on route smart, upstream x, `ok` of them successful. */
function traffic(publisher: DeltaPublisher, n: number, ok: number, now: number) {
  for (let i = 0; i < n; i += 1) publisher.record({ kind: 'outcome', route: 'smart', upstream: 'mock/x', success: i < ok, latencyMs: 300 });
  publisher.cut(now);
}

describe('HTTP pull between regions', () => {
  it('a partitioned region catches up on everything it missed once the link heals', async () => {
    const a = await region('region-a');
    const keyring: RegionKeyring = new Map([['region-a', [a.trusted]]]);
    const stats = createFederatedStats('region-b');
    const receiver = createFederationReceiver(keyring, stats);
    let partitioned = false;
    const poller = createFederationPoller({
      peers: [{ region: 'region-a', baseUrl: a.baseUrl }],
      receiver,
      stats,
      // The partition: region B's requests to region A fail as a dropped link would.
      fetch: (input, init) => (partitioned ? Promise.reject(new TypeError('fetch failed: ECONNREFUSED')) : fetch(input, init)),
    });

    traffic(a.publisher, 100, 90, 1);
    expect(await poller.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: 1 } }]);
    const reference = createFederatedStats('region-z');
    // What B would know had it never been cut off: A's deltas applied in order.
    reference.apply(JSON.parse(Buffer.from(a.publisher.since(0)[0]?.payload ?? '', 'base64url').toString('utf8')));

    partitioned = true;
    for (let interval = 2; interval <= 2 + MAX_DELTAS_PER_PAGE + 20; interval += 1) traffic(a.publisher, 100, 50, interval); // A degrades while B cannot see it
    const during = await poller.pollOnce();
    expect(during[0]?.ok).toBe(false);
    expect(stats.lastVersion('region-a')).toBe(1);

    partitioned = false;
    const healed = await poller.pollOnce();
    // More than one page: the poller kept asking while pages were full.
    expect(healed).toEqual([{ region: 'region-a', ok: true, outcomes: { applied: MAX_DELTAS_PER_PAGE + 21 } }]);
    expect(stats.lastVersion('region-a')).toBe(a.publisher.version());
    for (const signed of a.publisher.since(1, 1_000)) reference.apply(JSON.parse(Buffer.from(signed.payload, 'base64url').toString('utf8')));
    expect(stats.view('smart', 'mock/x')).toEqual(reference.view('smart', 'mock/x'));
    expect(stats.view('smart', 'mock/x')?.successRate).toBeLessThan(0.6);
    // Polling again fetches nothing new and changes nothing.
    expect(await poller.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: {} }]);
  });

  it('a peer serving deltas signed by another key changes nothing (a compromised relay or a spoofed peer)', async () => {
    const a = await region('region-a');
    const impostor = await region('region-a'); // same region name, its own key
    const stats = createFederatedStats('region-b');
    const receiver = createFederationReceiver(new Map([['region-a', [a.trusted]]]), stats);
    traffic(impostor.publisher, 100, 0, 1);
    const poller = createFederationPoller({ peers: [{ region: 'region-a', baseUrl: impostor.baseUrl }], receiver, stats });
    expect(await poller.pollOnce()).toEqual([{ region: 'region-a', ok: true, outcomes: { bad_signature: 1 } }]);
    expect(stats.view('smart', 'mock/x')).toBeUndefined();
  });

  it('the endpoint wants its token, a valid since and GET', async () => {
    const a = await region('region-a', 'federation-token-0123456789');
    traffic(a.publisher, 10, 10, 1);
    const url = `${a.baseUrl}${DELTAS_PATH}`;
    expect((await fetch(`${url}?since=0`)).status).toBe(401);
    expect((await fetch(`${url}?since=0`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const auth = { authorization: 'Bearer federation-token-0123456789' };
    expect((await fetch(`${url}?since=-1`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${url}?since=abc`, { headers: auth })).status).toBe(400);
    expect((await fetch(`${url}?since=0`, { method: 'POST', headers: auth })).status).toBe(405);
    expect((await fetch(`${a.baseUrl}/other`, { headers: auth })).status).toBe(404);
    const ok = await fetch(`${url}?since=0`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { deltas: unknown[] }).deltas).toHaveLength(1);
  });
});
