/**
 * The foundation's whole path, across real processes and real services:
 * sign in through OIDC in Chromium → create a tenant and a key in the console → send completions
 * with the official `openai` client to a data plane running in ANOTHER process → usage crosses
 * Redis Streams into Postgres → costUpdated crosses Redis pub/sub → the cost page changes live.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackPorts } from '../testkit/ports';
import { startStack, type Stack } from '../testkit/stack';
import { createApiKey, createTenant, signIn } from '../testkit/console-steps';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');

describe('console: live cost from real traffic', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,cost,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('signs in, creates a tenant and a key, and watches cost move as requests flow', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');

    const slug = `e2e-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'End to End');

    const secret = await createApiKey(page, 'e2e key');

    await page.getByTestId('cost-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/cost`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');
    expect((await page.getByTestId('cost-total-requests').textContent())?.trim()).toBe('0');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'cost-before.png'), fullPage: true });

    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1` });
    const completion = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hello from e2e' }] });
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('cost-total-requests').textContent(), { timeout: 30_000 }).toBe('1');

    const stream = await client.chat.completions.create({ model: 'mock-large', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    let streamed = '';
    for await (const chunk of stream) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed.length).toBeGreaterThan(0);
    await client.chat.completions.create({ model: 'mock-mini', messages: [{ role: 'user', content: 'third' }] });

    await expect.poll(() => page.getByTestId('cost-total-requests').textContent(), { timeout: 30_000 }).toBe('3');
    const totalUsd = Number((await page.getByTestId('cost-total-usd').textContent())?.replace(/[^0-9.]/g, ''));
    expect(totalUsd).toBeGreaterThan(0);
    // No experiment: no shadow cost, and none of it is hidden in the total.
    expect(await page.getByTestId('cost-shadow-usd').textContent()).toBe('$0.000000');
    expect(await page.getByTestId('cost-shadow-requests').textContent()).toBe('0');
    await expect(page.getByTestId('cost-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'cost-live.png'), fullPage: true });

    // The day window: the server sums it in 15-minute buckets; the chart and its title follow, totals unchanged.
    await page.getByTestId('cost-window-24h').click();
    await expect.poll(() => page.getByRole('heading', { level: 2, name: /^Cost per/ }).textContent(), { timeout: 30_000 }).toBe('Cost per 15 minutes');
    await expect.poll(() => page.getByTestId('cost-total-requests').textContent(), { timeout: 30_000 }).toBe('3');
    await expect(page.getByTestId('cost-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
  }, 180_000);
});
