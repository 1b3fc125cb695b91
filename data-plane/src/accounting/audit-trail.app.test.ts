import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createDataPlane, type DataPlane } from '../app';
import { type Bus, createInProcessBus } from '@switchyard/bus';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import { createPolicyDecisionPoint } from '../policy/pdp/decision-point';
import { FakeApiKeyStore, MOCK_PROVIDER, startHarness, TEST_PRICE_BOOK, type Harness } from '../test-support/data-plane-harness';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { POLICY_DENIED_ACTION } from './audit-event';
import { createStaticPriceBookSource } from './price-book';
import { USAGE_STREAM } from '@switchyard/events/usage';

/** What the audit trail needs from the data plane: the routing decision per request, and policy denials. */
const harnesses: Harness[] = [];
const apps: DataPlane[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
  for (const app of apps.splice(0)) await app.close();
});

const messages = [{ role: 'user' as const, content: 'Route me somewhere.' }];

async function readStream(bus: Bus, stream: string): Promise<unknown[]> {
  const group = `test-${randomUUID()}`;
  await bus.ensureGroup(stream, group);
  const entries = await bus.readGroup(stream, group, 'test', { count: 1000, blockMs: 0 });
  return entries.map((entry) => JSON.parse(entry.payload) as unknown);
}

describe('routing decision in the usage event', () => {
  it('names the route, its strategy, the candidate that served and its leg', async () => {
    const h = await startHarness({ routes: [{ name: 'smart', strategy: { kind: 'priority' }, candidates: [{ model: 'mock-mini' }, { model: 'mock-gpt' }] }] });
    harnesses.push(h);
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'smart', messages }),
    });
    expect(response.status).toBe(200);
    const [event, ...rest] = await h.finish();
    expect(rest).toHaveLength(0);
    expect(event?.route).toMatchObject({ name: 'smart', configured: true, strategy: 'priority', candidate: 'mock/mock-mini' });
    expect(event?.route?.legs).toEqual([expect.objectContaining({ upstream: 'mock/mock-mini', model: 'mock-mini', outcome: 'won' })]);
  });

  it('marks a plain model as an unconfigured route', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages }),
    });
    expect(response.status).toBe(200);
    const [event] = await h.finish();
    expect(event?.route).toMatchObject({ name: 'mock-gpt', configured: false, candidate: 'mock/mock-gpt' });
  });
});

describe('policy denials on the audit stream', () => {
  it('appends exactly one policy.denied event per denied request, and no usage event', async () => {
    const keys = new FakeApiKeyStore();
    const { secret, record } = keys.add();
    const bus = createInProcessBus();
    const text = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };`;
    const policy = createPolicyDecisionPoint({ source: { activePolicy: () => Promise.resolve({ version: 3, text }) } });
    const app = createDataPlane({ apiKeys: keys, priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK), bus, rateLimiter: createInProcessRateLimiter(), providers: [MOCK_PROVIDER], policy });
    apps.push(app);
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1/chat/completions`;
    const chat = (model: string) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` }, body: JSON.stringify({ model, messages }) });

    expect((await chat('mock-large')).status).toBe(403);
    expect((await chat('mock-gpt')).status).toBe(200);
    await app.close();
    apps.splice(0);
    // The append is fire-and-forget: let the microtask queue settle before reading.
    await new Promise((resolve) => setImmediate(resolve));

    const audit = await readStream(bus, AUDIT_STREAM);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: POLICY_DENIED_ACTION,
      tenantId: record.tenantId,
      actor: `api-key:${record.id}`,
      payload: { model: 'mock-large', route: 'mock-large', determiningPolicies: ['no-large'], policyVersion: 3 },
    });
    // The shared schema the audit subgraph applies to every entry of the stream.
    expect(auditEventSchema.safeParse(audit[0]).success).toBe(true);
    const denial = audit[0] as { idempotencyKey: string; payload: { requestId: string } };
    expect(denial.idempotencyKey).toBe(`policy-denied:${denial.payload.requestId}`);
    const usage = (await readStream(bus, USAGE_STREAM)) as Array<{ model: string }>;
    expect(usage.map((event) => event.model)).toEqual(['mock-gpt']);
    await bus.close();
  });
});
