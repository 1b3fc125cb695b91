import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Logger } from '../logger';
import { startGatewayUnderTest, type GatewayUnderTest } from '../test-support/gateway-under-test';
import { collect, connect } from '../test-support/ws-client';
import { subscriptionLimitsEnvShape, subscriptionLimitsFromEnv } from './subscription-limits';
import { z } from 'zod';

const TENANT_USER = { sub: 'u-limits', login: 'lim', password: 'limits-pass', email: 'lim@acme.test', roles: ['tenant_admin' as const], tenantId: 't1' };
const COST_SUBSCRIPTION = 'subscription ($tenantId: ID!) { costUpdated(tenantId: $tenantId) { tenantId totalRequests } }';

let issuer: TestIssuer;
let adminToken: string;
let tenantToken: string;
let gateway: GatewayUnderTest;
const logged: Array<{ level: string; message: string; fields: Record<string, unknown> }> = [];
const logger: Logger = {
  info: () => undefined,
  warn: (fields, message) => logged.push({ level: 'warn', message, fields }),
  error: (fields, message) => logged.push({ level: 'error', message, fields }),
};

beforeAll(async () => {
  issuer = await startTestIssuer({ extraUsers: [TENANT_USER] });
  adminToken = (await issuer.loginAsAdmin()).accessToken;
  tenantToken = (await issuer.loginAs(TENANT_USER)).accessToken;
  gateway = await startGatewayUnderTest(issuer, { subscriptionLimits: { maxSocketsPerPrincipal: 2, maxSubscriptionsPerPrincipal: 3 }, logger });
});
afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});
afterEach(() => {
  logged.length = 0;
  vi.restoreAllMocks();
});

type Opened = { socket: WebSocket; outcome: 'ack' | { code: number; reason: string } };

/** Opens a raw graphql-transport-ws socket and says whether it was acknowledged or closed (with what). */
function openSocket(token: string): Promise<Opened> {
  const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
  return new Promise((resolve) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (data) => {
      if ((JSON.parse(String(data)) as { type: string }).type === 'connection_ack') resolve({ socket, outcome: 'ack' });
    });
    socket.on('close', (code, reason) => resolve({ socket, outcome: { code, reason: String(reason) } }));
  });
}

function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}

describe('graphql-ws caps per principal', () => {
  it('closes a socket over the per-principal cap with 4429 TOO_MANY_CONNECTIONS; other principals are unaffected; closing frees the slot', async () => {
    const first = await openSocket(tenantToken);
    const second = await openSocket(tenantToken);
    expect([first.outcome, second.outcome]).toEqual(['ack', 'ack']);

    const third = await openSocket(tenantToken);
    expect(third.outcome).toEqual({ code: 4429, reason: expect.stringMatching(/^TOO_MANY_CONNECTIONS: at most 2 open sockets per caller/) });
    expect(logged.filter((line) => line.message.includes('too many for this principal'))).toHaveLength(1);

    // Another principal has its own allowance.
    const admin = await openSocket(adminToken);
    expect(admin.outcome).toBe('ack');

    await closeSocket(first.socket);
    // The server processes the close asynchronously: a new socket is accepted once it has.
    let again: Opened | undefined;
    await expect
      .poll(async () => {
        again = await openSocket(tenantToken);
        return again.outcome;
      })
      .toBe('ack');
    for (const opened of [second, admin, again!]) await closeSocket(opened.socket);
  });

  it('refuses a subscription over the per-principal cap (over all its sockets) with TOO_MANY_SUBSCRIPTIONS and keeps the socket; completing one frees the slot', async () => {
    const clients = [connect(gateway.wsUrl, tenantToken), connect(gateway.wsUrl, tenantToken)];
    const subs = [collect(clients[0]!, COST_SUBSCRIPTION, { tenantId: 't1' }), collect(clients[0]!, COST_SUBSCRIPTION, { tenantId: 't1' }), collect(clients[1]!, COST_SUBSCRIPTION, { tenantId: 't1' })];
    await Promise.all(subs.map((sub) => sub.until((results) => results.length === 1)));

    const over = collect(clients[1]!, COST_SUBSCRIPTION, { tenantId: 't1' });
    const errors = (await over.done.then(() => [], (error: unknown) => error)) as Array<{ message: string; extensions?: { code?: string } }>;
    expect(errors.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    expect(errors[0]!.message).toMatch(/At most 3 active subscriptions per caller/);

    // The socket survived; another principal is not affected.
    const admin = connect(gateway.wsUrl, adminToken);
    const adminSub = collect(admin, COST_SUBSCRIPTION, { tenantId: 't1' });
    await adminSub.until((results) => results.length === 1);

    subs[0]!.stop();
    await expect
      .poll(async () => {
        const retry = collect(clients[1]!, COST_SUBSCRIPTION, { tenantId: 't1' });
        const outcome = await Promise.race([retry.until((results) => results.length === 1).then(() => 'ok'), retry.done.then(() => 'done', () => 'refused')]);
        if (outcome === 'ok') subs.push(retry);
        return outcome;
      })
      .toBe('ok');
    for (const sub of [...subs, adminSub]) sub.stop();
    await Promise.all([...clients, admin].map((client) => client.dispose()));
  });

  it('closing a socket frees its subscriptions for the principal', async () => {
    const first = connect(gateway.wsUrl, tenantToken);
    const subs = [0, 1, 2].map(() => collect(first, COST_SUBSCRIPTION, { tenantId: 't1' }));
    await Promise.all(subs.map((sub) => sub.until((results) => results.length === 1)));
    await first.dispose();

    const second = connect(gateway.wsUrl, tenantToken);
    await expect
      .poll(async () => {
        const sub = collect(second, COST_SUBSCRIPTION, { tenantId: 't1' });
        const outcome = await Promise.race([sub.until((results) => results.length === 1).then(() => 'ok'), sub.done.then(() => 'done', () => 'refused')]);
        sub.stop();
        return outcome;
      })
      .toBe('ok');
    await second.dispose();
  });
});

describe('oversized frames', () => {
  it('an oversized frame before authentication closes the socket with 1009 and logs one line, no stack trace', async () => {
    const consoleError = vi.spyOn(console, 'error');
    const stderr = vi.spyOn(process.stderr, 'write');
    const socket = new WebSocket(gateway.wsUrl, 'graphql-transport-ws');
    const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
    socket.on('open', () => socket.send('x'.repeat(65 * 1024)));
    expect(await closed).toBe(1009);
    await expect.poll(() => logged.length).toBeGreaterThan(0);
    // Give any second report a chance to show up before asserting there is none.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logged).toEqual([{ level: 'warn', message: 'websocket error; connection closed', fields: { code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH', reason: 'Max payload size exceeded' } }]);
    expect(consoleError).not.toHaveBeenCalled();
    expect(stderr.mock.calls.map((call) => String(call[0])).join('')).not.toMatch(/\n\s+at /);
  });
});

describe('configuration', () => {
  it('reads SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL and SUBSCRIPTIONS_MAX_PER_PRINCIPAL with defaults 10 and 100', () => {
    const schema = z.object(subscriptionLimitsEnvShape);
    expect(subscriptionLimitsFromEnv(schema.parse({}))).toEqual({ maxSocketsPerPrincipal: 10, maxSubscriptionsPerPrincipal: 100 });
    expect(subscriptionLimitsFromEnv(schema.parse({ SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL: '3', SUBSCRIPTIONS_MAX_PER_PRINCIPAL: '7' }))).toEqual({ maxSocketsPerPrincipal: 3, maxSubscriptionsPerPrincipal: 7 });
    expect(schema.safeParse({ SUBSCRIPTIONS_MAX_PER_PRINCIPAL: '0' }).success).toBe(false);
  });
});
