import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createRedisSessionWindow } from '@switchyard/memory/session';
import { createDatabaseSessionSnapshot } from '@switchyard/memory/session/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPromptTokens } from '../../accounting/token-count';
import type { RouteConfig } from '../../router/route';
import { FakeApiKeyStore, startHarness } from '../../test-support/data-plane-harness';
import { ThrowawayRedis } from '@switchyard/redis-connection/testing';

/**
 * The session window on a Redis of the test's own over the Postgres snapshot: Redis is killed and
 * restarted empty between two turns, and the conversation continues (previous_response_id, and a
 * chat session's recent turns) from the snapshot.
 */
let database: TestDatabase;
let redis: ThrowawayRedis;
beforeAll(async () => {
  [database, redis] = await Promise.all([createTestDatabase(), ThrowawayRedis.start()]);
});
afterAll(async () => {
  await redis?.stop();
  await database?.drop();
});

const routes: RouteConfig[] = [{ name: 'remembering', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, memory: { recentTurns: 10 } }];

async function untilReady(client: Redis): Promise<void> {
  // ioredis reconnects on its own after the restart; the test waits for it, it does not time anything.
  while (client.status !== 'ready') await new Promise((resolve) => setTimeout(resolve, 50));
  await client.ping();
}

describe('a Redis restart loses no stored conversation', () => {
  it('continues by previous_response_id and by chat session after Redis came back empty', async () => {
    const { db } = database;
    const tenantId = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'restart', name: 'restart' }, select: { id: true } }))).id;
    const keys = new FakeApiKeyStore();
    const { secret } = keys.add({ tenantId });
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    const h = await startHarness({ apiKeys: keys, routes, sessionWindow: createRedisSessionWindow(client), sessionSnapshot: createDatabaseSessionSnapshot(db) });
    const openai = new OpenAI({ apiKey: secret, baseURL: h.baseUrl, maxRetries: 0 });
    const session = { headers: { 'x-switchyard-session': 'restart-chat' } };

    const first = await openai.responses.create({ model: 'mock-gpt', input: 'Remember the number 42.' });
    const chatFirst = await openai.chat.completions.create({ model: 'remembering', messages: [{ role: 'user', content: 'Remember blue.' }] }, session);
    // The chat's turns are remembered after its answer, off the client's path (Redis, then the
    // snapshot): wait until the snapshot has them.
    while ((await db.withTenant(tenantId, (tx) => tx.memorySession.count())) < 1) await new Promise((resolve) => setTimeout(resolve, 20));

    await redis.stop();
    await redis.start();
    await untilReady(client);
    expect(await client.dbsize()).toBe(0);

    const retrieved = await openai.responses.retrieve(first.id);
    expect(retrieved.output_text).toBe(first.output_text);
    const second = await openai.responses.create({ model: 'mock-gpt', input: 'Which number?', previous_response_id: first.id });
    expect(second.usage?.input_tokens).toBe(
      countPromptTokens({
        messages: [
          { role: 'user', content: 'Remember the number 42.' },
          { role: 'assistant', content: first.output_text },
          { role: 'user', content: 'Which number?' },
        ],
      }),
    );
    const chatSecond = await openai.chat.completions.create({ model: 'remembering', messages: [{ role: 'user', content: 'Which colour?' }] }, session);
    expect(chatSecond.usage?.prompt_tokens).toBe(
      countPromptTokens({
        messages: [
          { role: 'user', content: 'Remember blue.' },
          { role: 'assistant', content: chatFirst.choices[0]!.message.content! },
          { role: 'user', content: 'Which colour?' },
        ],
      }),
    );
    const metrics = await h.metricsText();
    expect(metrics).toMatch(/switchyard_memory_snapshot_restores_total\{what="response"\} [1-9]/);
    expect(metrics).toMatch(/switchyard_memory_snapshot_restores_total\{what="window"\} [1-9]/);
    // Restored into Redis: the next read is Redis's again.
    expect(await client.exists(`switchyard:mem:{${tenantId}}:r:${first.id}`)).toBe(1);
    await h.finish();
    await client.quit();
  });
});
