import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AUDIT_STREAM } from '@switchyard/events/audit';
import { createStaticPriceBookSource } from '../../accounting/price-book';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { createDataPlane, type DataPlane } from '../../app';
import { createInProcessBus } from '@switchyard/bus';
import { createInProcessRateLimiter } from '../../ingress/rate-limit/in-process-rate-limiter';
import { FakeApiKeyStore, TEST_PRICE_BOOK } from '../../test-support/data-plane-harness';
import { ALLOW_ALL_POLICY, TWO_REGION_PROVIDERS, TWO_REGION_ROUTES } from '../../test-support/two-region-providers';
import type { ActivePolicy } from './active-policy-source';
import { createPolicyDecisionPoint } from './decision-point';

const running: DataPlane[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

async function start() {
  const keys = new FakeApiKeyStore();
  const a = keys.add();
  const b = keys.add();
  const bus = createInProcessBus();
  const appended: Array<{ stream: string; payload: Record<string, unknown> }> = [];
  const append = bus.append.bind(bus);
  vi.spyOn(bus, 'append').mockImplementation((stream, payload) => {
    appended.push({ stream, payload: JSON.parse(payload) as Record<string, unknown> });
    return append(stream, payload);
  });
  const policies = new Map<string, ActivePolicy>();
  const policy = createPolicyDecisionPoint({ source: { activePolicy: (tenantId) => Promise.resolve(policies.get(tenantId) ?? null) } });
  const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus, rateLimiter: createInProcessRateLimiter(), providers: TWO_REGION_PROVIDERS, routes: TWO_REGION_ROUTES, policy });
  running.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`;
  const chat = (secret: string, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...headers },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }], ...body }),
    });
  const denials = () => appended.filter((entry) => entry.stream === AUDIT_STREAM && entry.payload['action'] === 'policy.denied').map((entry) => entry.payload);
  const legs = async () => {
    await app.close();
    return appended.filter((entry) => entry.stream === USAGE_STREAM).map((entry) => (entry.payload['route'] as { legs: Array<{ upstream: string }> }).legs.map((leg) => leg.upstream));
  };
  return { a, b, chat, denials, legs, setPolicy: (tenantId: string, text: string) => policies.set(tenantId, { version: 1, text }) };
}

type ErrorBody = { error: { code: string; type: string; message: string; param: string | null } };
const errorOf = async (response: Response): Promise<ErrorBody['error']> => ((await response.json()) as ErrorBody).error;
const tool = (name: string) => ({ type: 'function', function: { name, parameters: { type: 'object' } } });

describe('tool permissions on /v1/chat/completions', () => {
  const NO_SHELL = `${ALLOW_ALL_POLICY}@id("no-shell") forbid (principal, action == Action::"call_tool", resource is Tool) when { resource.tool_scope == "shell" };`;

  it('refuses a request naming a denied tool with 403 tool_not_permitted, naming the tool and the policy, and audits it', async () => {
    const { a, chat, denials, setPolicy } = await start();
    setPolicy(a.record.tenantId, NO_SHELL);
    expect((await chat(a.secret, { tools: [tool('search')] })).status).toBe(200);
    const refused = await chat(a.secret, { tools: [tool('search'), tool('shell__exec')] });
    expect(refused.status).toBe(403);
    const error = await errorOf(refused);
    expect(error).toMatchObject({ code: 'tool_not_permitted', type: 'permission_error', param: 'tools[1].function.name' });
    expect(error.message).toContain("'shell__exec'");
    expect(error.message).toContain('no-shell');
    await vi.waitFor(() => expect(denials()).toHaveLength(1));
    expect(denials()[0]).toMatchObject({ payload: { action: 'call_tool', refused: ['shell__exec'], determiningPolicies: ['no-shell'] } });
  });

  it('checks a forced tool_choice too', async () => {
    const { a, chat, setPolicy } = await start();
    setPolicy(a.record.tenantId, NO_SHELL);
    const refused = await chat(a.secret, { tools: [tool('search')], tool_choice: { type: 'function', function: { name: 'shell' } } });
    expect(await errorOf(refused)).toMatchObject({ code: 'tool_not_permitted', param: 'tool_choice.function.name' });
    expect((await chat(a.secret, { tools: [tool('search')], tool_choice: 'required' })).status).toBe(200);
  });

  it('decides 128 tools in one request; refuses the 129th tool as bad input', async () => {
    const { a, chat, setPolicy } = await start();
    setPolicy(a.record.tenantId, NO_SHELL);
    const many = Array.from({ length: 128 }, (_, i) => tool(`tool_${i}`));
    expect((await chat(a.secret, { tools: many })).status).toBe(200);
    const lastDenied = await chat(a.secret, { tools: [...many.slice(0, 127), tool('shell__rm')] });
    expect(await errorOf(lastDenied)).toMatchObject({ code: 'tool_not_permitted', param: 'tools[127].function.name' });
    expect(await errorOf(await chat(a.secret, { tools: [...many, tool('one_more')] }))).toMatchObject({ code: 'invalid_request', param: 'tools' });
  });

  it.each(['shell exec', '../shell', 'ｓhell', 'shell\u0000', '', 'x'.repeat(65)])('refuses the tool name %j as bad input (400) before any policy or audit', async (name) => {
    const { a, chat, denials, setPolicy } = await start();
    setPolicy(a.record.tenantId, NO_SHELL);
    expect(await errorOf(await chat(a.secret, { tools: [tool(name)] }))).toMatchObject({ code: 'invalid_request', param: 'tools[0].function.name' });
    expect(denials()).toEqual([]);
  });

  it('skips a policy that errors on a missing attribute (a forbid that errors does not deny; a permit that errors does not allow)', async () => {
    const { a, b, chat, setPolicy } = await start();
    setPolicy(a.record.tenantId, `${ALLOW_ALL_POLICY}@id("broken-forbid") forbid (principal, action == Action::"call_tool", resource) when { resource.no_such == "x" };`);
    expect((await chat(a.secret, { tools: [tool('search')] })).status).toBe(200);
    setPolicy(
      b.record.tenantId,
      `@id("models") permit (principal, action in [Action::"use_model", Action::"send_to_provider", Action::"process_in_region"], resource);
       @id("broken-permit") permit (principal, action == Action::"call_tool", resource) when { context.no_such == 1 };`,
    );
    const refused = await errorOf(await chat(b.secret, { tools: [tool('search')] }));
    expect(refused).toMatchObject({ code: 'tool_not_permitted' });
    expect(refused.message).toContain('no policy permits it');
    expect((await chat(b.secret, {})).status).toBe(200);
  });

  it("never applies one tenant's policy to another tenant", async () => {
    const { a, b, chat, setPolicy } = await start();
    setPolicy(b.record.tenantId, `@id("b-only-search") permit (principal, action, resource) unless { resource has tool && resource.tool != "search" };`);
    // A tenant-guarded forbid for B inside A's own policy cannot touch A either.
    setPolicy(a.record.tenantId, `${ALLOW_ALL_POLICY}@id("guarded") forbid (principal, action, resource) when { principal.tenant == "${b.record.tenantId}" };`);
    expect((await chat(a.secret, { tools: [tool('deploy')] })).status).toBe(200);
    expect(await errorOf(await chat(b.secret, { tools: [tool('deploy')] }))).toMatchObject({ code: 'tool_not_permitted' });
    expect((await chat(b.secret, { tools: [tool('search')] })).status).toBe(200);
  });
});

describe('egress and data locality on /v1/chat/completions', () => {
  it('never calls a refused upstream, not as a speculative leg and not as a fallback', async () => {
    const { a, chat, legs, setPolicy } = await start();
    setPolicy(a.record.tenantId, `${ALLOW_ALL_POLICY}@id("eu-only") forbid (principal, action == Action::"process_in_region", resource is Region) unless { resource.region == "eu-west" };`);
    for (let i = 0; i < 5; i++) expect((await chat(a.secret, { model: 'pair' })).status).toBe(200);
    const used = (await legs()).flat();
    expect(used.length).toBeGreaterThanOrEqual(5);
    expect(new Set(used)).toEqual(new Set(['mock-eu/mock-gpt']));
  });

  it('without a policy both speculative legs run (the filter is what keeps them out)', async () => {
    const { a, chat, legs } = await start();
    expect((await chat(a.secret, { model: 'pair' })).status).toBe(200);
    expect(new Set((await legs()).flat())).toEqual(new Set(['mock-us/mock-gpt', 'mock-eu/mock-gpt']));
  });

  it('refuses with 403 no_permitted_upstream listing every upstream and why, and audits it', async () => {
    const { a, chat, denials, setPolicy } = await start();
    setPolicy(
      a.record.tenantId,
      `${ALLOW_ALL_POLICY}@id("restricted-stays-home") forbid (principal, action == Action::"send_to_provider", resource is Provider) when { resource.host == "local" };
       @id("no-us") forbid (principal, action == Action::"process_in_region", resource) when { resource.region like "us-*" };`,
    );
    const refused = await chat(a.secret, { model: 'pair' });
    expect(refused.status).toBe(403);
    const error = await errorOf(refused);
    expect(error.code).toBe('no_permitted_upstream');
    for (const expected of ['mock-us/mock-gpt', 'mock-eu/mock-gpt', 'mock-us/mock-mini', 'restricted-stays-home', "region 'us-east' denied by no-us"]) expect(error.message).toContain(expected);
    await vi.waitFor(() => expect(denials()).toHaveLength(1));
    expect(denials()[0]).toMatchObject({ payload: { action: 'send_to_provider', refused: ['mock-us/mock-gpt', 'mock-eu/mock-gpt', 'mock-us/mock-mini'] } });
  });

  it('uses the data classification header as context for data locality', async () => {
    const { a, chat, setPolicy } = await start();
    setPolicy(a.record.tenantId, `${ALLOW_ALL_POLICY}@id("restricted-eu") forbid (principal, action == Action::"process_in_region", resource) when { context has data_classification && context.data_classification == "restricted" && resource.region != "eu-west" };`);
    expect((await chat(a.secret, { model: 'mock-mini' })).status).toBe(200);
    const refused = await errorOf(await chat(a.secret, { model: 'mock-mini' }, { 'x-switchyard-data-classification': 'restricted' }));
    expect(refused.code).toBe('no_permitted_upstream');
    expect(refused.message).toContain('restricted-eu');
    expect((await chat(a.secret, { model: 'pair' }, { 'x-switchyard-data-classification': 'restricted' })).status).toBe(200);
  });
});

describe('policies preloaded at data-plane start', () => {
  it('answers requests (model, tools, upstreams) without one read of the policy source once ready', async () => {
    const keys = new FakeApiKeyStore();
    const a = keys.add();
    const b = keys.add();
    const reads = { single: 0, all: 0 };
    const policy = createPolicyDecisionPoint({
      source: {
        activePolicy: () => {
          reads.single += 1;
          return Promise.resolve(null);
        },
        activePolicies: () => {
          reads.all += 1;
          return Promise.resolve([{ tenantId: a.record.tenantId, version: 7, text: `${ALLOW_ALL_POLICY}@id("no-shell") forbid (principal, action == Action::"call_tool", resource) when { resource.tool == "shell" };` }]);
        },
      },
    });
    const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus: createInProcessBus(), rateLimiter: createInProcessRateLimiter(), providers: TWO_REGION_PROVIDERS, routes: TWO_REGION_ROUTES, policy });
    running.push(app);
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    await vi.waitFor(async () => expect((await fetch(`${base}/readyz`)).status).toBe(200));
    const chat = (secret: string, tools: string[]) =>
      fetch(`${base}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
        body: JSON.stringify({ model: 'pair', messages: [{ role: 'user', content: 'hi' }], tools: tools.map(tool) }),
      });
    expect((await chat(a.secret, ['search'])).status).toBe(200);
    expect((await chat(a.secret, ['shell'])).status).toBe(403);
    expect((await chat(b.secret, ['shell'])).status).toBe(200);
    expect(reads).toEqual({ single: 0, all: 1 });
  });
});
