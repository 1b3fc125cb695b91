import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createStaticPriceBookSource } from '../accounting/price-book';
import { createDataPlane, type DataPlane } from '../app';
import { createInProcessBus } from '@switchyard/bus';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import { FakeApiKeyStore, MOCK_PROVIDER, TEST_PRICE_BOOK } from '../test-support/data-plane-harness';
import { createStaticTenantSettings } from './settings-cache';

const running: DataPlane[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

/** A data plane of `region` serving a tenant pinned to region-a and one that is not pinned; every write it makes is recorded. */
async function start(region: string | undefined) {
  const keys = new FakeApiKeyStore();
  const pinned = keys.add();
  const roaming = keys.add();
  const bus = createInProcessBus();
  const appended: string[] = [];
  const append = bus.append.bind(bus);
  vi.spyOn(bus, 'append').mockImplementation((stream, payload) => {
    appended.push(stream);
    return append(stream, payload);
  });
  const limiter = createInProcessRateLimiter();
  const limiterCalls = vi.spyOn(limiter, 'consumeAll');
  const lastUsed: string[] = [];
  const app = createDataPlane({
    apiKeys: keys,
    priceBook: createStaticPriceBookSource(TEST_PRICE_BOOK),
    bus,
    rateLimiter: limiter,
    providers: [MOCK_PROVIDER],
    apiKeyLastUsed: { record: (id) => void lastUsed.push(id) },
    tenantSettings: createStaticTenantSettings({
      [pinned.record.tenantId]: { homeRegion: 'region-a', regionPinned: true },
      [roaming.record.tenantId]: { homeRegion: 'region-a', regionPinned: false },
    }),
    ...(region !== undefined ? { region } : {}),
  });
  running.push(app);
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const chat = (secret: string) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    });
  /** Waits for the handlers and their off-path writes, then says what was written. */
  const writes = async () => {
    await app.close();
    return { appended, limiterCalls: limiterCalls.mock.calls.length, lastUsed };
  };
  return { pinned, roaming, chat, base, writes };
}

type ErrorBody = { error: { code: string; type: string; message: string } };

describe('a tenant pinned to its home region', () => {
  it('is refused in another region with 503 region_not_allowed and Retry-After, and nothing of it is written there', async () => {
    const { pinned, chat, base, writes } = await start('region-b');
    const response = await chat(pinned.secret);
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('x-switchyard-region')).toBe('region-b');
    const { error } = (await response.json()) as ErrorBody;
    expect(error.code).toBe('region_not_allowed');
    expect(error.message).toContain("home region 'region-a'");
    expect(error.message).toContain("region 'region-b'");
    // Every endpoint that serves a caller refuses it, not only chat completions.
    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${pinned.secret}` } });
    expect(models.status).toBe(503);
    expect(((await models.json()) as ErrorBody).error.code).toBe('region_not_allowed');
    // No usage, no request-log entry, no audit event, no rate-limit window, no last-use record.
    expect(await writes()).toEqual({ appended: [], limiterCalls: 0, lastUsed: [] });
  });

  it('is served in its home region', async () => {
    const { pinned, chat, writes } = await start('region-a');
    expect((await chat(pinned.secret)).status).toBe(200);
    const { appended, lastUsed } = await writes();
    expect(appended).toContain('switchyard:usage');
    expect(lastUsed).toEqual([pinned.record.id]);
  });

  it('an unpinned tenant with the same home region is served in the other region (fail-over)', async () => {
    const { roaming, chat } = await start('region-b');
    expect((await chat(roaming.secret)).status).toBe(200);
  });

  it('a data plane without a region name (one-region deployment) serves every tenant', async () => {
    const { pinned, chat } = await start(undefined);
    expect((await chat(pinned.secret)).status).toBe(200);
  });
});
