/**
 * SLOs across real processes: a tenant admin adds an availability SLO in the console; failing
 * traffic from the official `openai` client crosses Redis Streams into the shared SLI counters; the
 * SLO subgraph's evaluator pages, engages the auto-throttle (the data plane, another process,
 * refuses the route's batch requests) and the dashboard shows it live through `slosUpdated`.
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
import { checkWidths } from '../testkit/layout-checks';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');

describe('console: SLO dashboard, burn-rate alert and auto-throttle', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    // Evaluation every second: the page follows within a round of the burn, not 15 s later.
    stack = await startStack({ adminComponents: 'oidc,tenants,cost,audit,slo,gateway,console', adminEnv: { SLO_EVALUATION_INTERVAL_MS: '1000' } });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('defines an SLO, watches it page under failing traffic, and sees batch traffic throttled', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');
    await page.setViewportSize({ width: 1440, height: 1000 });
    const slug = `slo-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'SLO tenant');
    const secret = await createApiKey(page, 'slo key');

    await page.getByTestId('slos-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/slos`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');
    await page.getByTestId('slo-empty').waitFor();

    // Hostile input is refused with the API's message, nothing is stored.
    await page.getByTestId('slo-route').fill('mock-gpt');
    await page.getByTestId('slo-target').fill('100');
    await page.getByTestId('slo-save').click();
    await expect.poll(() => page.getByTestId('slo-form-error').textContent(), { timeout: 15_000 }).toContain('below 1');

    await page.getByTestId('slo-target').fill('99');
    await page.getByTestId('slo-save').click();
    const row = page.locator('[data-testid="slo-row"][data-route="mock-gpt"][data-kind="AVAILABILITY"]');
    await row.waitFor({ timeout: 15_000 });
    expect((await row.getByTestId('slo-state').textContent())?.trim()).toBe('ok');

    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`, maxRetries: 0 });
    const batch = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`, maxRetries: 0, defaultHeaders: { 'x-switchyard-qos': 'batch' } });
    // Healthy batch traffic is served before the burn.
    await batch.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'nightly job' }] });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'fine' }] });

    // The provider starts failing: every request errors upstream.
    for (let i = 0; i < 8; i += 1) {
      await expect(client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: `fail ${i} [mock: status=500]` }] })).rejects.toThrow();
    }

    await expect.poll(async () => (await row.getByTestId('slo-state').textContent())?.trim(), { timeout: 60_000 }).toBe('page');
    await row.getByTestId('slo-throttled-badge').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('slo-transition-throttle').first().textContent(), { timeout: 15_000 }).toBe('batch paused');
    // The state can page on the first failures counted; the live SLI catches up with all ten.
    await expect.poll(async () => (await row.getByTestId('slo-sli').textContent()) ?? '', { timeout: 15_000 }).toContain('10 requests');
    await expect(page.getByTestId('burn-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'slo-dashboard-page.png'), fullPage: true });
    // The console's one date format (formatTimestamp), not a locale's.
    expect(await page.getByTestId('slo-transition').first().locator('td').first().textContent()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    await checkWidths(page, 'slo-dashboard');

    // The data plane (another process) got the throttle over the bus: batch refused with slo_throttled.
    // A busy machine may shed batch for event-loop lag first (503 overloaded, "saturated"): that is
    // not the throttle's answer, so it is asked again; any other answer fails the poll.
    const batchAnswer = async (): Promise<string> => {
      try {
        await batch.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'nightly job' }] });
        return 'served';
      } catch (error) {
        if (!(error instanceof OpenAI.APIError)) throw error;
        return `${error.status} ${String(error.code)}${error.message.includes('saturated') ? ' (saturated)' : ''}`;
      }
    };
    await expect.poll(batchAnswer, { timeout: 30_000, interval: 1_000 }).toBe('503 slo_throttled');
    // Interactive traffic is never throttled (once the route's breaker lets it through again, it is served).
    const interactiveAnswer = async (): Promise<string> => {
      try {
        await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'still here' }] });
        return 'served';
      } catch (error) {
        if (!(error instanceof OpenAI.APIError)) throw error;
        expect(error.code).not.toBe('slo_throttled');
        return `${error.status} ${String(error.code)}`;
      }
    };
    await expect.poll(interactiveAnswer, { timeout: 90_000, interval: 2_000 }).toBe('served');
    expect(await batchAnswer()).toMatch(/^503 (slo_throttled|overloaded \(saturated\))$/);
  }, 300_000);
});
