import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { OPTIMIZER_RUN_REQUESTED_CHANNEL } from '@switchyard/events/optimizer';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { bundleService } from '@switchyard/service-bundle';

/**
 * The optimizer's production artifact (`npm run -w @switchyard/cost-optimizer build`): bundled
 * like the data plane, run under plain node against Postgres and Redis, it consumes the usage
 * stream and runs a tenant when asked on the bus (the path GraphQL `runCostOptimizer` takes).
 */
const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-optimizer-bundle-${randomUUID()}:`;

let outDir: string;
let outfile: string;
let testDatabase: TestDatabase;
let bus: Bus;
let child: ChildProcess | undefined;
let output = '';

beforeAll(async () => {
  // Beside the package, so the bundle resolves its external npm packages from node_modules as dist/ does.
  outDir = await mkdtemp(path.join(PACKAGE_ROOT, '.bundle-test-'));
  outfile = path.join(outDir, 'cost-optimizer.mjs');
  await bundleService(path.join(PACKAGE_ROOT, 'src/main.ts'), outfile);
  testDatabase = await createTestDatabase();
  await seed(testDatabase.db);
  bus = createRedisBus(redisUrl, { keyPrefix: prefix });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await bus?.close();
  await testDatabase?.drop();
  if (outDir) await rm(outDir, { recursive: true, force: true });
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('cost optimizer bundle', () => {
  it('inlines workspace packages and leaves npm packages as imports', async () => {
    const bundled = await readFile(outfile, 'utf8');
    expect(bundled).toMatch(/from "pino"/);
    expect(bundled).not.toMatch(/from "@switchyard\//);
  });

  it('runs under plain node, ingests usage and runs a tenant when asked on the bus', async () => {
    const tenantId = (await testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `bundle-${randomUUID().slice(0, 8)}`, name: 'bundle' }, select: { id: true } }))).id;
    child = spawn(process.execPath, [outfile], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: testDatabase.url,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        OPTIMIZER_INTERVAL_MS: '0',
        METRICS_PORT: '0',
        OTEL_SDK_DISABLED: 'true',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await vi.waitFor(() => expect(output).toContain('cost optimizer running'), { timeout: 30_000, interval: 100 });

    const usage = (model: 'mock-mini' | 'mock-large'): UsageEvent => ({
      requestId: `req-${randomUUID()}`,
      tenantId,
      apiKeyId: null,
      model,
      provider: 'mock',
      promptTokens: 1000,
      completionTokens: 1000,
      priceBookVersion: 1,
      costMicros: model === 'mock-mini' ? '750' : '18000',
      latencyMs: 100,
      status: 'ok',
      createdAt: new Date().toISOString(),
      route: { name: 'smart', configured: true, strategy: 'bandit', candidate: `mock/${model}`, legs: [{ upstream: `mock/${model}`, model, outcome: 'won', promptTokens: 1000, completionTokens: 1000 }] },
    });
    for (let i = 0; i < 10; i++) await bus.append(USAGE_STREAM, JSON.stringify(usage(i % 2 === 0 ? 'mock-mini' : 'mock-large')));
    const observations = () => testDatabase.db.withTenant(tenantId, (tx) => tx.optimizerObservation.count());
    await vi.waitFor(async () => expect(await observations()).toBe(10), { timeout: 20_000, interval: 100 });

    const snapshots = () => testDatabase.db.withTenant(tenantId, (tx) => tx.optimizerSnapshot.count());
    expect(await snapshots()).toBe(0);
    await bus.publish(OPTIMIZER_RUN_REQUESTED_CHANNEL, JSON.stringify({ tenantId }));
    await vi.waitFor(async () => expect(await snapshots()).toBe(1), { timeout: 20_000, interval: 100 });
    await vi.waitFor(async () => expect(await testDatabase.db.withTenant(tenantId, (tx) => tx.routeSavings.findMany({ select: { route: true } }))).toEqual([{ route: 'smart' }]), {
      timeout: 20_000,
      interval: 100,
    });
    expect(child.exitCode).toBeNull();
  }, 90_000);
});
