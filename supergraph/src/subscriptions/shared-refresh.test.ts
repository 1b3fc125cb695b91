import { createInProcessBus, type Bus } from '@switchyard/bus';
import type { Principal } from '@switchyard/identity';
import { buildSchema, parse, type FormattedExecutionResult } from 'graphql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Authentication } from '../http/authenticate';
import { silentLogger } from '../logger';
import { createChannelHub, type ChannelHub } from './channel-hub';
import type { CoalescingRefresh } from './coalescing-refresh';
import { checkOncePerTurn, createSharedRefreshes, type SharedRefreshes } from './shared-refresh';
import { planSubscription, type SubscriptionPlan } from './subscription-plan';
import { SUBSCRIPTION_ROUTES } from './subscription-routes';

const schema = buildSchema(`
  type CostSummary { tenantId: ID! totalRequests: Int! }
  type Query { costSummary(tenantId: ID!): CostSummary }
  type Subscription { costUpdated(tenantId: ID!): CostSummary }
`);
const COST_CHANNEL = SUBSCRIPTION_ROUTES['costUpdated']!.channel;

function plan(tenantId: string, selection = 'tenantId totalRequests'): SubscriptionPlan {
  const planned = planSubscription(schema, parse(`subscription ($t: ID!) { costUpdated(tenantId: $t) { ${selection} } }`), undefined, { t: tenantId });
  if (Array.isArray(planned)) throw new Error(planned.map((error) => error.message).join('; '));
  return planned;
}

const person = (subject: string, tenantId: string | null, role: Principal['roles'][number] = 'viewer'): Principal => ({ subject, email: null, tenantId, roles: [role], service: 'oidc' });

interface Run {
  tenantId: string;
  principal: Principal;
}

/** The gateway's side, faked: totals per tenant, answered only to its own members (or a platform admin), every run recorded. */
function fakeGateway() {
  const totals = new Map<string, number>();
  const runs: Run[] = [];
  let gate: Promise<void> = Promise.resolve();
  const failures = { next: 0 };
  const runPlan = async (subscription: SubscriptionPlan, principal: Principal): Promise<FormattedExecutionResult> => {
    const tenantId = String(subscription.variables['t']);
    runs.push({ tenantId, principal });
    await gate;
    if (failures.next > 0) {
      failures.next -= 1;
      throw new Error('connection to the subgraph reset (details stay in the log)');
    }
    if (principal.tenantId !== null && principal.tenantId !== tenantId) return { errors: [{ message: 'not your tenant', extensions: { code: 'FORBIDDEN' } }] };
    return { data: { costUpdated: { tenantId, totalRequests: totals.get(tenantId) ?? 0, readBy: principal.subject } } };
  };
  return {
    totals,
    runs,
    runPlan,
    failures,
    hold() {
      let release!: () => void;
      gate = new Promise<void>((resolve) => (release = resolve));
      return () => {
        gate = Promise.resolve();
        release();
      };
    },
  };
}

/** Credentials by authorization value; editable to revoke one or change its role. */
function fakeCredentials() {
  const principals = new Map<string, Principal>();
  const reauthenticate = async (authorization: unknown): Promise<Authentication> => {
    const principal = principals.get(String(authorization));
    return principal ? { ok: true, principal, token: String(authorization) } : { ok: false, code: 'API_KEY_REVOKED', message: 'revoked' };
  };
  return { principals, reauthenticate };
}

type Payload = { costUpdated?: { tenantId: string; totalRequests: number } } | null | undefined;

/** Reads a stream in the background; `until` waits for a condition on what arrived. */
function reader(stream: CoalescingRefresh<FormattedExecutionResult>) {
  const results: FormattedExecutionResult[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  void (async () => {
    for await (const result of stream) {
      results.push(result);
      wake?.();
    }
    ended = true;
    wake?.();
  })();
  return {
    results,
    totals: () => results.map((result) => (result.data as Payload)?.costUpdated?.totalRequests),
    tenants: () => results.map((result) => (result.data as Payload)?.costUpdated?.tenantId),
    ended: () => ended,
    async until(condition: () => boolean) {
      for (let i = 0; i < 200 && !condition(); i += 1) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 5);
        });
      }
      if (!condition()) throw new Error(`condition not met; results: ${JSON.stringify(results)}`);
    },
  };
}

/** Lets every pending microtask and bus delivery run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

describe('shared (coalesced) subscription refreshes', () => {
  let bus: Bus;
  let hub: ChannelHub;
  let gateway: ReturnType<typeof fakeGateway>;
  let credentials: ReturnType<typeof fakeCredentials>;
  let refreshes: SharedRefreshes;

  beforeEach(() => {
    bus = createInProcessBus();
    hub = createChannelHub(bus, silentLogger);
    gateway = fakeGateway();
    credentials = fakeCredentials();
    refreshes = createSharedRefreshes({ hub, runPlan: gateway.runPlan, reauthenticate: credentials.reauthenticate, isFinal: (result) => result.errors?.some((error) => error.extensions?.['code'] === 'API_KEY_REVOKED') ?? false, logger: silentLogger });
  });
  afterEach(async () => {
    await hub.close();
    await bus.close();
  });

  async function subscribers(count: number, tenantId: string, role: Principal['roles'][number] = 'viewer', prefix = `${tenantId}-${role}`) {
    return Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const authorization = `${prefix}-${i}`;
        const principal = person(authorization, tenantId, role);
        credentials.principals.set(authorization, principal);
        return reader(await refreshes.join(plan(tenantId), principal, authorization));
      }),
    );
  }

  it('serves 200 subscribers of one tenant with one query run per event, not one per subscriber', async () => {
    gateway.totals.set('t1', 1);
    const readers = await subscribers(200, 't1');
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 1)));
    expect(gateway.runs).toHaveLength(1);
    expect(refreshes.groupCount()).toBe(1);

    for (let event = 2; event <= 4; event += 1) {
      gateway.totals.set('t1', event);
      await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
      await Promise.all(readers.map((r) => r.until(() => r.totals().at(-1) === event)));
    }
    // The initial state and three events: four runs for 200 subscribers.
    expect(gateway.runs).toHaveLength(4);
    for (const r of readers) expect(r.totals()).toEqual([1, 2, 3, 4]);
    // Every subscriber got the very same result object: serialised once per tenant by the gateway's run, never copied.
    expect(new Set(readers.map((r) => r.results.at(-1))).size).toBe(1);
  });

  it('folds a burst of events during a run into exactly one more run for the whole group', async () => {
    const readers = await subscribers(50, 't1');
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 1)));
    const release = gateway.hold();
    gateway.totals.set('t1', 5);
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    await settle();
    for (let i = 0; i < 30; i += 1) await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    gateway.totals.set('t1', 6);
    release();
    await Promise.all(readers.map((r) => r.until(() => r.totals().at(-1) === 6)));
    await settle();
    // Initial, the held run, and one more for the 30 events that arrived during it.
    expect(gateway.runs).toHaveLength(3);
  });

  it('never hands one tenant’s answer to another tenant’s subscriber', async () => {
    gateway.totals.set('t1', 10);
    gateway.totals.set('t2', 20);
    const t1 = await subscribers(5, 't1');
    const t2 = await subscribers(5, 't2');
    // A member of t2 subscribing to t1's key: its own group, its own principal, refused.
    const intruderAuth = 't2-intruder';
    credentials.principals.set(intruderAuth, person(intruderAuth, 't2', 'viewer'));
    const intruder = reader(await refreshes.join(plan('t1'), person(intruderAuth, 't2', 'viewer'), intruderAuth));
    await Promise.all([...t1, ...t2].map((r) => r.until(() => r.results.length === 1)));
    await intruder.until(() => intruder.results.length === 1);

    gateway.totals.set('t1', 11);
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    await Promise.all(t1.map((r) => r.until(() => r.totals().at(-1) === 11)));
    await settle();

    for (const r of t1) expect(r.tenants()).toEqual(['t1', 't1']);
    // t2's subscribers were not woken by t1's event.
    for (const r of t2) expect(r.totals()).toEqual([20]);
    for (const r of t2) expect(r.tenants()).toEqual(['t2']);
    // The intruder never saw t1's data; every run for it was under its own t2 principal.
    expect(intruder.results.every((result) => result.data === undefined && result.errors?.[0]?.extensions?.['code'] === 'FORBIDDEN')).toBe(true);
    expect(gateway.runs.filter((run) => run.principal.tenantId === 't2' && run.tenantId === 't1').every((run) => run.principal.subject === intruderAuth)).toBe(true);
    // Runs for t1 ran under a t1 principal only (or the intruder's own, refused).
    expect(gateway.runs.filter((run) => run.tenantId === 't1' && run.principal.tenantId === 't1')).toHaveLength(2);
  });

  it('keeps callers with different roles apart: a viewer never receives an answer computed for an admin', async () => {
    const viewers = await subscribers(3, 't1', 'viewer');
    const admins = await subscribers(3, 't1', 'tenant_admin');
    await Promise.all([...viewers, ...admins].map((r) => r.until(() => r.results.length === 1)));
    expect(refreshes.groupCount()).toBe(2);
    expect(gateway.runs.map((run) => run.principal.roles[0]).sort()).toEqual(['tenant_admin', 'viewer']);
    const readBy = (r: ReturnType<typeof reader>) => (r.results[0]?.data as { costUpdated: { readBy: string } }).costUpdated.readBy;
    for (const r of viewers) expect(readBy(r)).toMatch(/-viewer-/);
    for (const r of admins) expect(readBy(r)).toMatch(/-tenant_admin-/);
  });

  it('ends only the revoked member’s subscription; the rest of the group keeps receiving', async () => {
    const readers = await subscribers(3, 't1');
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 1)));
    // The group's runs so far were under t1-viewer-0; revoke exactly that one.
    credentials.principals.delete('t1-viewer-0');
    gateway.totals.set('t1', 7);
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    const [revoked, ...kept] = readers as [ReturnType<typeof reader>, ...ReturnType<typeof reader>[]];
    await revoked.until(() => revoked.ended());
    expect(revoked.results.at(-1)?.errors?.[0]?.extensions?.['code']).toBe('API_KEY_REVOKED');
    await Promise.all(kept.map((r) => r.until(() => r.totals().at(-1) === 7)));
    // The run after the revocation went under a member whose credentials still hold.
    expect(gateway.runs.at(-1)?.principal.subject).not.toBe('t1-viewer-0');
  });

  it('answers a member whose role changed since it joined under its own principal, not the group’s', async () => {
    const readers = await subscribers(2, 't1');
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 1)));
    credentials.principals.set('t1-viewer-1', person('t1-viewer-1', 't1', 'tenant_admin'));
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 2)));
    const promoted = gateway.runs.filter((run) => run.principal.subject === 't1-viewer-1');
    expect(promoted.at(-1)?.principal.roles).toEqual(['tenant_admin']);
    expect((readers[1]?.results[1]?.data as { costUpdated: { readBy: string } }).costUpdated.readBy).toBe('t1-viewer-1');
  });

  it('answers a failed run with a masked, retryable error and recovers at the next event', async () => {
    const readers = await subscribers(3, 't1');
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 1)));
    gateway.failures.next = 1;
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    await Promise.all(readers.map((r) => r.until(() => r.results.length === 2)));
    for (const r of readers) {
      expect(r.results[1]?.errors?.[0]?.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(r.results[1])).not.toContain('reset');
    }
    gateway.totals.set('t1', 8);
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't1' }));
    await Promise.all(readers.map((r) => r.until(() => r.totals().at(-1) === 8)));
    for (const r of readers) expect(r.ended()).toBe(false);
  });

  it('closes the group and its bus listener when its last member leaves', async () => {
    const [only] = await subscribers(1, 't9');
    await only?.until(() => only.results.length === 1);
    expect(refreshes.groupCount()).toBe(1);
    const stream = await refreshes.join(plan('t9'), person('t9-viewer-0', 't9'), 't9-viewer-0');
    expect(refreshes.groupCount()).toBe(1);
    await stream.return();
    expect(refreshes.groupCount()).toBe(1);
    // End the first reader's stream through a revocation (its next push ends it).
    credentials.principals.delete('t9-viewer-0');
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't9' }));
    await only?.until(() => only.ended());
    expect(refreshes.groupCount()).toBe(0);
    const runs = gateway.runs.length;
    await bus.publish(COST_CHANNEL, JSON.stringify({ tenantId: 't9' }));
    await settle();
    expect(gateway.runs).toHaveLength(runs);
  });
});

describe('one credential check per authorization per turn', () => {
  it('checks a value once within a turn, and again at the next turn (a revocation is seen)', async () => {
    const credentials = fakeCredentials();
    credentials.principals.set('key-a', person('key-a', 't1'));
    let checks = 0;
    const check = checkOncePerTurn(async (authorization) => {
      checks += 1;
      return credentials.reauthenticate(authorization);
    });
    const first = await Promise.all([check('key-a'), check('key-a'), check('key-a'), check('key-b')]);
    expect(checks).toBe(2);
    expect(first.map((answer) => answer.ok)).toEqual([true, true, true, false]);
    await new Promise<void>((resolve) => setImmediate(resolve));
    credentials.principals.delete('key-a');
    expect((await check('key-a')).ok).toBe(false);
    expect(checks).toBe(3);
  });
});
