import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openSharedState } from '@switchyard/data-plane/composition';
import type { ProviderConfig } from '@switchyard/data-plane/config';
import { startCatalogueWorld, REDIS_URL, type CatalogueWorld } from '../../testkit/faults/catalogue-stack';
import { startTcpProxy, type TcpProxy } from '../../testkit/faults/tcp-proxy';

/**
 * Fault catalogue, Redis rows (FAILURE-MODES.md). The data plane reaches Redis through a TCP
 * proxy the test cuts or black-holes; the machine's Redis is never touched. The audit consumer
 * and the reader of the usage stream talk to Redis directly (they are other processes in production).
 */
const messages = [{ role: 'user' as const, content: 'Still there?' }];
const MOCK: ProviderConfig = { name: 'mock', kind: 'mock', models: ['mock-gpt'] };

let world: CatalogueWorld;
beforeAll(async () => {
  world = await startCatalogueWorld();
});
afterAll(async () => {
  await world?.close();
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A data plane whose shared state (limiter, bus, feedback log) reaches Redis only through `proxy`, opened as every deployable opens it. */
async function dataPlaneBehind(proxy: TcpProxy, limits: Parameters<CatalogueWorld['startDataPlane']>[0]['limits']) {
  const sharedState = openSharedState({ redisUrl: proxy.url, redisKeyPrefix: world.prefix });
  // A fresh key per row: the rows share the rate-limit keys of the world's prefix.
  const apiKey = await world.newKey();
  const started = await world.startDataPlane({ providers: [MOCK], limits: { redisTimeoutMs: 250, ...limits }, sharedState });
  cleanups.push(async () => {
    proxy.restore();
    await started.app.close();
    await sharedState.close();
    await proxy.close();
  });
  const client = new OpenAI({ apiKey, baseURL: `${started.url}/v1`, maxRetries: 0, timeout: 15_000 });
  const metrics = async (name: string): Promise<string> => {
    const text = await started.metricsText();
    return text
      .split('\n')
      .filter((line) => line.startsWith(name))
      .join('\n');
  };
  const ask = (requestId: string) => client.chat.completions.create({ model: 'mock-gpt', messages, max_tokens: 16 }, { headers: { 'x-request-id': requestId } }).withResponse();
  return { client, metrics, ask };
}

const rid = (row: string) => `redis-${row}-${randomUUID().slice(0, 8)}`;

async function refusal(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('fault catalogue: Redis down', () => {
  it('requests/min, default `local`: still served while Redis is down, the limit still holds per replica from where Redis left it, no soft warnings; usage events land once Redis is back', async () => {
    const proxy = await startTcpProxy({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) });
    const { ask, metrics } = await dataPlaneBehind(proxy, { requestsPerMinutePerKey: 3, softLimitRatio: 0.5 });

    const before = await ask(rid('before'));
    expect(before.response.status).toBe(200);
    proxy.cut();

    const servedDuringOutage = rid('during');
    const during = await ask(servedDuringOutage);
    expect(during.response.status).toBe(200);
    // 2 of 3 used: past the 0.5 soft share, but a one-replica view is not worth a warning.
    expect(during.response.headers.get('x-switchyard-limit-warning')).toBeNull();
    expect((await ask(rid('during-2'))).response.status).toBe(200);
    const limited = await refusal(ask(rid('during-3')));
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('rate_limit_exceeded');
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);

    expect(await metrics('switchyard_rate_limiter_backend_down')).toMatch(/switchyard_rate_limiter_backend_down 1/);
    expect(await metrics('switchyard_rate_limiter_degraded_decisions_total')).toMatch(/mode="local",outcome="refused"\} 1/);

    proxy.restore();
    // The event of the request served during the outage was held and is appended now; its audit entry follows.
    const usage = await world.usageEvent(servedDuringOutage);
    expect(usage).toMatchObject({ status: 'ok', model: 'mock-gpt' });
    const [audit] = await world.auditEntries(servedDuringOutage);
    expect(audit?.payload).toMatchObject({ requestId: usage.requestId, clientRequestId: servedDuringOutage, status: 'ok' });
    expect(world.usageEventsSeen(servedDuringOutage)).toHaveLength(1);
  });

  it('tokens/day configured `closed`: 503 rate_limiter_unavailable with Retry-After, nothing reaches a provider, no usage event; served again once Redis answers', async () => {
    const proxy = await startTcpProxy({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) });
    const { ask, metrics } = await dataPlaneBehind(proxy, { onRedisDown: { tokensPerDay: 'closed' } });
    expect((await ask(rid('closed-before'))).response.status).toBe(200);
    proxy.cut();
    const refusedId = rid('closed-during');
    const refused = await refusal(ask(refusedId));
    expect(refused.status).toBe(503);
    expect(refused.code).toBe('rate_limiter_unavailable');
    expect(Number(refused.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await metrics('switchyard_rate_limiter_degraded_decisions_total')).toMatch(/mode="closed",outcome="refused"\} 1/);

    proxy.restore();
    // The limiter probes Redis again at most once a second: the first answers after recovery may still be degraded.
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i += 1) {
      status = await ask(rid('closed-after')).then(
        (r) => r.response.status,
        async (error: unknown) => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return (error as { status?: number }).status ?? 0;
        },
      );
    }
    expect(status).toBe(200);
    expect(await metrics('switchyard_rate_limiter_backend_down')).toMatch(/switchyard_rate_limiter_backend_down 0/);
    // A refused request reached no provider: it leaves no usage event (and so no inference audit entry).
    await world.usageEvent((await ask(rid('closed-marker'))).response.headers.get('x-request-id') ?? '');
    expect(world.usageEventsSeen(refusedId)).toEqual([]);
  });

  it('Redis black-holed (connected, never answers): requests do not hang; limits fall back after the 250 ms command timeout', async () => {
    const proxy = await startTcpProxy({ host: new URL(REDIS_URL).hostname, port: Number(new URL(REDIS_URL).port || 6379) });
    const { ask, metrics } = await dataPlaneBehind(proxy, {});
    expect((await ask(rid('hole-before'))).response.status).toBe(200);
    proxy.blackhole();
    const heldIds: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const requestId = rid(`hole-${i}`);
      heldIds.push(requestId);
      expect((await ask(requestId)).response.status).toBe(200);
    }
    expect(await metrics('switchyard_rate_limiter_backend_down')).toMatch(/switchyard_rate_limiter_backend_down 1/);
    proxy.restore();
    for (const requestId of heldIds) expect(await world.usageEvent(requestId)).toMatchObject({ status: 'ok' });
  });
});
