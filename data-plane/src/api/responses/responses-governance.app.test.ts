import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import { REQUEST_LOG_STREAM, requestLogEventSchema } from '@switchyard/events/request-log';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { describe, expect, it } from 'vitest';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { POLICY_DENIED_ACTION } from '../../accounting/audit-event';
import { createDataPlane } from '../../app';
import { createInProcessRateLimiter } from '../../ingress/rate-limit/in-process-rate-limiter';
import { createPolicyDecisionPoint } from '../../policy/pdp/decision-point';
import { FakeApiKeyStore, MOCK_PROVIDER, startHarness, TEST_PRICE_BOOK } from '../../test-support/data-plane-harness';

/** /v1/responses and /v1/completions take the chat path's admission, policy, accounting, audit and request log. */
async function readStream(bus: Bus, stream: string): Promise<unknown[]> {
  const group = `test-${randomUUID()}`;
  await bus.ensureGroup(stream, group);
  const entries = await bus.readGroup(stream, group, 'test', { count: 1000, blockMs: 0 });
  return entries.map((entry) => JSON.parse(entry.payload) as unknown);
}

describe('governance of the other wire formats', () => {
  it("the tenant's policy refuses a model on /v1/responses and /v1/completions as on chat: 403 policy_denied, audited, not billed", async () => {
    const keys = new FakeApiKeyStore();
    const { secret, record } = keys.add();
    const bus = createInProcessBus();
    const text = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };
@id("no-shell") forbid (principal, action == Action::"call_tool", resource) when { resource.id == "shell" };`;
    const policy = createPolicyDecisionPoint({ source: { activePolicy: () => Promise.resolve({ version: 1, text }) } });
    const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus, rateLimiter: createInProcessRateLimiter(), providers: [MOCK_PROVIDER], policy });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`, maxRetries: 0 });

    await expect(client.responses.create({ model: 'mock-large', input: 'x' })).rejects.toMatchObject({ status: 403, code: 'policy_denied' });
    await expect(client.completions.create({ model: 'mock-large', prompt: 'x' })).rejects.toMatchObject({ status: 403, code: 'policy_denied' });
    await expect(client.responses.create({ model: 'mock-gpt', input: 'x', tools: [{ type: 'function', name: 'shell', parameters: null, strict: null }] })).rejects.toMatchObject({ status: 403, code: 'tool_not_permitted', param: 'tools[0].function.name' });
    expect((await client.responses.create({ model: 'mock-gpt', input: 'allowed' })).status).toBe('completed');
    await app.close();
    await new Promise((resolve) => setImmediate(resolve));

    const audit = (await readStream(bus, AUDIT_STREAM)) as Array<{ action: string; tenantId: string }>;
    expect(audit.filter((entry) => entry.action === POLICY_DENIED_ACTION && entry.tenantId === record.tenantId)).toHaveLength(3);
    const usage = (await readStream(bus, USAGE_STREAM)) as Array<{ model: string }>;
    expect(usage.map((event) => event.model)).toEqual(['mock-gpt']);
    await bus.close();
  });

  it('rate limits apply per key across the formats, and every answered request is in the request log under its endpoint', async () => {
    const bus = createInProcessBus();
    const h = await startHarness({ bus, requestsPerMinutePerKey: 3 });
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const response = await client.responses.create({ model: 'mock-gpt', input: 'one' });
    await client.completions.create({ model: 'mock-gpt', prompt: 'two' });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'three' }] });
    await expect(client.responses.create({ model: 'mock-gpt', input: 'four' })).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    await client.responses.retrieve(response.id);
    const usage = await h.finish();
    expect(usage).toHaveLength(3);

    const log = (await readStream(bus, REQUEST_LOG_STREAM)).map((entry) => requestLogEventSchema.parse(entry));
    expect(log.map((entry) => [entry.endpoint, entry.status]).sort()).toEqual(
      [
        ['chat_completions', 200],
        ['completions', 200],
        ['response', 200],
        ['responses', 200],
        ['responses', 429],
      ].sort(),
    );
    const served = log.find((entry) => entry.endpoint === 'responses' && entry.status === 200);
    expect(served).toMatchObject({ promptTokens: response.usage?.input_tokens, completionTokens: response.usage?.output_tokens });
    await bus.close();
  });
});
