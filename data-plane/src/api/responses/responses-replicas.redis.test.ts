import { randomUUID } from 'node:crypto';
import OpenAI from 'openai';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { openSharedState, type SharedState } from '../../composition/shared-state';
import type { RouteConfig } from '../../router/route';
import { FakeApiKeyStore, startHarness, type Harness } from '../../test-support/data-plane-harness';

/**
 * Two data-plane replicas composed as production composes them (openSharedState on one REDIS_URL
 * and prefix): a conversation started on one continues, is read and deleted through the other.
 */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-responses-${randomUUID()}:`;
const opened: SharedState[] = [];
const routes: RouteConfig[] = [{ name: 'remembering', candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' }, memory: { recentTurns: 10 } }];

async function replica(keys: FakeApiKeyStore): Promise<Harness> {
  const shared = openSharedState({ redisUrl, redisKeyPrefix: prefix });
  opened.push(shared);
  return startHarness({ apiKeys: keys, bus: shared.bus, rateLimiter: shared.rateLimiter, sessionWindow: shared.sessionWindow, routes });
}

afterAll(async () => {
  await Promise.all(opened.map((shared) => shared.close()));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('conversations through any replica (Redis session window)', () => {
  it('continues, reads and deletes a response on the replica that did not answer it; other tenants still get 404', async () => {
    const keys = new FakeApiKeyStore();
    const { secret } = keys.add();
    const stranger = keys.add();
    const [a, b] = [await replica(keys), await replica(keys)];
    const onA = new OpenAI({ apiKey: secret, baseURL: a.baseUrl, maxRetries: 0 });
    const onB = new OpenAI({ apiKey: secret, baseURL: b.baseUrl, maxRetries: 0 });

    const first = await onA.responses.create({ model: 'mock-gpt', input: 'Started on A.' });
    const second = await onB.responses.create({ model: 'mock-gpt', input: 'Continued on B.', previous_response_id: first.id });
    expect(second.previous_response_id).toBe(first.id);
    expect(second.usage!.input_tokens).toBeGreaterThan(first.usage!.input_tokens);
    expect((await onA.responses.retrieve(second.id)).output_text).toBe(second.output_text);

    const strangerOnB = new OpenAI({ apiKey: stranger.secret, baseURL: b.baseUrl, maxRetries: 0 });
    await expect(strangerOnB.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404, code: 'response_not_found' });

    await onB.responses.delete(first.id);
    await expect(onA.responses.retrieve(first.id)).rejects.toMatchObject({ status: 404, code: 'response_not_found' });

    // Chat session memory is shared the same way.
    const chatA = await onA.chat.completions.create({ model: 'remembering', messages: [{ role: 'user', content: 'On A.' }] }, { headers: { 'x-switchyard-session': 'shared' } });
    const chatB = await onB.chat.completions.create({ model: 'remembering', messages: [{ role: 'user', content: 'On B.' }] }, { headers: { 'x-switchyard-session': 'shared' } });
    expect(chatB.usage!.prompt_tokens).toBeGreaterThan(chatA.usage!.prompt_tokens);

    await a.finish();
    await b.finish();
  });
});
