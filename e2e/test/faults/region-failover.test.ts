import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { renderHaproxyConfig } from '@switchyard/deploy/haproxy';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { startChild, type ChildUnderTest } from '../../testkit/faults/child-process';
import { REDIS_URL } from '../../testkit/faults/catalogue-stack';
import { startThrowawayRedis, type ThrowawayRedis } from '../../testkit/faults/redis-server';
import { freePorts } from '../../testkit/ports';

/**
 * Fail-over between regions behind a real HAProxy (Debian's), configured by the renderer the
 * shipped deploy/haproxy files come from: region A's two data planes are primary, region B's is
 * the backup; each region has its own Postgres database and Redis. Under continuous load, A's data
 * planes are killed (SIGKILL: a region lost, not drained), B serves within the stated bound, a
 * tenant pinned to A gets 503 region_not_allowed from B, and once A's data planes are back traffic
 * returns to A.
 */
/** The stated bound: HAProxy's checks mark a dead server down within inter + fall × fastinter ≈ 1 s; start-up of nothing is involved. */
const FAILOVER_BOUND_MS = 5_000;
/** After A's replicas report ready: rise (2) passed checks at downinter (1 s) ≈ 2 s. */
const RETURN_BOUND_MS = 6_000;

const prefixA = `sy-test-failover-a-${randomUUID()}:`;
const databases: TestDatabase[] = [];
const children: ChildUnderTest[] = [];
let redisB: ThrowawayRedis | undefined;
let haproxy: ChildProcess | undefined;
let configDir: string | undefined;

afterAll(async () => {
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((resolve) => haproxy?.once('exit', resolve));
    haproxy.kill('SIGTERM');
    await exited;
  }
  await Promise.all(children.map((child) => child.stop()));
  for (const database of databases.splice(0)) await database.drop();
  await redisB?.stop();
  if (configDir) await rm(configDir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefixA}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const PINNED = { id: randomUUID(), key: generateApiKeySecret() };
const ROAMING = { id: randomUUID(), key: generateApiKeySecret() };

/** The same tenants and keys in a region's database (what the coordinator replicates). */
async function replicateTenants(db: Database): Promise<void> {
  await seed(db);
  for (const [tenant, pinned] of [[PINNED, true], [ROAMING, false]] as const) {
    await db.withPlatform((tx) => tx.tenant.create({ data: { id: tenant.id, slug: `failover-${tenant.id}`, name: 'failover', homeRegion: 'region-a', regionPinned: pinned } }));
    await db.withTenant(tenant.id, (tx) => tx.apiKey.create({ data: { tenantId: tenant.id, name: 'failover', prefix: tenant.key.prefix, hash: tenant.key.hash, scopes: ['inference'] } }));
  }
}

interface Outcome {
  at: number;
  status: number;
  region: string | null;
  code: string | null;
}

async function chat(url: string, secret: string): Promise<Outcome> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-mini', messages: [{ role: 'user', content: 'which region?' }], max_tokens: 8 }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
    return { at: Date.now(), status: response.status, region: response.headers.get('x-switchyard-region'), code: body?.error?.code ?? null };
  } catch {
    return { at: Date.now(), status: 0, region: null, code: 'network' };
  }
}

/** Status, region and code of what was answered so far, counted: the failure message. */
function summary(outcomes: readonly Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(`${o.status} ${o.region ?? '-'} ${o.code ?? ''}`, (counts.get(`${o.status} ${o.region ?? '-'} ${o.code ?? ''}`) ?? 0) + 1);
  return JSON.stringify(Object.fromEntries(counts));
}

async function until<T>(what: string, boundMs: number, probe: () => T | undefined, outcomes: readonly Outcome[]): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms; answers so far: ${summary(outcomes)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('HAProxy fails over from region A to region B and back', () => {
  it('serves from B within the bound after A dies, refuses A-pinned tenants there, and returns to A', async () => {
    const [lbPort, a1Port, a2Port, b1Port, ...metricsPorts] = (await freePorts(7)) as [number, number, number, number, number, number, number];
    const [dbA, dbB] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    databases.push(dbA, dbB);
    await Promise.all([replicateTenants(dbA.db), replicateTenants(dbB.db)]);
    redisB = await startThrowawayRedis();

    const masterKeys = `failover:${generateMasterKey()}`;
    const regionEnv = (region: 'a' | 'b', port: number, metricsPort: number) => ({
      SWITCHYARD_REGION: `region-${region}`,
      DATABASE_URL: region === 'a' ? dbA.url : dbB.url,
      REDIS_URL: region === 'a' ? REDIS_URL : (redisB as ThrowawayRedis).url,
      REDIS_KEY_PREFIX: region === 'a' ? prefixA : '',
      SWITCHYARD_MASTER_KEYS: masterKeys,
      // The load is a few clients in a tight loop: limits must not be what answers.
      DATA_PLANE_REQUESTS_PER_MINUTE: '1000000',
      DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: '1000000',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '100000000',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: '100000000',
      DATA_PLANE_PORT: String(port),
      METRICS_PORT: String(metricsPort),
    });
    const ready = /data plane: (http:\/\/\S+)\/v1/;
    const startA = () =>
      Promise.all([
        startChild('data-plane/src/index.ts', regionEnv('a', a1Port, metricsPorts[0]), ready, 'region-a-1'),
        startChild('data-plane/src/index.ts', regionEnv('a', a2Port, metricsPorts[1]), ready, 'region-a-2'),
      ]);
    const [[a1, a2], b1] = await Promise.all([startA(), startChild('data-plane/src/index.ts', regionEnv('b', b1Port, metricsPorts[2]), ready, 'region-b-1')]);
    children.push(a1, a2, b1);

    configDir = await mkdtemp(path.join(tmpdir(), 'sy-failover-'));
    const configFile = path.join(configDir, 'haproxy.cfg');
    await writeFile(
      configFile,
      renderHaproxyConfig({
        boxes: [
          {
            name: 'data_plane',
            bind: `127.0.0.1:${lbPort}`,
            primary: { name: 'region-a', servers: [{ name: 'a1', address: `127.0.0.1:${a1Port}` }, { name: 'a2', address: `127.0.0.1:${a2Port}` }] },
            backup: { name: 'region-b', servers: [{ name: 'b1', address: `127.0.0.1:${b1Port}` }] },
          },
        ],
      }),
    );
    haproxy = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyErrors = '';
    haproxy.stderr?.on('data', (chunk: Buffer) => (haproxyErrors = (haproxyErrors + chunk.toString()).slice(-5_000)));
    haproxy.once('exit', (code) => {
      if (loading) console.error(`haproxy exited with ${code} during the test:\n${haproxyErrors}`);
    });
    const lb = `http://127.0.0.1:${lbPort}/v1/chat/completions`;
    const outcomes: Outcome[] = [];
    let loading = true;

    // Load: four clients in a loop, as long as the test runs.
    const workers = Array.from({ length: 4 }, async () => {
      while (loading) {
        const outcome = await chat(lb, ROAMING.key.secret);
        outcomes.push(outcome);
        // Nothing listening yet (or any more): don't spin.
        if (outcome.status === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const servedBy = (region: string, after: number) => outcomes.find((o) => o.at > after && o.status === 200 && o.region === region);
    const count = (region: string, after: number) => outcomes.filter((o) => o.at > after && o.status === 200 && o.region === region).length;

    try {
      // Both A replicas are up and checked: A serves, B is idle.
      await until('region A serving 20 requests through HAProxy', 60_000, () => (count('region-a', 0) >= 20 ? true : undefined), outcomes);
      expect(count('region-b', 0)).toBe(0);
      expect((await chat(lb, PINNED.key.secret)).region).toBe('region-a');

      // Region A is lost mid-load.
      const killedAt = Date.now();
      await Promise.all([a1.kill(), a2.kill()]);
      const firstB = await until('region B serving after A died', FAILOVER_BOUND_MS, () => servedBy('region-b', killedAt), outcomes);
      const failoverMs = firstB.at - killedAt;
      await until('region B serving 20 requests', 30_000, () => (count('region-b', killedAt) >= 20 ? true : undefined), outcomes);
      const pinnedInB = await chat(lb, PINNED.key.secret);
      expect(pinnedInB).toMatchObject({ status: 503, region: 'region-b', code: 'region_not_allowed' });
      // Once B serves, nothing fails: only requests in flight or sent in the detection window did.
      const stableFrom = firstB.at + 1_000;
      const failedDuringFailover = summary(outcomes.filter((o) => o.at > killedAt && o.at <= stableFrom && o.status !== 200));
      expect(outcomes.filter((o) => o.at > stableFrom && o.status !== 200)).toEqual([]);

      // Region A comes back on the same addresses: traffic returns to it.
      const restarted = await startA();
      children.push(...restarted);
      const backAt = Date.now();
      const firstA = await until('region A serving again', RETURN_BOUND_MS, () => servedBy('region-a', backAt), outcomes);
      const returnMs = firstA.at - backAt;
      await until('region A serving 20 requests again', 30_000, () => (count('region-a', firstA.at) >= 20 ? true : undefined), outcomes);
      // After the switch back, B gets nothing new (requests already sent to it may still finish).
      const settled = firstA.at + 1_000;
      expect(outcomes.filter((o) => o.at > settled + 500 && o.region === 'region-b')).toEqual([]);
      expect(await chat(lb, PINNED.key.secret)).toMatchObject({ status: 200, region: 'region-a' });

      console.log(
        `region fail-over: B served ${failoverMs} ms after A was killed (bound ${FAILOVER_BOUND_MS} ms); answers that failed in the window (status region code: count; four clients retrying at once): ${failedDuringFailover}; ` +
          `back to A ${returnMs} ms after A reported ready (bound ${RETURN_BOUND_MS} ms); ${outcomes.length} requests in total`,
      );
    } finally {
      loading = false;
      await Promise.all(workers);
    }
  });
});
