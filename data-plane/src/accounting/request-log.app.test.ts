import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { REQUEST_LOG_STREAM, requestLogEventSchema, type RequestLogEvent } from '@switchyard/events/request-log';
import type { AddressInfo } from 'node:net';
import { createDataPlane } from '../app';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import { createPolicyDecisionPoint } from '../policy/pdp/decision-point';
import { FakeApiKeyStore, MOCK_PROVIDER, startHarness, TEST_PRICE_BOOK, type Harness } from '../test-support/data-plane-harness';
import { createStaticPriceBookSource } from './price-book';

/** Every answered request of a known tenant, served or refused, reaches the request-log stream once. */
const harnesses: Harness[] = [];
const buses: Bus[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  await Promise.all(buses.splice(0).map((bus) => bus.close()));
});

/** The harness over a bus this file owns (the harness closes only a bus it made), so the stream can be read after finish(). */
async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<Harness> {
  const bus = createInProcessBus();
  buses.push(bus);
  const h = await startHarness({ ...options, bus });
  harnesses.push(h);
  return h;
}

async function logOf(h: Harness): Promise<RequestLogEvent[]> {
  const bus: Bus = h.bus;
  const group = `test-${randomUUID()}`;
  await bus.ensureGroup(REQUEST_LOG_STREAM, group);
  const entries = await bus.readGroup(REQUEST_LOG_STREAM, group, 'test', { count: 1000, blockMs: 0 });
  return entries.map((entry) => requestLogEventSchema.parse(JSON.parse(entry.payload)));
}

function chat(h: Harness, body: object, headers: Record<string, string> = {}, secret = h.secret): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

const messages = [{ role: 'user' as const, content: 'Log me.' }];

describe('request log events', () => {
  it('records a served request with tokens, cost, decision, TTFT and the client trace id', async () => {
    const h = await start();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const response = await chat(h, { model: 'mock-gpt', messages }, { traceparent: `00-${traceId}-00f067aa0ba902b7-01`, 'x-request-id': 'client-1' });
    expect(response.status).toBe(200);
    await response.text();
    const [usage] = await h.finish();
    const [entry, ...rest] = await logOf(h);
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      requestId: response.headers.get('x-switchyard-request-id'),
      clientRequestId: 'client-1',
      tenantId: h.record.tenantId,
      apiKeyId: h.record.id,
      userId: null,
      endpoint: 'chat_completions',
      route: 'mock-gpt',
      model: 'mock-gpt',
      provider: 'mock',
      status: 200,
      errorCode: null,
      refused: false,
      traceId,
      promptTokens: usage?.promptTokens,
      completionTokens: usage?.completionTokens,
      costMicros: usage?.costMicros,
    });
    expect(BigInt(entry!.costMicros)).toBeGreaterThan(0n);
    expect(entry!.ttftMs).not.toBeNull();
    expect(entry!.ttftMs!).toBeLessThanOrEqual(entry!.latencyMs);
    expect(entry!.decision).toMatchObject({ name: 'mock-gpt', candidate: 'mock/mock-gpt' });
  });

  it('records refusals of a known tenant (rate limit, unknown model, missing scope) with their codes', async () => {
    const h = await start({ requestsPerMinutePerKey: 1 });
    const noScope = h.keys.add({ tenantId: h.record.tenantId, scopes: ['admin:read'] });
    expect((await chat(h, { model: 'mock-gpt', messages })).status).toBe(200);
    expect((await chat(h, { model: 'mock-gpt', messages })).status).toBe(429);
    expect((await chat(h, { model: 'no-such-model', messages })).status).toBe(404);
    expect((await chat(h, { model: 'mock-gpt', messages }, {}, noScope.secret)).status).toBe(403);
    await h.finish();
    const entries = await logOf(h);
    const refusals = entries.filter((entry) => entry.refused).map((entry) => ({ status: entry.status, code: entry.errorCode, key: entry.apiKeyId, tokens: entry.promptTokens, cost: entry.costMicros }));
    expect(refusals).toEqual(
      expect.arrayContaining([
        { status: 429, code: 'rate_limit_exceeded', key: h.record.id, tokens: 0, cost: '0' },
        { status: 404, code: 'model_not_found', key: h.record.id, tokens: 0, cost: '0' },
        { status: 403, code: 'insufficient_scope', key: noScope.record.id, tokens: 0, cost: '0' },
      ]),
    );
    expect(entries).toHaveLength(4);
  });

  it("records a revoked key's refusal in its tenant's log: the caller holds the real secret", async () => {
    const h = await start();
    const revoked = h.keys.add({ tenantId: h.record.tenantId, revokedAt: new Date(Date.now() - 1000) });
    expect((await chat(h, { model: 'mock-gpt', messages }, {}, revoked.secret)).status).toBe(401);
    await h.finish();
    expect(await logOf(h)).toEqual([expect.objectContaining({ tenantId: h.record.tenantId, apiKeyId: revoked.record.id, status: 401, errorCode: 'api_key_revoked', refused: true })]);
  });

  it('logs nothing per request for unauthenticated refusals and counts them instead', async () => {
    const h = await start();
    expect((await chat(h, { model: 'mock-gpt', messages }, {}, 'sk-sy-not-a-key')).status).toBe(401);
    const noAuth = await fetch(`${h.baseUrl}/chat/completions`, { method: 'POST', body: '{}' });
    expect(noAuth.status).toBe(401);
    const metrics = await h.metricsText();
    await h.finish();
    expect(await logOf(h)).toEqual([]);
    expect(metrics).toMatch(/switchyard_unattributed_refusals_total\{code="invalid_api_key"\} 1/);
    expect(metrics).toMatch(/switchyard_unattributed_refusals_total\{code="missing_api_key"\} 1/);
  });

  it('carries the policy decisions: what allowed a served request, what denied a refused one', async () => {
    const keys = new FakeApiKeyStore();
    const { secret } = keys.add();
    const bus = createInProcessBus();
    buses.push(bus);
    const text = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };`;
    const policy = createPolicyDecisionPoint({ source: { activePolicy: () => Promise.resolve({ version: 3, text }) } });
    const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus, rateLimiter: createInProcessRateLimiter(), providers: [MOCK_PROVIDER], policy });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`;
    const chatAs = (model: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ model, messages }) });
    expect((await chatAs('mock-large')).status).toBe(403);
    expect((await (await chatAs('mock-gpt')).text()).length).toBeGreaterThan(0);
    await app.close();
    const group = `test-${randomUUID()}`;
    await bus.ensureGroup(REQUEST_LOG_STREAM, group);
    const entries = (await bus.readGroup(REQUEST_LOG_STREAM, group, 'test', { count: 10, blockMs: 0 })).map((entry) => requestLogEventSchema.parse(JSON.parse(entry.payload)));
    const denied = entries.find((entry) => entry.status === 403);
    const served = entries.find((entry) => entry.status === 200);
    expect(denied).toMatchObject({ refused: true, errorCode: 'policy_denied', route: 'mock-large', policyDecisions: [{ action: 'use_model', decision: 'deny', policies: ['no-large'], policyVersion: 3 }] });
    expect(served?.policyDecisions).toEqual([{ action: 'use_model', decision: 'allow', policies: ['allow-all'], policyVersion: 3 }]);
  });
});
