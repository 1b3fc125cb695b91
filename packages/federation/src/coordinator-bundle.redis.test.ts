import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, parseFederationViewMessage, type FederationViewMessage } from '@switchyard/events/federation';
import { ROUTING_OBSERVED_CHANNEL, type RoutingObservation } from '@switchyard/events/routing';
import { bundleService } from '@switchyard/service-bundle';
import { signedDeltaSchema } from './delta';
import { publicKeyFromJwk, verifyDelta, type RegionKeyring } from './signing';

/**
 * The coordinator's production artifact (`npm run -w @switchyard/federation build`, the image's
 * CMD): bundled, run under plain node on the region's Redis, it counts the region's routing
 * observations into signed deltas served over HTTP, publishes its view on the bus, answers its
 * probes, and exits 0 on SIGTERM.
 */
const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Pub/sub only (the coordinator keeps no keys), under a prefix of this run's own.
const prefix = `sy-test-federation-bundle-${randomUUID()}:`;

let outDir: string;
let outfile: string;
let bus: Bus;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  // Beside the package, so the bundle resolves its external npm packages from node_modules as dist/ does.
  outDir = await mkdtemp(path.join(PACKAGE_ROOT, '.bundle-test-'));
  outfile = path.join(outDir, 'federation.mjs');
  await bundleService(path.join(PACKAGE_ROOT, 'src/main.ts'), outfile);
  bus = createRedisBus(redisUrl, { keyPrefix: prefix });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await bus?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('federation coordinator bundle', () => {
  it('inlines workspace packages', async () => {
    expect(await readFile(outfile, 'utf8')).not.toMatch(/from "@switchyard\//);
  });

  it('runs under plain node: probes, signed deltas of the region bus observations, the view on the bus, exit 0 on SIGTERM', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const peer = generateKeyPairSync('ed25519').publicKey;
    child = spawn(process.execPath, [outfile], {
      env: {
        PATH: process.env.PATH ?? '',
        SWITCHYARD_REGION: 'region-a',
        FEDERATION_PORT: '0',
        FEDERATION_SIGNING_KEY: JSON.stringify(privateKey.export({ format: 'jwk' })),
        FEDERATION_KEY_ID: 'a-2026-12',
        FEDERATION_TRUSTED_KEYS: JSON.stringify({ 'region-b': [{ keyId: 'b-2026-12', jwk: peer.export({ format: 'jwk' }) }] }),
        // A peer that is down: the coordinator keeps serving and retries later.
        FEDERATION_PEERS: JSON.stringify([{ region: 'region-b', baseUrl: 'http://127.0.0.1:9' }]),
        FEDERATION_ROUTES: 'smart',
        FEDERATION_INTERVAL_MS: '200',
        FEDERATION_POLL_MS: '200',
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await vi.waitFor(() => expect(output).toMatch(/federation coordinator \(region-a\): http:\/\/127\.0\.0\.1:\d+/), { timeout: 30_000, interval: 100 });
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Every interval it publishes its (here empty: no peer reached) view on the region's bus.
    const views: FederationViewMessage[] = [];
    await bus.subscribe(FEDERATION_VIEW_CHANNEL, (message) => {
      const view = parseFederationViewMessage(message);
      if (view) views.push(view);
    });
    await vi.waitFor(() => expect(views.length).toBeGreaterThan(0), { timeout: 10_000, interval: 50 });
    expect(views[0]).toMatchObject({ region: 'region-a', entries: [] });

    const observations: RoutingObservation[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'outcome', tenantId: randomUUID(), route: i < 8 ? 'smart' : 'tenant-own', upstream: 'mock/mock-gpt', success: i % 2 === 0, latencyMs: 100, platform: true }));
    await bus.publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: 'replica-1', id: randomUUID(), observations }));
    const keyring: RegionKeyring = new Map([['region-a', [{ keyId: 'a-2026-12', publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) }]]]);
    await vi.waitFor(
      async () => {
        const body = (await (await fetch(`${base}/federation/v1/deltas?since=0`)).json()) as { region: string; deltas: unknown[] };
        expect(body.region).toBe('region-a');
        const verified = body.deltas.map((delta) => verifyDelta(keyring, signedDeltaSchema.parse(delta)));
        const entries = verified.flatMap((result) => (result.ok ? result.delta.entries : []));
        // Only the shared platform route left the region; a tenant's own route did not.
        expect(entries).toEqual([{ route: 'smart', upstream: 'mock/mock-gpt', requests: 8, successes: 4, latencyMsSum: 400, qualitySum: 0, qualityCount: 0 }]);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(output).toContain('peer region-b not reached');

    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);
});
