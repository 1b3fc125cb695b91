import { randomUUID } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { type Bus, createInProcessBus, createRedisBus } from '@switchyard/bus';
import type { ActivePolicy, ActivePolicySource } from './active-policy-source';
import { POLICY_CHANGED_CHANNEL, policyChangedMessage } from '@switchyard/events/policy';
import { createBufferedDecisionLog, type LoggedDecision } from './decision-log';
import { createPolicyDecisionPoint, UNLOADABLE_POLICY_ID } from './decision-point';
import { DEFAULT_POLICY_ID } from './default-policy';
import { DATA_CLASSIFICATION_HEADER, REGION_HEADER, useModelRequest } from './use-model-request';

const tenantA = randomUUID();
const tenantB = randomUUID();

const FORBID_LARGE = `
@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.model == "mock-large" };
`;

function fakeSource(initial: Record<string, ActivePolicy | null>) {
  const policies = new Map(Object.entries(initial));
  const loads = vi.fn((tenantId: string) => Promise.resolve(policies.get(tenantId) ?? null));
  const source: ActivePolicySource = { activePolicy: loads };
  return { source, loads, set: (tenantId: string, policy: ActivePolicy | null) => policies.set(tenantId, policy) };
}

const request = (tenantId: string, model: string, headers: Record<string, string> = {}) =>
  useModelRequest({ apiKeyId: 'key-1', tenantId, scopes: ['chat'], model, route: model, headers, now: new Date('2026-01-01T10:00:00Z') });

describe('policy decision point', () => {
  it('allows everything for a tenant without an active policy (default allow-all)', async () => {
    const { source } = fakeSource({});
    const pdp = createPolicyDecisionPoint({ source });
    const result = await pdp.decide(request(tenantA, 'mock-large'));
    expect(result).toMatchObject({ decision: 'allow', determiningPolicies: [DEFAULT_POLICY_ID], policyVersion: null });
  });

  it('decides with the active policy and loads it once per tenant', async () => {
    const { source, loads } = fakeSource({ [tenantA]: { version: 3, text: FORBID_LARGE } });
    const pdp = createPolicyDecisionPoint({ source });
    await expect(pdp.decide(request(tenantA, 'mock-large'))).resolves.toMatchObject({ decision: 'deny', determiningPolicies: ['no-large'], policyVersion: 3 });
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).resolves.toMatchObject({ decision: 'allow', determiningPolicies: ['allow-all'] });
    await expect(pdp.decide(request(tenantB, 'mock-large'))).resolves.toMatchObject({ decision: 'allow', policyVersion: null });
    expect(loads.mock.calls.filter(([id]) => id === tenantA)).toHaveLength(1);
  });

  it('fails closed when the stored active policy does not compile', async () => {
    const onInvalid = vi.fn();
    const { source } = fakeSource({ [tenantA]: { version: 2, text: 'permit (' } });
    const pdp = createPolicyDecisionPoint({ source, onInvalidStoredPolicy: onInvalid });
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).resolves.toMatchObject({ decision: 'deny', determiningPolicies: [UNLOADABLE_POLICY_ID] });
    expect(onInvalid).toHaveBeenCalledWith(tenantA, 2);
  });

  it('does not cache a failed load', async () => {
    let calls = 0;
    const source: ActivePolicySource = {
      activePolicy: () => (++calls === 1 ? Promise.reject(new Error('db down')) : Promise.resolve(null)),
    };
    const pdp = createPolicyDecisionPoint({ source });
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).rejects.toThrow('db down');
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).resolves.toMatchObject({ decision: 'allow' });
  });

  it('ignores malformed bus messages', async () => {
    const bus = createInProcessBus();
    const { source, loads } = fakeSource({});
    const pdp = createPolicyDecisionPoint({ source });
    const unsubscribe = await pdp.subscribe(bus);
    await pdp.decide(request(tenantA, 'mock-gpt'));
    await bus.publish(POLICY_CHANGED_CHANNEL, 'not json');
    await bus.publish(POLICY_CHANGED_CHANNEL, JSON.stringify({ tenant: tenantA }));
    await pdp.decide(request(tenantA, 'mock-gpt'));
    expect(loads).toHaveBeenCalledTimes(1);
    await unsubscribe();
    await bus.close();
  });

  it('logs decisions through the buffered log, bounded', async () => {
    const written: LoggedDecision[] = [];
    const log = createBufferedDecisionLog({ writer: { write: (entries) => Promise.resolve(void written.push(...entries)) }, maxBuffered: 2, flushIntervalMs: 60_000 });
    const pdp = createPolicyDecisionPoint({ source: fakeSource({}).source, log });
    for (let i = 0; i < 5; i += 1) await pdp.decide(request(tenantA, 'mock-gpt'));
    await log.close();
    expect(written).toHaveLength(2);
    expect(written[0]).toMatchObject({ tenantId: tenantA, decision: 'allow', request: { action: 'use_model', resource: { id: 'mock-gpt' } } });
  });

  it('takes region and data classification from headers, ignoring junk values', () => {
    expect(request(tenantA, 'm', { [REGION_HEADER]: 'eu', [DATA_CLASSIFICATION_HEADER]: 'restricted' }).context).toEqual({ hour: 10, region: 'eu', data_classification: 'restricted' });
    expect(request(tenantA, 'm', { [REGION_HEADER]: 'eu west; drop', [DATA_CLASSIFICATION_HEADER]: 'x'.repeat(65) }).context).toEqual({ hour: 10 });
  });
});

describe('preloaded policies (no source read on the request path)', () => {
  /** A source that counts every read and can be made to hang (a database that stopped answering). */
  function countingSource(initial: Record<string, ActivePolicy>) {
    const policies = new Map(Object.entries(initial));
    const reads = { single: 0, all: 0 };
    let hang = false;
    const source: ActivePolicySource = {
      activePolicy: (tenantId) => {
        reads.single += 1;
        return hang ? new Promise(() => undefined) : Promise.resolve(policies.get(tenantId) ?? null);
      },
      activePolicies: () => {
        reads.all += 1;
        return Promise.resolve([...policies].map(([tenantId, policy]) => ({ tenantId, ...policy })));
      },
    };
    return { source, reads, set: (tenantId: string, policy: ActivePolicy) => policies.set(tenantId, policy), hang: (value: boolean) => (hang = value) };
  }

  it('compiles every tenant at start: no decision reads the source, for tenants with or without a policy', async () => {
    const { source, reads } = countingSource({ [tenantA]: { version: 4, text: FORBID_LARGE } });
    const pdp = createPolicyDecisionPoint({ source });
    await pdp.preload();
    expect(reads).toEqual({ single: 0, all: 1 });
    await expect(pdp.decide(request(tenantA, 'mock-large'))).resolves.toMatchObject({ decision: 'deny', policyVersion: 4 });
    await expect(pdp.decide(request(tenantB, 'mock-large'))).resolves.toMatchObject({ decision: 'allow', policyVersion: null });
    await pdp.decideAll(tenantA, [request(tenantA, 'mock-gpt'), request(tenantA, 'mock-mini')]);
    await pdp.forTenant(randomUUID());
    expect(reads).toEqual({ single: 0, all: 1 });
  });

  it('after a change, decisions keep using the compiled policy until the new one is compiled (never waiting on the source)', async () => {
    const { source, reads, set, hang } = countingSource({ [tenantA]: { version: 1, text: FORBID_LARGE } });
    const pdp = createPolicyDecisionPoint({ source });
    await pdp.preload();
    hang(true);
    set(tenantA, { version: 2, text: '@id("allow-all") permit (principal, action, resource);' });
    pdp.invalidate(tenantA);
    // The reload hangs, yet the decision answers at once from the previous version.
    await expect(pdp.decide(request(tenantA, 'mock-large'))).resolves.toMatchObject({ decision: 'deny', policyVersion: 1 });
    expect(reads.single).toBe(1);
    hang(false);
    pdp.invalidate(tenantA);
    await vi.waitFor(async () => expect(await pdp.decide(request(tenantA, 'mock-large'))).toMatchObject({ decision: 'allow', policyVersion: 2 }), { timeout: 1000, interval: 5 });
    expect(reads.single).toBe(2);
  });

  it('a failed background reload makes the next decision load (never deciding on a policy known to be outdated)', async () => {
    let fail = false;
    let version = 1;
    const onReloadError = vi.fn();
    const source: ActivePolicySource = {
      activePolicy: () => (fail ? Promise.reject(new Error('db down')) : Promise.resolve({ version, text: FORBID_LARGE })),
      activePolicies: () => Promise.resolve([{ tenantId: tenantA, version, text: FORBID_LARGE }]),
    };
    const pdp = createPolicyDecisionPoint({ source, onReloadError });
    await pdp.preload();
    fail = true;
    pdp.invalidate(tenantA);
    await vi.waitFor(() => expect(onReloadError).toHaveBeenCalledOnce());
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).rejects.toThrow('db down');
    fail = false;
    version = 3;
    await expect(pdp.decide(request(tenantA, 'mock-gpt'))).resolves.toMatchObject({ policyVersion: 3 });
  });

  it("a tenant's decider refuses another tenant's request", async () => {
    const pdp = createPolicyDecisionPoint({ source: fakeSource({}).source });
    const decider = await pdp.forTenant(tenantA);
    expect(() => decider.decide(request(tenantB, 'mock-gpt'))).toThrow('its own tenant');
    await expect(pdp.decideAll(tenantA, [request(tenantB, 'mock-gpt')])).rejects.toThrow('its own tenant');
  });
});

/** A subscriber and a publisher connection to the same bus (one in-process bus is shared by both roles). */
const buses: Array<[string, () => [Bus, Bus]]> = [
  [
    'in-process',
    () => {
      const bus = createInProcessBus();
      return [bus, { ...bus, close: () => Promise.resolve() }];
    },
  ],
  [
    'redis',
    () => {
      const url = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
      const keyPrefix = `sy-test-pdp-${randomUUID()}:`;
      return [createRedisBus(url, { keyPrefix }), createRedisBus(url, { keyPrefix })];
    },
  ],
];

describe.each(buses)('policy change through the %s bus', (_name, createBuses) => {
  it('denies after the change event arrives (the next decision reloads)', async () => {
    const [subscriberBus, publisherBus] = createBuses();
    const { source, set } = fakeSource({});
    const pdp = createPolicyDecisionPoint({ source });
    const unsubscribe = await pdp.subscribe(subscriberBus);
    try {
      await expect(pdp.decide(request(tenantA, 'mock-large'))).resolves.toMatchObject({ decision: 'allow' });
      set(tenantA, { version: 1, text: FORBID_LARGE });
      // Still the cached default until the event arrives.
      await expect(pdp.decide(request(tenantA, 'mock-large'))).resolves.toMatchObject({ decision: 'allow' });
      await publisherBus.publish(POLICY_CHANGED_CHANNEL, policyChangedMessage(tenantA));
      await vi.waitFor(async () => expect(await pdp.decide(request(tenantA, 'mock-large'))).toMatchObject({ decision: 'deny', determiningPolicies: ['no-large'] }), { timeout: 1000, interval: 10 });
    } finally {
      await unsubscribe();
      await subscriberBus.close();
      await publisherBus.close();
    }
  });
});
