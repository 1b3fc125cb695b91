import { afterEach, describe, expect, it, vi } from 'vitest';
import { LIMIT_WARNING_HEADER } from '../../api/chat-completions-handler';
import { readSse, startHarness, type Harness } from '../../test-support/data-plane-harness';
import { limitKeys } from './enforce-limits';
import { createInProcessRateLimiter } from '../rate-limit/in-process-rate-limiter';
import type { RateLimiter } from '../rate-limit/rate-limiter';
import { LIMIT_WARNING_CHANNEL } from '@switchyard/events/limits';
import { ALERTS_STREAM, alertEventSchema } from '@switchyard/events/alerts';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

const DAY_MS = 86_400_000;

function post(h: Harness, body: unknown): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** What is left of the key's day allowance, read back from the limiter (a cost-0 peek charges nothing). */
async function dayRemaining(limiter: RateLimiter, h: Harness, limit: number): Promise<number> {
  return (await limiter.consume(limitKeys.tokensPerDayPerKey({ tenantId: h.record.tenantId, apiKeyId: h.record.id }), { limit, periodMs: DAY_MS }, 0)).remaining;
}

describe('token quotas in the request path', () => {
  it('reserves prompt + max_tokens while a request runs (a concurrent one is refused 429 naming the limit), then settles to what was used', async () => {
    const limiter = createInProcessRateLimiter();
    const h = await startHarness({ rateLimiter: limiter, limits: { tokensPerDayPerKey: 1_000, softLimitRatio: 0.8 } });
    harnesses.push(h);
    const warnings: string[] = [];
    await h.bus.subscribe(LIMIT_WARNING_CHANNEL, (message) => warnings.push(message));

    // A slow request holds a reservation of its prompt plus max_tokens 850 (past the soft share).
    const slow = post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi [mock: first-token-ms=300]' }], max_tokens: 850 });
    await vi.waitFor(async () => expect(await dayRemaining(limiter, h, 1_000)).toBeLessThan(150));
    const concurrent = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 400 });
    expect(concurrent.status).toBe(429);
    expect(await concurrent.json()).toMatchObject({ error: { code: 'token_quota_exceeded', type: 'rate_limit_error', message: expect.stringContaining('tokens_per_day_per_key') as unknown } });
    // The wait is the day allowance's own: 400 tokens at 1,000 per day is hours, not the minute's seconds, and never more than a day.
    const retryAfter = Number(concurrent.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3_600);
    expect(retryAfter).toBeLessThanOrEqual(86_400);

    const first = await slow;
    expect(first.status).toBe(200);
    expect(first.headers.get(LIMIT_WARNING_HEADER)).toMatch(/^tokens_per_day_per_key=8\d%$/);
    await first.json();
    // Settled: only what the first request used stays charged, so the same request now passes, again and again.
    for (let i = 0; i < 3; i++) {
      const again = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 400 });
      expect(again.status).toBe(200);
      await again.json();
    }

    // The day quota's first warning is also queued for the tenant's alert webhook.
    await h.bus.ensureGroup(ALERTS_STREAM, 'probe');
    const alerts = (await h.bus.readGroup(ALERTS_STREAM, 'probe', 'probe', { count: 10, blockMs: 0 })).map((entry) => alertEventSchema.parse(JSON.parse(entry.payload)));
    expect(alerts).toEqual([
      expect.objectContaining({ type: 'quota.soft_limit_reached', tenantId: h.record.tenantId, data: expect.objectContaining({ limit: 'tokens_per_day_per_key', callerId: h.record.id }) }),
    ]);
    const events = await h.finish();
    expect(events).toHaveLength(4);
    const used = events.reduce((sum, event) => sum + event.promptTokens + event.completionTokens, 0);
    expect(used).toBeLessThan(400);
    expect(await dayRemaining(limiter, h, 1_000)).toBe(1_000 - used);
    expect(warnings.map((w) => JSON.parse(w) as unknown)).toEqual([
      { tenantId: h.record.tenantId, apiKeyId: h.record.id, limit: 'tokens_per_day_per_key', used: expect.any(Number) as unknown },
    ]);
  });

  it('a request whose max_tokens can never fit a limit gets 400 request_exceeds_token_limit naming the limit and what remains, and is charged nothing', async () => {
    const limiter = createInProcessRateLimiter();
    const h = await startHarness({ rateLimiter: limiter, limits: { tokensPerDayPerKey: 50_000 } });
    harnesses.push(h);
    // 200,000 tokens per minute (the default) and 50,000 per day per key. Twice a 10,000,000-token ask: neither spends anything.
    for (let i = 0; i < 2; i++) {
      const huge = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 10_000_000 });
      expect(huge.status).toBe(400);
      expect(huge.headers.get('retry-after')).toBeNull();
      const body = (await huge.json()) as { error: { code: string; type: string; param: string; message: string } };
      expect(body.error).toMatchObject({ code: 'request_exceeds_token_limit', type: 'invalid_request_error', param: 'max_tokens' });
      expect(body.error.message).toContain('tokens_per_day_per_key allows at all (50000 tokens per 24 hours); 50000 tokens of it remain now');
    }
    const normal = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 100 });
    expect(normal.status).toBe(200);
    await normal.json();
    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(await dayRemaining(limiter, h, 50_000)).toBe(50_000 - ((events[0]?.promptTokens ?? 0) + (events[0]?.completionTokens ?? 0)));
  });

  it('failed and refused requests settle too: what was generated is charged, the rest comes back', async () => {
    const limiter = createInProcessRateLimiter();
    const h = await startHarness({ rateLimiter: limiter, limits: { tokensPerDayPerKey: 10_000 } });
    harnesses.push(h);
    // Fails mid-stream after two chunks: those were generated and are charged.
    const broken = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'tell me [mock: chunks=6 fail-after=2]' }], max_tokens: 2_000, stream: true });
    expect(broken.status).toBe(200);
    await readSse(broken);
    // Fails before any answer (no upstream answered): nothing generated, everything refunded.
    const refused = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'tell me [mock: status=500]' }], max_tokens: 2_000 });
    expect(refused.status).toBeGreaterThanOrEqual(500);
    await refused.text();
    // Unknown model: refused before any reservation.
    expect((await post(h, { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }], max_tokens: 2_000 })).status).toBe(404);
    const events = await h.finish();
    const used = events.reduce((sum, event) => sum + event.promptTokens + event.completionTokens, 0);
    expect(events.some((event) => event.status === 'error' && event.completionTokens > 0)).toBe(true);
    expect(await dayRemaining(limiter, h, 10_000)).toBe(10_000 - used);
  });

  it('closing the data plane waits for the settlements of requests that already ended', async () => {
    const real = createInProcessRateLimiter();
    const settled: number[] = [];
    // A settlement that takes a while (a slow Redis): close must not return before it lands.
    const slowSettle: RateLimiter = {
      consume: (...args) => real.consume(...args),
      consumeAll: (checks) => real.consumeAll(checks),
      settle: async (settlements) => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await real.settle(settlements);
        settled.push(settlements.length);
      },
      close: () => real.close(),
    };
    const h = await startHarness({ rateLimiter: slowSettle, limits: { tokensPerDayPerKey: 10_000 } });
    const response = await post(h, { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], max_tokens: 500 });
    expect(response.status).toBe(200);
    await response.json();
    const events = await h.finish();
    expect(settled).toEqual([4]);
    const used = (events[0]?.promptTokens ?? 0) + (events[0]?.completionTokens ?? 0);
    expect(await dayRemaining(real, h, 10_000)).toBe(10_000 - used);
  });
});
