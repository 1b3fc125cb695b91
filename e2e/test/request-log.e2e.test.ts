/**
 * The request log and performance pages from real traffic: the official `openai` client calls a
 * data plane in another process (served requests, a stream, and a request refused for its key's
 * scope); the entries cross Redis Streams into the partitioned request_log in Postgres; the
 * console lists them newest first, shows a request's decision, legs, tokens and cost, filters the
 * refused one, and charts latency, errors and spend.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../testkit/stack';
import { createApiKey, createTenant, signIn } from '../testkit/console-steps';
import { checkWidths } from '../testkit/layout-checks';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');

function rowCount(page: Page): Promise<number> {
  return page.getByTestId('request-row').count();
}

describe('console: request log and performance from real traffic', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,cost,gateway,console' });
    ({ browser } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('lists served and refused requests with their detail, and charts them', async () => {
    const page = await signIn(browser, stack.consoleUrl, 'admin', 'switchyard-admin');
    const slug = `e2e-${randomBytes(3).toString('hex')}`;
    await createTenant(page, stack.consoleUrl, slug, 'Request Log');
    const secret = await createApiKey(page, 'app key');
    const readerSecret = await createApiKey(page, 'reader key', { inference: false, 'admin:read': true });

    // The page is open before any traffic: every row below arrives live (requestLogUpdated), no refresh.
    await page.getByTestId('requests-link').click();
    await page.waitForURL(`${stack.consoleUrl}/tenants/${slug}/requests`);
    expect(await page.getByTestId('request-log-retention').textContent()).toContain('30 days');
    expect(await page.getByTestId('request-log-retention').textContent()).toContain('internal');
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toBe('live');
    expect(await rowCount(page)).toBe(0);

    const traceId = randomBytes(16).toString('hex');
    const client = new OpenAI({ apiKey: secret, baseURL: stack.openaiBaseUrl, defaultHeaders: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` } });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'first' }] });
    const stream = await client.chat.completions.create({ model: 'mock-large', stream: true, messages: [{ role: 'user', content: 'stream please' }] });
    for await (const chunk of stream) void chunk;
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'third' }] });
    const reader = new OpenAI({ apiKey: readerSecret, baseURL: stack.openaiBaseUrl, maxRetries: 0 });
    await expect(reader.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'not allowed' }] })).rejects.toMatchObject({ status: 403 });

    // The page polls only while its socket is down; it stayed live, so the subscription brought them.
    await expect.poll(() => rowCount(page), { timeout: 30_000, interval: 250 }).toBe(4);
    expect(await page.getByTestId('live-status').textContent()).toBe('live');
    // Newest first: the refusal came last.
    const statuses = await page.getByTestId('request-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-status')));
    expect(statuses).toEqual(['403', '200', '200', '200']);
    expect(await page.getByTestId('request-row').nth(0).locator('td').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);

    await page.getByTestId('request-row').nth(0).click();
    await expect.poll(() => page.getByTestId('detail-status').textContent(), { timeout: 10_000 }).toContain('insufficient_scope');
    await page.getByTestId('request-row').nth(0).click();

    await page.getByTestId('request-row').nth(1).click();
    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    expect(await page.getByTestId('detail-decision').textContent()).toContain('mock/mock-gpt');
    expect(await page.getByTestId('detail-leg').count()).toBe(1);
    expect(await page.getByTestId('detail-tokens').textContent()).toMatch(/[1-9]\d* prompt \+ [1-9]\d* completion/);
    expect(await detail.textContent()).toContain(traceId);
    expect(await detail.textContent()).toContain('app key');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'request-log-detail.png'), fullPage: true });

    await page.getByTestId('filter-outcome').selectOption('REFUSED');
    await page.getByTestId('filter-apply').click();
    await expect.poll(() => page.getByTestId('request-row').count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('filter-traceId').fill('not-hex');
    await page.getByTestId('filter-apply').click();
    expect(await page.getByTestId('filter-error').textContent()).toContain('32 hexadecimal');
    await page.getByTestId('filter-traceId').fill('');
    await page.getByTestId('filter-apply').click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'request-log-refused.png'), fullPage: true });
    // The filters wrap and the table scrolls inside its card: the page never scrolls sideways.
    await checkWidths(page, 'request-log');

    await page.goto(`${stack.consoleUrl}/tenants/${slug}/performance`);
    const routes = await page.getByTestId('performance-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-key')));
    expect(routes).toEqual(expect.arrayContaining(['mock-gpt', 'mock-large']));
    await expect(page.getByTestId('latency-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
    await expect(page.getByTestId('error-rate-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
    expect(await page.getByTestId('spend-by-key').textContent()).toContain('app key');
    await page.screenshot({ path: path.join(ARTIFACTS, 'performance.png'), fullPage: true });
    await checkWidths(page, 'performance');
  }, 240_000);
});
