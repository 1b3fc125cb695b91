import { randomUUID } from 'node:crypto';
import { COST_UPDATED_CHANNEL } from '@switchyard/events/cost';
import { createInProcessBus, createRedisBus, type Bus } from '@switchyard/bus';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGatewayUnderTest, type GatewayUnderTest } from '../test-support/gateway-under-test';
import { collect, connect } from '../test-support/ws-client';

const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANT_USER = { sub: 'u-acme', login: 'ada', password: 'acme-pass', email: 'ada@acme.test', roles: ['tenant_admin' as const], tenantId: 't1' };
const COST_SUBSCRIPTION = 'subscription ($tenantId: ID!) { costUpdated(tenantId: $tenantId) { tenantId window totalRequests } }';

let issuer: TestIssuer;
let adminToken: string;
let tenantToken: string;

beforeAll(async () => {
  issuer = await startTestIssuer({ extraUsers: [TENANT_USER] });
  adminToken = (await issuer.loginAsAdmin()).accessToken;
  tenantToken = (await issuer.loginAs(TENANT_USER)).accessToken;
});
afterAll(async () => {
  await issuer?.close();
});

const totals = (results: { data?: unknown }[]) => results.map((result) => (result.data as { costUpdated?: { totalRequests: number } } | null)?.costUpdated?.totalRequests);
const costUpdated = (tenantId: string) => JSON.stringify({ tenantId });

/** Counts the gateway's bus subscriptions, to prove the fan-out is local. */
function countingBus(inner: Bus): Bus & { subscribes: number } {
  const bus = Object.create(inner) as Bus & { subscribes: number };
  bus.subscribes = 0;
  bus.subscribe = (channel, onMessage) => {
    bus.subscribes += 1;
    return inner.subscribe(channel, onMessage);
  };
  return bus;
}

describe('subscriptions over the in-process bus', () => {
  let bus: Bus & { subscribes: number };
  let inner: Bus;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    inner = createInProcessBus();
    bus = countingBus(inner);
    gateway = await startGatewayUnderTest(issuer, { bus });
  });
  afterAll(async () => {
    await gateway?.close();
    await inner?.close();
  });

  it('pushes the current summary at once and again after each event for the tenant, through the gateway under the subscriber', async () => {
    gateway.standIns.usage.set('t1', 3);
    const client = connect(gateway.wsUrl, tenantToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 't1' });
    await sub.until((results) => results.length === 1);
    expect(sub.results[0]).toEqual({ data: { costUpdated: { tenantId: 't1', window: 'LAST_HOUR', totalRequests: 3 } } });
    expect(gateway.standIns.calls.cost.at(-1)).toMatchObject({ subject: 'u-acme', tenantId: 't1', service: 'gateway' });

    const executions = gateway.standIns.calls.cost.length;
    gateway.standIns.usage.set('t1', 4);
    await inner.publish(COST_UPDATED_CHANNEL, costUpdated('t2'));
    await inner.publish(COST_UPDATED_CHANNEL, 'not json');
    await inner.publish(COST_UPDATED_CHANNEL, costUpdated('t1'));
    await sub.until((results) => results.length === 2);
    expect(totals(sub.results)).toEqual([3, 4]);
    // The other tenant's event and the malformed one caused no execution.
    expect(gateway.standIns.calls.cost.length).toBe(executions + 1);

    sub.stop();
    await client.dispose();
  });

  it('shares one bus subscription among all subscribers of a channel', async () => {
    const clients = [connect(gateway.wsUrl, adminToken), connect(gateway.wsUrl, adminToken)];
    const subs = clients.map((client, i) => collect(client, COST_SUBSCRIPTION, { tenantId: `t${i + 1}` }));
    await Promise.all(subs.map((sub) => sub.until((results) => results.length === 1)));
    expect(bus.subscribes).toBe(1);
    await inner.publish(COST_UPDATED_CHANNEL, costUpdated('t2'));
    await subs[1]!.until((results) => results.length === 2);
    expect(subs[0]!.results).toHaveLength(1);
    for (const sub of subs) sub.stop();
    await Promise.all(clients.map((client) => client.dispose()));
  });

  it('runs the query once per event for all sockets of one tenant, and wakes no other tenant’s subscriber', async () => {
    gateway.standIns.usage.set('t1', 1);
    gateway.standIns.usage.set('t2', 100);
    const t1Clients = Array.from({ length: 6 }, () => connect(gateway.wsUrl, tenantToken));
    const t1Subs = t1Clients.map((client) => collect(client, COST_SUBSCRIPTION, { tenantId: 't1' }));
    const adminClient = connect(gateway.wsUrl, adminToken);
    const t2Sub = collect(adminClient, COST_SUBSCRIPTION, { tenantId: 't2' });
    await Promise.all([...t1Subs, t2Sub].map((sub) => sub.until((results) => results.length === 1)));

    const executions = gateway.standIns.calls.cost.length;
    gateway.standIns.usage.set('t1', 2);
    await inner.publish(COST_UPDATED_CHANNEL, costUpdated('t1'));
    await Promise.all(t1Subs.map((sub) => sub.until((results) => totals(results).at(-1) === 2)));
    // Six subscribers on six sockets, one execution.
    expect(gateway.standIns.calls.cost.length).toBe(executions + 1);
    expect(t2Sub.results).toHaveLength(1);
    expect(totals(t2Sub.results)).toEqual([100]);
    for (const sub of t1Subs) expect(sub.results.map((result) => (result.data as { costUpdated: { tenantId: string } }).costUpdated.tenantId)).toEqual(['t1', 't1']);

    for (const sub of [...t1Subs, t2Sub]) sub.stop();
    await Promise.all([...t1Clients, adminClient].map((client) => client.dispose()));
  });

  it('coalesces a burst of events: one execution in flight, latest state wins', async () => {
    gateway.standIns.usage.set('t1', 0);
    const client = connect(gateway.wsUrl, adminToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 't1' });
    await sub.until((results) => results.length === 1);

    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    gateway.standIns.costGate = () => gate;
    gateway.standIns.maxConcurrentCost = 0;
    const executions = gateway.standIns.calls.cost.length;
    for (let i = 1; i <= 25; i += 1) {
      gateway.standIns.usage.set('t1', i);
      await inner.publish(COST_UPDATED_CHANNEL, costUpdated('t1'));
    }
    // The first refresh must be waiting at the gate before we let it through.
    await expect.poll(() => gateway.standIns.calls.cost.length, { timeout: 20_000 }).toBe(executions + 1);
    open();
    await sub.until((results) => totals(results).at(-1) === 25 && gateway.standIns.calls.cost.length === executions + 2);
    gateway.standIns.costGate = async () => undefined;

    expect(gateway.standIns.maxConcurrentCost).toBe(1);
    expect(gateway.standIns.calls.cost.length).toBe(executions + 2);
    expect(sub.results.length).toBeLessThanOrEqual(3);
    sub.stop();
    await client.dispose();
  });

  it('lets a tenant user follow only their own tenant: another tenant gets FORBIDDEN and the subscription ends', async () => {
    const client = connect(gateway.wsUrl, tenantToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 't2' });
    await sub.done;
    expect(sub.results).toHaveLength(1);
    expect(sub.results[0]?.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    await client.dispose();
  });

  it('ends a subscription on any final code of the registry, e.g. NOT_FOUND', async () => {
    const client = connect(gateway.wsUrl, adminToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 'gone' });
    await sub.done;
    expect(sub.results).toHaveLength(1);
    expect(sub.results[0]?.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    await client.dispose();
  });

  it('masks internal failures in pushed results and keeps the subscription open', async () => {
    const client = connect(gateway.wsUrl, adminToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 'boom' });
    await sub.until((results) => results.length === 1);
    expect(sub.results[0]?.errors?.[0]).toEqual({ message: 'Internal server error.', path: ['costUpdated'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(sub.results)).not.toMatch(/hunter2|ECONNREFUSED/);
    await inner.publish(COST_UPDATED_CHANNEL, costUpdated('boom'));
    await sub.until((results) => results.length === 2);
    sub.stop();
    await client.dispose();
  });

  it('refuses invalid subscriptions with errors, not by dropping the connection', async () => {
    const client = connect(gateway.wsUrl, adminToken);
    await expect(collect(client, 'subscription { costUpdated(tenantId: "t1") { nope } }').done).rejects.toSatisfy(
      (errors: unknown) => Array.isArray(errors) && /Cannot query field/.test(String((errors as { message: string }[])[0]?.message)) && !/Did you mean/.test(JSON.stringify(errors)),
    );
    await expect(collect(client, '{ viewer { subject } }').done).rejects.toSatisfy((errors: unknown) => /Only subscriptions/.test(JSON.stringify(errors)));
    const deep = 'subscription { costUpdated(tenantId: "t1") { byModel { model } series { bucketStart } } a1: costUpdated(tenantId: "t1") { totalRequests } }';
    await expect(collect(client, deep).done).rejects.toBeDefined();
    // The connection survived all of that.
    const ok = collect(client, COST_SUBSCRIPTION, { tenantId: 't1' });
    await ok.until((results) => results.length === 1);
    ok.stop();
    await client.dispose();
  });

  it('sends every message as a text frame, the shared `next` payloads included (browsers read binary frames as Blobs)', async () => {
    gateway.standIns.usage.set('t1', 7);
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    const frames: { isBinary: boolean; text: string }[] = [];
    const gotNext = new Promise<void>((resolve) =>
      socket.on('message', (data: Buffer, isBinary: boolean) => {
        frames.push({ isBinary, text: data.toString('utf8') });
        const message = JSON.parse(data.toString('utf8')) as { type: string };
        if (message.type === 'connection_ack') {
          socket.send(JSON.stringify({ id: 'ïd-€', type: 'subscribe', payload: { query: COST_SUBSCRIPTION, variables: { tenantId: 't1' } } }));
        }
        if (message.type === 'next') resolve();
      }),
    );
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tenantToken}` } })));
    await gotNext;
    socket.close();
    expect(frames.map((frame) => frame.isBinary)).toEqual([false, false]);
    expect(JSON.parse(frames[1]!.text)).toEqual({ id: 'ïd-€', type: 'next', payload: { data: { costUpdated: { tenantId: 't1', window: 'LAST_HOUR', totalRequests: 7 } } } });
  });

  it('closes connections without a valid access token with 4401', async () => {
    for (const params of [{}, { authorization: 'Bearer nope' }, { authorization: `Bearer ${adminToken}x` }]) {
      const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: params })));
      expect(await closed).toBe(4401);
    }
  });

  it('refuses sockets from browser origins other than the console', async () => {
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws', { origin: 'http://evil.test' });
    const outcome = await new Promise<string>((resolve) => {
      socket.on('open', () => resolve('open'));
      socket.on('error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });
});

describe('token lifetime', () => {
  it('closes a socket with 4401 when the access token it was opened with expires', async () => {
    // A stand-in verifier: this test is about the socket's lifetime, not about signatures.
    const verifyAccessToken = async () => ({ subject: 'admin', email: null, tenantId: null, roles: ['platform_admin' as const], service: 'oidc' });
    const gateway = await startGatewayUnderTest(issuer, { verifyAccessToken });
    try {
      const payload = Buffer.from(JSON.stringify({ sub: 'admin', exp: Math.floor(Date.now() / 1000) + 1 })).toString('base64url');
      const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
      const messages: string[] = [];
      socket.on('message', (data) => messages.push(String(data)));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer e30.${payload}.sig` } })));
      const { code, reason } = await closed;
      expect(messages).toContain(JSON.stringify({ type: 'connection_ack' }));
      expect(code).toBe(4401);
      expect(reason).toMatch(/expired/);
    } finally {
      await gateway.close();
    }
  });
});

describe('subscriptions over Redis, events from another process', () => {
  const keyPrefix = `sy-test-${randomUUID()}:`;
  let gatewayBus: Bus;
  let otherProcessBus: Bus;
  let gateway: GatewayUnderTest;

  beforeAll(async () => {
    gatewayBus = createRedisBus(REDIS_URL, { keyPrefix });
    // A separate connection stands for the cost subgraph process publishing after a write.
    otherProcessBus = createRedisBus(REDIS_URL, { keyPrefix });
    gateway = await startGatewayUnderTest(issuer, { bus: gatewayBus });
  });
  afterAll(async () => {
    await gateway?.close();
    await gatewayBus?.close();
    await otherProcessBus?.close();
  });

  it('refreshes the subscriber when another process publishes a cost event', async () => {
    gateway.standIns.usage.set('t1', 7);
    const client = connect(gateway.wsUrl, adminToken);
    const sub = collect(client, COST_SUBSCRIPTION, { tenantId: 't1' });
    await sub.until((results) => results.length === 1);
    gateway.standIns.usage.set('t1', 8);
    await otherProcessBus.publish(COST_UPDATED_CHANNEL, costUpdated('t1'));
    await sub.until((results) => results.length === 2);
    expect(totals(sub.results)).toEqual([7, 8]);
    sub.stop();
    await client.dispose();
  });
});
