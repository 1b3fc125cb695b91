import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, verifyAlertSignature } from '../src/alert-signature';
import { ALERTS_STREAM, type AlertEvent } from '@switchyard/events/alerts';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { ALERT_WEBHOOKS_GROUP, startAlertWebhookDispatcher, type AlertWebhookSource } from '../src/alert-webhook-dispatcher';
import { createWebhookAddressPolicy } from '../src/webhook-address-policy';

/** The receivers listen on loopback: the operator allowlist names it (as the e2e stack does). */
const LOOPBACK_ALLOWED = createWebhookAddressPolicy(['127.0.0.1/32']);

/** A webhook receiver on loopback that answers with the scripted statuses, then 200. */
interface Receiver {
  url: string;
  requests: Array<{ headers: IncomingMessage['headers']; body: string }>;
  statuses: number[];
  server: Server;
}
async function startReceiver(statuses: number[] = []): Promise<Receiver> {
  const receiver: Receiver = { url: '', requests: [], statuses, server: createServer() };
  receiver.server.on('request', (request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      receiver.requests.push({ headers: request.headers, body });
      response.statusCode = receiver.statuses.shift() ?? 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}/hooks/switchyard`;
  return receiver;
}

const SECRET = 'whsec-test-0123456789';
const alertFor = (tenantId: string, id = `dp-threshold:b1:80:${Math.random()}`): AlertEvent => ({
  id,
  type: 'dp.budget.threshold_crossed',
  tenantId,
  occurredAt: '2026-11-26T10:00:00.000Z',
  data: { budgetId: 'b1', dataset: 'claims', thresholdsPercent: [80], capMicros: '1000000', usedMicros: '800000' },
});

const logs: Array<{ level: string; message: string; fields: object }> = [];
const logger = {
  info: (fields: object, message: string) => logs.push({ level: 'info', message, fields }),
  warn: (fields: object, message: string) => logs.push({ level: 'warn', message, fields }),
  error: (fields: object, message: string) => logs.push({ level: 'error', message, fields }),
};
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  logs.length = 0;
});

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  for (const giveUpAt = Date.now() + timeoutMs; !check(); ) {
    if (Date.now() > giveUpAt) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function start(bus: Bus, webhooks: AlertWebhookSource, options: { claimIdleMs?: number } = {}) {
  const dispatcher = startAlertWebhookDispatcher({ bus, webhooks, logger, retryDelaysMs: [10, 10], timeoutMs: 2_000, blockMs: 20, addressPolicy: LOOPBACK_ALLOWED, ...options });
  cleanups.push(() => dispatcher.stop());
  return dispatcher;
}

async function pendingCount(bus: Bus): Promise<number> {
  return (await bus.claimStale(ALERTS_STREAM, ALERT_WEBHOOKS_GROUP, 'probe', 0, 100)).length;
}

describe('alert webhook dispatcher', () => {
  it('POSTs the alert signed with the tenant secret, with its id for deduplication, and acks it', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => new Promise((resolve) => receiver.server.close(() => resolve())));
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    start(bus, { revealAlertWebhook: async (tenantId) => (tenantId === 't1' ? { url: receiver.url, secret: SECRET } : null) });
    const alert = alertFor('t1');
    await bus.append(ALERTS_STREAM, JSON.stringify(alert));
    await until(() => receiver.requests.length === 1 && logs.some((log) => log.message.includes('delivered')));
    const [request] = receiver.requests;
    expect(JSON.parse(request!.body)).toEqual(alert);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers[ALERT_EVENT_ID_HEADER]).toBe(alert.id);
    const signature = String(request!.headers[ALERT_SIGNATURE_HEADER]);
    expect(verifyAlertSignature(SECRET, request!.body, signature, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifyAlertSignature('another-secret-000000', request!.body, signature, Math.floor(Date.now() / 1000))).toBe(false);
    expect(await pendingCount(bus)).toBe(0);
  });

  it('retries a failing webhook and stops after the last try; skips tenants without a webhook and invalid entries', async () => {
    const receiver = await startReceiver([500, 503]);
    const broken = await startReceiver([500, 500, 500, 500]);
    cleanups.push(() => new Promise((resolve) => receiver.server.close(() => resolve())));
    cleanups.push(() => new Promise((resolve) => broken.server.close(() => resolve())));
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    const urls: Record<string, string> = { flaky: receiver.url, down: broken.url };
    start(bus, { revealAlertWebhook: async (tenantId) => (urls[tenantId] ? { url: urls[tenantId], secret: SECRET } : null) });
    await bus.append(ALERTS_STREAM, 'not json');
    await bus.append(ALERTS_STREAM, JSON.stringify({ ...alertFor('flaky'), type: 'unknown.type' }));
    await bus.append(ALERTS_STREAM, JSON.stringify(alertFor('no-webhook')));
    await bus.append(ALERTS_STREAM, JSON.stringify(alertFor('flaky', 'flaky-1')));
    await bus.append(ALERTS_STREAM, JSON.stringify(alertFor('down', 'down-1')));
    await until(() => logs.some((log) => log.level === 'error' && (log.fields as { alertId?: string }).alertId === 'down-1'));

    expect(receiver.requests.map((request) => request.headers[ALERT_EVENT_ID_HEADER])).toEqual(['flaky-1', 'flaky-1', 'flaky-1']);
    expect(broken.requests).toHaveLength(3);
    expect(logs.filter((log) => log.message === 'dropping invalid alert')).toHaveLength(2);
    expect(logs.find((log) => log.message.includes('delivered'))?.fields).toMatchObject({ alertId: 'flaky-1' });
    expect(await pendingCount(bus)).toBe(0);
  });

  it('a vault failure (database down) leaves the alert pending; it is delivered on a later round', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => new Promise((resolve) => receiver.server.close(() => resolve())));
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    let failures = 0;
    start(
      bus,
      {
        async revealAlertWebhook() {
          if (failures++ < 2) throw new Error('database down');
          return { url: receiver.url, secret: SECRET };
        },
      },
      { claimIdleMs: 30 },
    );
    await bus.append(ALERTS_STREAM, JSON.stringify(alertFor('t1', 'after-outage')));
    await until(() => receiver.requests.length === 1);
    expect(receiver.requests[0]!.headers[ALERT_EVENT_ID_HEADER]).toBe('after-outage');
    expect(failures).toBe(3);
  });
});

describe('alert webhook dispatcher under the default address policy', () => {
  it('refuses a webhook on loopback (in any spelling) without connecting, does not retry, and logs the refusal without network detail', async () => {
    const receiver = await startReceiver();
    let connections = 0;
    receiver.server.on('connection', () => (connections += 1));
    cleanups.push(() => new Promise((resolve) => receiver.server.close(() => resolve())));
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    const port = new URL(receiver.url).port;
    const urls: Record<string, string> = { plain: receiver.url, short: `http://127.1:${port}/hook`, decimal: `http://2130706433:${port}/hook`, hex: `http://0x7f000001:${port}/hook` };
    // No addressPolicy: the default (public addresses only).
    const dispatcher = startAlertWebhookDispatcher({
      bus,
      webhooks: { revealAlertWebhook: async (tenantId) => (urls[tenantId] ? { url: urls[tenantId], secret: SECRET } : null) },
      logger,
      retryDelaysMs: [10, 10],
      timeoutMs: 2_000,
      blockMs: 20,
    });
    cleanups.push(() => dispatcher.stop());
    for (const tenantId of Object.keys(urls)) await bus.append(ALERTS_STREAM, JSON.stringify(alertFor(tenantId, `refused-${tenantId}`)));
    await until(() => logs.filter((log) => log.level === 'error').length === 4);
    expect(connections).toBe(0);
    expect(receiver.requests).toHaveLength(0);
    // One try each: retrying cannot help.
    expect(logs.filter((log) => log.message === 'alert webhook refused by the address policy')).toHaveLength(4);
    for (const log of logs.filter((entry) => entry.level === 'error')) expect(log.fields).toMatchObject({ outcome: 'refused by policy: the address is not public' });
    expect(await pendingCount(bus)).toBe(0);
  });
});

describe('alert webhook dispatcher with the real secret vault', () => {
  let testDatabase: MemoryTestDatabase;
  beforeAll(async () => {
    testDatabase = await createMemoryTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it('decrypts the webhook secret the tenant admin saved and signs with it', async () => {
    const receiver = await startReceiver();
    cleanups.push(() => new Promise((resolve) => receiver.server.close(() => resolve())));
    const kms = createLocalKms({ masterKeys: { test: generateMasterKey() }, activeKeyId: 'test' });
    const vault = createSecretVault({ db: testDatabase.db, kms });
    const tenant = await testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'alerted', name: 'Alerted' }, select: { id: true } }));
    await vault.setAlertWebhook(tenant.id, receiver.url, SECRET);
    const bus = createInProcessBus();
    cleanups.push(() => bus.close());
    start(bus, vault);
    await bus.append(ALERTS_STREAM, JSON.stringify(alertFor(tenant.id, 'real-vault')));
    await until(() => receiver.requests.length === 1);
    const [request] = receiver.requests;
    expect(verifyAlertSignature(SECRET, request!.body, String(request!.headers[ALERT_SIGNATURE_HEADER]), Math.floor(Date.now() / 1000))).toBe(true);
  });
});
