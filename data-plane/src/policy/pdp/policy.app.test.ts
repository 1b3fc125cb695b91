import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { createDataPlane, type DataPlane } from '../../app';
import { createInProcessBus } from '@switchyard/bus';
import { createInProcessRateLimiter } from '../../ingress/rate-limit/in-process-rate-limiter';
import { FakeApiKeyStore, MOCK_PROVIDER, TEST_PRICE_BOOK } from '../../test-support/data-plane-harness';
import type { ActivePolicy } from './active-policy-source';
import { POLICY_CHANGED_CHANNEL, policyChangedMessage } from '@switchyard/events/policy';
import { createPolicyDecisionPoint } from './decision-point';

const NO_LARGE = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };
@id("eu-restricted") forbid (principal, action == Action::"use_model", resource) when { context has data_classification && context.data_classification == "restricted" && !(context has region && context.region == "eu") };`;

const running: DataPlane[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

async function start() {
  const keys = new FakeApiKeyStore();
  const { secret, record } = keys.add();
  const bus = createInProcessBus();
  const policies = new Map<string, ActivePolicy>();
  const policy = createPolicyDecisionPoint({ source: { activePolicy: (tenantId) => Promise.resolve(policies.get(tenantId) ?? null) } });
  const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus, rateLimiter: createInProcessRateLimiter(), providers: [MOCK_PROVIDER], policy });
  running.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`;
  const chat = (model: string, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
  return { app, chat, bus, tenantId: record.tenantId, setPolicy: (text: string) => policies.set(record.tenantId, { version: 1, text }) };
}

describe('policy step of /v1/chat/completions', () => {
  it('allows everything without a tenant policy, then denies with 403 policy_denied within a second of the change event', async () => {
    const { chat, bus, tenantId, setPolicy } = await start();
    expect((await chat('mock-large')).status).toBe(200);
    setPolicy(NO_LARGE);
    await bus.publish(POLICY_CHANGED_CHANNEL, policyChangedMessage(tenantId));
    await vi.waitFor(async () => expect((await chat('mock-large')).status).toBe(403), { timeout: 1000, interval: 20 });
    const denied = await chat('mock-large');
    const body = (await denied.json()) as { error: { code: string; type: string; message: string; param: string } };
    expect(body.error).toMatchObject({ code: 'policy_denied', type: 'permission_error', param: 'model' });
    expect(body.error.message).toContain('no-large');
    expect((await chat('mock-gpt')).status).toBe(200);
  });

  it('uses the region and data classification headers as context', async () => {
    const { chat, setPolicy } = await start();
    setPolicy(NO_LARGE);
    expect((await chat('mock-gpt', { 'x-switchyard-data-classification': 'restricted' })).status).toBe(403);
    expect((await chat('mock-gpt', { 'x-switchyard-data-classification': 'restricted', 'x-switchyard-region': 'eu' })).status).toBe(200);
  });

  it('counts each denial by action in switchyard_policy_denials_total (policy_denials_rate is its rate)', async () => {
    const { app, chat, setPolicy } = await start();
    setPolicy(NO_LARGE);
    const denials = async () => (await app.metrics.metrics()).split('\n').filter((line) => line.startsWith('switchyard_policy_denials_total'));
    expect((await chat('mock-gpt')).status).toBe(200);
    expect(await denials()).toEqual([]);
    expect((await chat('mock-large')).status).toBe(403);
    expect((await chat('mock-large')).status).toBe(403);
    expect(await denials()).toEqual(['switchyard_policy_denials_total{action="use_model"} 2']);
  });
});
