import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStaticPriceBookSource } from '../accounting/price-book';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { createDataPlane, type DataPlane } from '../app';
import { createInProcessBus } from '@switchyard/bus';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import type { ActivePolicy } from '../policy/pdp/active-policy-source';
import { createPolicyDecisionPoint } from '../policy/pdp/decision-point';
import { FakeApiKeyStore, TEST_PRICE_BOOK } from '../test-support/data-plane-harness';
import { ALLOW_ALL_POLICY, TWO_REGION_PROVIDERS, TWO_REGION_ROUTES } from '../test-support/two-region-providers';
import { TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage } from '@switchyard/events/tenants';
import { createTenantSettingsCache } from './settings-cache';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@switchyard/db/tenant-settings';

const running: DataPlane[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

/** A data plane whose tenant settings come from a mutable map through the real cache and bus event. */
async function start(options: { policy?: boolean; limits?: Record<string, number> } = {}) {
  const keys = new FakeApiKeyStore();
  const a = keys.add();
  const b = keys.add();
  const bus = createInProcessBus();
  const usage: string[][] = [];
  const append = bus.append.bind(bus);
  vi.spyOn(bus, 'append').mockImplementation((stream, payload) => {
    if (stream === USAGE_STREAM) usage.push((JSON.parse(payload) as { route: { legs: { upstream: string }[] } }).route.legs.map((leg) => leg.upstream));
    return append(stream, payload);
  });
  const stored = new Map<string, TenantSettings>();
  const cache = createTenantSettingsCache({ source: { loadAll: () => Promise.resolve(new Map(stored)), load: (tenantId) => Promise.resolve(stored.get(tenantId) ?? null) } });
  await cache.subscribe(bus);
  await cache.loadAll();
  const policies = new Map<string, ActivePolicy>();
  const policy = createPolicyDecisionPoint({ source: { activePolicy: (tenantId) => Promise.resolve(policies.get(tenantId) ?? null) } });
  const app = createDataPlane({
    apiKeys: keys,
    priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK),
    bus,
    rateLimiter: createInProcessRateLimiter(),
    providers: TWO_REGION_PROVIDERS,
    routes: TWO_REGION_ROUTES,
    tenantSettings: cache,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.policy ? { policy } : {}),
  });
  running.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`;
  const chat = (secret: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });
  /** Stores new settings and announces them as the tenants subgraph does; resolves once the replica applied them. */
  const changeSettings = async (tenantId: string, partial: Partial<TenantSettings>) => {
    const next = { ...DEFAULT_TENANT_SETTINGS, ...stored.get(tenantId), ...partial };
    stored.set(tenantId, next);
    await bus.publish(TENANT_SETTINGS_CHANGED_CHANNEL, tenantSettingsChangedMessage(tenantId));
    await vi.waitFor(() => expect(cache.settingsOf(tenantId)).toEqual(next));
  };
  const legs = async () => {
    await app.close();
    return usage;
  };
  return { a, b, chat, changeSettings, legs, setPolicy: (tenantId: string, text: string) => policies.set(tenantId, { version: 1, text }) };
}

type ErrorBody = { error: { code: string; type: string; message: string; param: string | null } };
const errorOf = async (response: Response): Promise<ErrorBody['error']> => ((await response.json()) as ErrorBody).error;

describe('default data classification', () => {
  const PUBLIC_ONLY = `${ALLOW_ALL_POLICY}@id("public-only") forbid (principal, action == Action::"use_model", resource) unless { context.data_classification == "public" };`;

  it('is the tenant default; the header may raise it but never lower it', async () => {
    const { a, b, chat, changeSettings, setPolicy } = await start({ policy: true });
    setPolicy(a.record.tenantId, PUBLIC_ONLY);
    setPolicy(b.record.tenantId, PUBLIC_ONLY);
    await changeSettings(a.record.tenantId, { defaultDataClassification: 'confidential' });
    await changeSettings(b.record.tenantId, { defaultDataClassification: 'public' });

    expect((await chat(b.secret)).status).toBe(200);
    expect(await errorOf(await chat(b.secret, {}, { 'x-switchyard-data-classification': 'restricted' }))).toMatchObject({ code: 'policy_denied' });
    // A confidential tenant's request claiming to be public is still confidential.
    expect(await errorOf(await chat(a.secret, {}, { 'x-switchyard-data-classification': 'public' }))).toMatchObject({ code: 'policy_denied' });
    expect((await chat(a.secret)).status).toBe(403);

    await changeSettings(a.record.tenantId, { defaultDataClassification: 'public' });
    expect((await chat(a.secret)).status).toBe(200);
  });

  it('a tenant without settings is internal, so a header cannot make it public', async () => {
    const { a, chat, setPolicy } = await start({ policy: true });
    setPolicy(a.record.tenantId, PUBLIC_ONLY);
    expect((await chat(a.secret, {}, { 'x-switchyard-data-classification': 'public' })).status).toBe(403);
  });
});

describe('allowed regions', () => {
  it('an upstream outside the allowed regions is never called: not as a speculative leg, not as a fallback (no policy needed)', async () => {
    const { a, b, chat, changeSettings, legs } = await start();
    await changeSettings(a.record.tenantId, { allowedRegions: ['eu-west'] });
    for (let i = 0; i < 3; i += 1) expect((await chat(a.secret, { model: 'pair' })).status).toBe(200);
    expect((await chat(b.secret, { model: 'pair' })).status).toBe(200);
    const used = await legs();
    expect(used.slice(0, 3).flat()).toEqual(['mock-eu/mock-gpt', 'mock-eu/mock-gpt', 'mock-eu/mock-gpt']);
    expect(used[3]).toContain('mock-us/mock-gpt');
  });

  it('refuses with 403 no_permitted_upstream naming the regions when none is allowed, and follows a change', async () => {
    const { a, chat, changeSettings } = await start({ policy: true });
    await changeSettings(a.record.tenantId, { allowedRegions: ['ap-south'] });
    const refused = await chat(a.secret, { model: 'pair' });
    expect(refused.status).toBe(403);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'no_permitted_upstream', type: 'permission_error' });
    expect(error.message).toContain("region 'us-east' is not among the tenant's allowed regions (ap-south)");
    expect(error.message).toContain("region 'eu-west'");
    await changeSettings(a.record.tenantId, { allowedRegions: ['us-east', 'eu-west'] });
    expect((await chat(a.secret, { model: 'pair' })).status).toBe(200);
  });

  it('are a principal attribute policies can use', async () => {
    const { a, b, chat, changeSettings, setPolicy } = await start({ policy: true });
    const policy = `${ALLOW_ALL_POLICY}@id("regions") forbid (principal, action == Action::"process_in_region", resource is Region) unless { principal.allowed_regions.isEmpty() || principal.allowed_regions.contains(resource.region) };
@id("eu-only-model") forbid (principal, action == Action::"use_model", resource) unless { principal.allowed_regions.contains("eu-west") };`;
    setPolicy(a.record.tenantId, policy);
    setPolicy(b.record.tenantId, policy);
    await changeSettings(a.record.tenantId, { allowedRegions: ['eu-west'] });
    expect((await chat(a.secret, { model: 'pair' })).status).toBe(200);
    expect(await errorOf(await chat(b.secret, { model: 'pair' }))).toMatchObject({ code: 'policy_denied' });
  });
});

describe('per-tenant quota overrides', () => {
  it('replace the platform tenant limit from the request after the bus event', async () => {
    const { a, b, chat, changeSettings } = await start({ limits: { requestsPerMinutePerTenant: 1_000 } });
    expect((await chat(a.secret)).status).toBe(200);
    expect((await chat(a.secret)).status).toBe(200);
    await changeSettings(a.record.tenantId, { requestsPerMinute: 3 });
    // The allowance is now 3 a minute (GCRA: the two earlier requests cost almost nothing at the old rate).
    let admitted = 0;
    let refused = await chat(a.secret);
    while (refused.status === 200 && admitted < 10) {
      admitted += 1;
      refused = await chat(a.secret);
    }
    expect(admitted).toBeLessThanOrEqual(3);
    expect(refused.status).toBe(429);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'rate_limit_exceeded' });
    expect(error.message).toContain('requests_per_minute_per_tenant');
    // Another tenant keeps the platform limit.
    for (let i = 0; i < 5; i += 1) expect((await chat(b.secret)).status).toBe(200);
    // Back to the platform default (null): admitted again.
    await changeSettings(a.record.tenantId, { requestsPerMinute: null });
    expect((await chat(a.secret)).status).toBe(200);
  });

  it('a token quota override refuses what the platform limit would admit', async () => {
    const { a, b, chat, changeSettings } = await start();
    await changeSettings(a.record.tenantId, { tokensPerDay: 300 });
    // A request estimated above the tenant's whole allowance can never pass: 400 naming the override (enforce-limits.ts).
    const refused = await errorOf(await chat(a.secret, { max_tokens: 400 }));
    expect(refused).toMatchObject({ code: 'request_exceeds_token_limit' });
    expect(refused.message).toContain('tokens_per_day_per_tenant allows at all (300 tokens per 24 hours)');
    // One that fits is served (and settled to what it used).
    expect((await chat(a.secret, { max_tokens: 200 })).status).toBe(200);
    for (let i = 0; i < 2; i += 1) expect((await chat(b.secret, { max_tokens: 400 })).status).toBe(200);
  });
});
