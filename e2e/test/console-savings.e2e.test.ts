/**
 * The cost optimization loop across real processes: traffic from the official `openai` client on
 * the bandit route `auto` (data plane in its own process) → usage over Redis Streams into the
 * optimizer's feature store (cost-optimizer component of the admin-plane process) → a run asked
 * from the savings page (runCostOptimizer) → savings and regret in Postgres → savingsUpdated
 * over Redis pub/sub → the savings page shows the route; the gain-share report downloads.
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

describe('console: savings from the cost optimizer', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    // Runs only on demand here, so what the page shows comes from the run the test asks for.
    stack = await startStack({ adminComponents: 'oidc,tenants,cost,gateway,cost-optimizer,console', adminEnv: { OPTIMIZER_INTERVAL_MS: '0' } });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('routes traffic, runs the optimizer from the page, sees savings live and downloads the gain-share report', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');
    const slug = `e2e-sav-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Savings E2E');
    const secret = await createApiKey(page, 'savings key');

    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1` });
    for (let i = 0; i < 12; i++) {
      const completion = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: `question ${i}` }] });
      expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
    }

    await page.getByTestId('savings-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/savings`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');
    await expect(page.getByTestId('savings-row-auto').count()).resolves.toBe(0);

    // Ask for runs until the optimizer has ingested the usage and its savings arrive by savingsUpdated.
    await expect
      .poll(
        async () => {
          await page.getByTestId('run-optimizer').click();
          await page.waitForTimeout(1_000);
          if ((await page.getByTestId('savings-row-auto').count()) === 0) return 0;
          return Number((await page.getByTestId('savings-requests').textContent())?.replace(/[^0-9]/g, ''));
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBe(12);
    expect(await page.getByTestId('savings-pct-auto').textContent()).toMatch(/-?\d+\.\d %/);
    await expect(page.getByTestId('savings-history-chart').locator('svg').count()).resolves.toBeGreaterThan(0);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'savings-live.png'), fullPage: true });
    await checkWidths(page, 'savings');

    // The baseline setting changes what the next run measures against.
    await page.getByTestId('baseline-select').selectOption('MOST_EXPENSIVE');
    await expect.poll(() => page.getByTestId('savings-message').textContent(), { timeout: 10_000 }).toContain('Saved');
    await expect
      .poll(
        async () => {
          await page.getByTestId('run-optimizer').click();
          await page.waitForTimeout(1_000);
          return page.getByTestId('savings-row-auto').locator('td').nth(1).textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('mock-large');

    const month = new Date().toISOString().slice(0, 7);
    const csv = await page.request.get(`${consoleUrl}/tenants/${slug}/savings/report?month=${month}&format=csv`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-disposition']).toContain(`gain-share-${slug}-${month}.csv`);
    const csvText = await csv.text();
    expect(csvText.split('\r\n')[1]).toMatch(new RegExp(`^${slug},${month},12,`));
    expect(csvText).toContain('auto,MOST_EXPENSIVE,mock-large,12,');
    const html = await page.request.get(`${consoleUrl}/tenants/${slug}/savings/report?month=${month}&format=html`);
    expect(html.status()).toBe(200);
    expect(await html.text()).toContain('Gain-share report');
    expect((await page.request.get(`${consoleUrl}/tenants/${slug}/savings/report?month=2026-13&format=csv`)).status()).toBe(400);
    const printable = await browser.newPage();
    await printable.setContent(await html.text());
    await printable.screenshot({ path: path.join(ARTIFACTS, 'gain-share-report.png'), fullPage: true });
    await printable.close();
  }, 240_000);
});
