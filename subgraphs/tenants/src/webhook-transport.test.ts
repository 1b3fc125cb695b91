import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { buildConnector } from 'undici';
import { createWebhookAddressPolicy } from './webhook-address-policy';
import {
  ADDRESS_REFUSED_OUTCOME,
  UNREACHABLE_OUTCOME,
  WebhookAddressRefusedError,
  createGuardedWebhookPost,
  describeWebhookFailure,
  type GuardedWebhookPost,
  type ResolveHost,
} from './webhook-transport';

/**
 * No test here ever opens a socket to a non-loopback address: the connector under test is given a
 * fake `connect` that records what it was asked and fails, and a fake resolver. A real socket is
 * opened only to a receiver on 127.0.0.1, and only when the allowlist names it.
 */
function fakes(answers: Record<string, string[]>) {
  const resolved: string[] = [];
  const connects: buildConnector.Options[] = [];
  const resolve: ResolveHost = async (hostname) => {
    resolved.push(hostname);
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address }));
  };
  const connect: buildConnector.connector = (options, callback) => {
    connects.push(options);
    callback(Object.assign(new Error(`connect ECONNREFUSED ${options.hostname}:${options.port}`), { code: 'ECONNREFUSED' }), null);
  };
  return { resolved, connects, resolve, connect };
}

const posts: GuardedWebhookPost[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const post of posts.splice(0)) await post.close();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function guardedPost(options: Parameters<typeof createGuardedWebhookPost>[0]): GuardedWebhookPost {
  const post = createGuardedWebhookPost(options);
  posts.push(post);
  return post;
}

const send = (post: GuardedWebhookPost, url: string) => post(url, { 'content-type': 'application/json' }, '{}', 2_000);

describe('guarded webhook transport: refused before any connection', () => {
  it.each([
    ['http://127.1:8080/hook'],
    ['http://2130706433:8080/hook'],
    ['http://0x7f000001:8080/hook'],
    ['http://[::1]:8080/hook'],
    ['http://169.254.169.254/latest/meta-data/'],
    ['https://[fd00:ec2::254]/'],
    ['https://[::ffff:169.254.169.254]/'],
    ['https://10.0.0.1/hook'],
    ['https://100.64.1.1/hook'],
    ['https://0.0.0.0/hook'],
  ])('the literal %s: no lookup, no connect', async (url) => {
    const fake = fakes({});
    const post = guardedPost({ policy: createWebhookAddressPolicy(), resolve: fake.resolve, connect: fake.connect });
    const error = await send(post, url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookAddressRefusedError);
    expect(fake.resolved).toEqual([]);
    expect(fake.connects).toEqual([]);
  });

  it.each([
    [['10.0.0.5'], 'private'],
    [['169.254.169.254'], 'metadata'],
    [['fd00:ec2::254'], 'IPv6 metadata'],
    [['::ffff:127.0.0.1'], 'IPv4-mapped loopback'],
    [['93.184.215.14', '192.168.0.10'], 'a public and a private answer'],
    [['2606:4700::1111', 'fe80::1'], 'a public and a link-local IPv6 answer'],
  ])('a name that resolves to %s (%s): resolved by the guard, never connected', async (addresses) => {
    const fake = fakes({ 'hooks.internal.test': addresses });
    const post = guardedPost({ policy: createWebhookAddressPolicy(), resolve: fake.resolve, connect: fake.connect });
    const error = await send(post, 'https://hooks.internal.test/alerts').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(WebhookAddressRefusedError);
    expect(fake.resolved).toEqual(['hooks.internal.test']);
    expect(fake.connects).toEqual([]);
    expect(describeWebhookFailure(error, 2_000)).toMatchObject({ outcome: ADDRESS_REFUSED_OUTCOME, refusedByPolicy: true });
  });

  it('judges every connection again (DNS rebinding): public at first, private later, refused later', async () => {
    const answers: Record<string, string[]> = { 'rebind.example.test': ['93.184.215.14'] };
    const fake = fakes(answers);
    const post = guardedPost({ policy: createWebhookAddressPolicy(), resolve: fake.resolve, connect: fake.connect });
    await expect(send(post, 'https://rebind.example.test/hook')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    // Connected to exactly the vetted address; TLS still names the host (undici derives SNI from `host`).
    expect(fake.connects).toHaveLength(1);
    expect(fake.connects[0]).toMatchObject({ hostname: '93.184.215.14', host: 'rebind.example.test', protocol: 'https:' });

    answers['rebind.example.test'] = ['127.0.0.1'];
    await expect(send(post, 'https://rebind.example.test/hook')).rejects.toBeInstanceOf(WebhookAddressRefusedError);
    expect(fake.resolved).toEqual(['rebind.example.test', 'rebind.example.test']);
    expect(fake.connects).toHaveLength(1);
  });

  it('tells the tenant nothing about the network: no errno, no host, no TLS name', async () => {
    const fake = fakes({ 'public.example.test': ['93.184.215.14'] });
    const post = guardedPost({ policy: createWebhookAddressPolicy(), resolve: fake.resolve, connect: fake.connect });
    for (const url of ['https://public.example.test/hook', 'https://missing.example.test/hook']) {
      const failure = describeWebhookFailure(await send(post, url).catch((caught: unknown) => caught), 2_000);
      expect(failure.outcome).toBe(UNREACHABLE_OUTCOME);
      expect(failure.refusedByPolicy).toBe(false);
      // The operator log keeps the detail.
      expect(failure.detail).toMatch(/ECONNREFUSED|ENOTFOUND/);
    }
    const tls = Object.assign(new Error("Hostname/IP does not match certificate's altnames: Host: a.test. is not in the cert's altnames: DNS:internal.corp"), {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(describeWebhookFailure(new TypeError('fetch failed', { cause: tls }), 2_000).outcome).toBe(UNREACHABLE_OUTCOME);
  });
});

describe('guarded webhook transport on loopback (allowlisted)', () => {
  async function receiver(status: number, headers: Record<string, string> = {}) {
    const seen = { connections: 0, requests: 0 };
    const server = createServer((request, response) => {
      seen.requests += 1;
      request.resume();
      response.writeHead(status, headers).end();
    });
    server.on('connection', () => (seen.connections += 1));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { seen, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook` };
  }

  it('delivers when the allowlist names the address, and refuses without opening a connection when it does not', async () => {
    const target = await receiver(204);
    expect(await send(guardedPost({ policy: createWebhookAddressPolicy(['127.0.0.1/32']) }), target.url)).toBe(204);
    expect(target.seen.requests).toBe(1);

    const before = target.seen.connections;
    await expect(send(guardedPost({ policy: createWebhookAddressPolicy() }), target.url)).rejects.toBeInstanceOf(WebhookAddressRefusedError);
    await expect(send(guardedPost({ policy: createWebhookAddressPolicy() }), target.url.replace('127.0.0.1', '2130706433'))).rejects.toBeInstanceOf(WebhookAddressRefusedError);
    expect(target.seen.connections).toBe(before);
  });

  it('does not follow redirects', async () => {
    const target = await receiver(302, { location: 'http://169.254.169.254/latest/meta-data/' });
    expect(await send(guardedPost({ policy: createWebhookAddressPolicy(['127.0.0.1/32']) }), target.url)).toBe(302);
    expect(target.seen.requests).toBe(1);
  });

  it('reports a refused port as unreachable, without the errno', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await send(guardedPost({ policy: createWebhookAddressPolicy(['127.0.0.1']) }), `http://127.0.0.1:${port}/gone`).catch((caught: unknown) => caught);
    expect(describeWebhookFailure(error, 2_000)).toEqual({ outcome: UNREACHABLE_OUTCOME, detail: expect.stringContaining('ECONNREFUSED'), refusedByPolicy: false });
  });
});
