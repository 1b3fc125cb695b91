import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { parsePlatformEnv } from './config';
import { startPlatform, type RunningPlatform } from './platform';

/**
 * `npm start`'s SIGTERM path (platform.shutdown, what start.ts calls): every server drains at once
 * (the data plane and a subgraph here), the stream in flight completes, usage is flushed to the
 * stream, and shutdown resolves within the bound.
 */
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-platform-shutdown-${randomUUID()}:`;
let database: TestDatabase | undefined;
let platform: RunningPlatform | undefined;

afterAll(async () => {
  await platform?.close();
  await database?.drop();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('npm start on SIGTERM', () => {
  it('drains the data plane and the subgraphs together: readiness 503, the stream completes, usage flushed', async () => {
    database = await createTestDatabase();
    const { demoTenantId } = await seed(database.db);
    const key = generateApiKeySecret();
    await database.db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'shutdown', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
    const apiKey = key.secret;
    const env = parsePlatformEnv({
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SWITCHYARD_MASTER_KEYS: `main:${generateMasterKey()}`,
      SWITCHYARD_COMPONENTS: 'cost,data-plane',
      COST_SUBGRAPH_PORT: '0',
      DATA_PLANE_PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const lines: string[] = [];
    platform = await startPlatform({ env, progress: (line) => lines.push(line) });
    // Port 0: the progress lines name the bound URLs.
    const boundUrl = (name: string): string => {
      const match = new RegExp(`^${name}: (http://[^\\s/]+)`).exec(lines.find((line) => line.startsWith(`${name}:`)) ?? '');
      if (!match?.[1]) throw new Error(`no URL for ${name} in ${JSON.stringify(lines)}`);
      return match[1];
    };
    const dataPlane = boundUrl('data plane');
    const costReadyz = `${boundUrl('cost subgraph')}/readyz`;
    for (const readyz of [`${dataPlane}/readyz`, costReadyz]) {
      for (const giveUpAt = Date.now() + 15_000; (await get(readyz)) !== 200; ) {
        if (Date.now() > giveUpAt) throw new Error(`${readyz} never ready`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }

    let started: () => void = () => undefined;
    const firstChunk = new Promise<void>((resolve) => (started = resolve));
    const stream = fetch(`${dataPlane}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'tell me [mock: chunks=15 chunk-ms=100]' }] }),
    }).then(async (response) => {
      const reader = response.body?.getReader();
      let text = '';
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        started();
        text += Buffer.from(chunk.value).toString('utf8');
      }
      return text;
    });
    await firstChunk;

    const signalledAt = Date.now();
    const stopped = platform.shutdown({ graceMs: 300, timeoutMs: 10_000 });
    expect(await get(`${dataPlane}/readyz`)).toBe(503);
    expect(await get(costReadyz)).toBe(503);
    expect(await stream).toContain('data: [DONE]');
    await stopped;
    platform = undefined;
    expect(Date.now() - signalledAt).toBeLessThan(10_300);

    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.xlen(`${prefix}${USAGE_STREAM}`)).toBe(1);
    } finally {
      await redis.quit();
    }
  }, 60_000);
});
