import { describe, expect, it } from 'vitest';
import { BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage } from '@switchyard/events/optimizer';
import { startHarness } from '../test-support/data-plane-harness';
import type { BanditPriorSource, TenantPriors } from './bandit-priors';

/**
 * The optimizer's priors in a composed data plane: loaded before serving, reloaded on
 * bandit-priors.changed, ranking a bandit route's requests, and recorded on each usage event.
 */
const ROUTE = { name: 'learn', strategy: { kind: 'bandit' as const, reward: { success: 1 } }, candidates: [{ model: 'mock-mini' }, { model: 'mock-large' }] };
const strong = { alpha: 200, beta: 1 };
const weak = { alpha: 1, beta: 200 };

function mutableSource(): BanditPriorSource & { set(tenantId: string, priors: TenantPriors): void } {
  const byTenant = new Map<string, TenantPriors>();
  return {
    set: (tenantId, priors) => byTenant.set(tenantId, priors),
    loadAll: async () => new Map(byTenant),
    load: async (tenantId) => byTenant.get(tenantId),
  };
}

async function chat(baseUrl: string, secret: string): Promise<void> {
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'learn', messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(response.status).toBe(200);
  await response.text();
}

describe('optimizer priors in the data plane', () => {
  it('active priors rank the route; a canary takes its share after bandit-priors.changed; usage says which', async () => {
    const source = mutableSource();
    // The harness's key is for a tenant known only once it started: its priors (favouring mock-mini) arrive by the event.
    const harness = await startHarness({ routes: [ROUTE], banditPriors: source });
    const tenantId = harness.record.tenantId;
    source.set(tenantId, new Map([['learn', { active: new Map([['mock/mock-mini', strong], ['mock/mock-large', weak]]) }]]));
    await harness.bus.publish(BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage(tenantId));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 20; i++) await chat(harness.baseUrl, harness.secret);

    // New priors as a canary on half the traffic, favouring mock-large.
    source.set(
      tenantId,
      new Map([
        [
          'learn',
          {
            active: new Map([['mock/mock-mini', strong], ['mock/mock-large', weak]]),
            canary: { share: 0.5, arms: new Map([['mock/mock-mini', weak], ['mock/mock-large', strong]]) },
          },
        ],
      ]),
    );
    await harness.bus.publish(BANDIT_PRIORS_CHANGED_CHANNEL, banditPriorsChangedMessage(tenantId));
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 0; i < 60; i++) await chat(harness.baseUrl, harness.secret);

    const events = await harness.finish();
    const first = events.slice(0, 20);
    expect(first.every((event) => event.route?.priors === 'active' && event.route.candidate === 'mock/mock-mini')).toBe(true);
    const later = events.slice(20);
    const canary = later.filter((event) => event.route?.priors === 'canary');
    const active = later.filter((event) => event.route?.priors === 'active');
    expect(canary.length + active.length).toBe(60);
    expect(canary.length).toBeGreaterThan(10);
    expect(active.length).toBeGreaterThan(10);
    expect(canary.every((event) => event.route?.candidate === 'mock/mock-large')).toBe(true);
    expect(active.every((event) => event.route?.candidate === 'mock/mock-mini')).toBe(true);
  });

  it('a tenant without priors is ranked from Beta(1, 1) and its usage carries no priors', async () => {
    const harness = await startHarness({ routes: [ROUTE], banditPriors: mutableSource() });
    for (let i = 0; i < 5; i++) await chat(harness.baseUrl, harness.secret);
    const events = await harness.finish();
    expect(events).toHaveLength(5);
    expect(events.every((event) => event.route?.priors === undefined)).toBe(true);
  });
});
