import { afterEach, describe, expect, it } from 'vitest';
import { LIMIT_WARNING_HEADER } from '../../api/chat-completions-handler';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';
import { LIMIT_WARNING_CHANNEL } from '@switchyard/events/limits';
import { ALERTS_STREAM, alertEventSchema } from '@switchyard/events/alerts';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

function post(h: Harness, body: unknown): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('token quotas in the request path', () => {
  it('charges prompt + max_tokens up front: warns past the soft share, then refuses with 429 token_quota_exceeded and Retry-After', async () => {
    const h = await startHarness({ limits: { tokensPerDayPerKey: 1_000, softLimitRatio: 0.8 } });
    harnesses.push(h);
    const warnings: string[] = [];
    await h.bus.subscribe(LIMIT_WARNING_CHANNEL, (message) => warnings.push(message));
    const messages = [{ role: 'user', content: 'hi' }];

    const first = await post(h, { model: 'mock-gpt', messages, max_tokens: 400 });
    expect(first.status).toBe(200);
    expect(first.headers.get(LIMIT_WARNING_HEADER)).toBeNull();

    const second = await post(h, { model: 'mock-gpt', messages, max_tokens: 400 });
    expect(second.status).toBe(200);
    expect(second.headers.get(LIMIT_WARNING_HEADER)).toMatch(/^tokens_per_day_per_key=8\d%$/);

    const third = await post(h, { model: 'mock-gpt', messages, max_tokens: 400 });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await third.json()).toMatchObject({ error: { code: 'token_quota_exceeded', type: 'rate_limit_error' } });

    // The day quota's first warning is also queued for the tenant's alert webhook.
    await h.bus.ensureGroup(ALERTS_STREAM, 'probe');
    const alerts = (await h.bus.readGroup(ALERTS_STREAM, 'probe', 'probe', { count: 10, blockMs: 0 })).map((entry) => alertEventSchema.parse(JSON.parse(entry.payload)));
    expect(alerts).toEqual([
      expect.objectContaining({ type: 'quota.soft_limit_reached', tenantId: h.record.tenantId, data: expect.objectContaining({ limit: 'tokens_per_day_per_key', callerId: h.record.id }) }),
    ]);
    const events = await h.finish();
    expect(events).toHaveLength(2);
    expect(warnings.map((w) => JSON.parse(w) as unknown)).toEqual([
      { tenantId: h.record.tenantId, apiKeyId: h.record.id, limit: 'tokens_per_day_per_key', used: expect.any(Number) as unknown },
    ]);
  });
});
