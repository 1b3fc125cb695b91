/**
 * Experiments end to end: sign in through OIDC in Chromium → create a route → start a shadow
 * experiment in the console → traffic from the official openai client against the data plane (a
 * separate process): the champion answers, the challenger's shadow usage reaches the experiments
 * consumer over Redis, and the page's confidence sequence narrows live (experimentUpdated) →
 * each shadow copy's tokens are the tenant's shadow cost, shown on the experiment and on the cost
 * page apart from the client cost → promote in the console: the data plane serves the challenger →
 * revert → roll back a version. The experiment has the mock judge: both arms' answers are scored
 * into their quality, and its calls are shadow cost too.
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

describe('console: experiments on a route', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,experiments,cost,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('starts a shadow experiment, watches its statistics live, promotes, reverts and rolls back', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin', { width: 1280, height: 1400 });
    const slug = `exp-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Experiments E2E');
    const secret = await createApiKey(page, 'experiments key');
    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`, maxRetries: 0 });
    const ask = (i: number) =>
      client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: `experiment e2e ${'word '.repeat((i % 9) + 1)}` }] }).then(
        (completion) => completion.model,
        (error: unknown) => (error instanceof OpenAI.APIError ? `${error.status} ${error.code}` : String(error)),
      );

    // A route with the champion.
    await page.getByTestId('routes-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/routes`);
    await page.getByTestId('route-name-input').fill('smart');
    await page.getByTestId('route-definition-input').fill(JSON.stringify({ candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' } }));
    await page.getByTestId('route-save').click();
    await expect.poll(() => page.getByTestId('route-name').allTextContents(), { timeout: 30_000 }).toEqual(['smart']);
    await expect.poll(() => ask(0), { timeout: 10_000, interval: 50 }).toBe('mock-gpt');

    // The experiments page, through the tenant page's link.
    await page.goto(`${consoleUrl}/tenants/${slug}`);
    await page.getByTestId('experiments-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/experiments`);
    await page.getByTestId('experiment-challenger').fill('mock-mini');
    await page.getByTestId('experiment-region').fill('local');
    await page.getByTestId('experiment-context-window').fill('8192');
    // The mock judge scores both arms' answers into their quality (billed as shadow cost).
    await page.getByTestId('experiment-judge').fill('mock-judge');
    await page.getByTestId('experiment-auto-promote').uncheck();
    await page.getByTestId('experiment-start').click();
    await expect.poll(() => page.getByTestId('experiment-status').allTextContents(), { timeout: 30_000 }).toEqual(['running']);
    await expect.poll(() => page.getByTestId('experiment-challenger-metadata').textContent(), { timeout: 30_000 }).toBe('challenger region local · context 8,192 tokens');
    await expect.poll(() => page.getByTestId('experiments-live-status').textContent(), { timeout: 30_000 }).toBe('live');
    await expect.poll(() => page.getByTestId('experiment-judge-model').textContent(), { timeout: 30_000 }).toContain('judged by mock-judge');

    // Traffic in rounds: the champion always answers; the page's sample count grows live.
    let sent = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 15; i++) expect(await ask(sent++)).toBe('mock-gpt');
      await expect.poll(async () => Number(await page.getByTestId('experiment-samples').textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(sent - 5);
    }
    await expect.poll(() => page.getByTestId('experiment-decision').textContent(), { timeout: 30_000 }).toBe('challenger');
    // The judge's scores reached both arms' quality (each arm's metrics list shows QUALITY samples).
    await expect.poll(() => page.getByTestId('experiment-arm-quality-samples').allTextContents(), { timeout: 30_000 }).toEqual([expect.stringMatching(/^[1-9]\d*$/), expect.stringMatching(/^[1-9]\d*$/)]);
    // The challenger's shadow copies are billed as shadow cost: on the experiment card...
    await expect.poll(async () => Number(await page.getByTestId('experiment-shadow-requests').textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(sent - 5);
    const usd = (text: string | null) => Number((text ?? '').replace(/[^0-9.]/g, ''));
    expect(usd(await page.getByTestId('experiment-shadow-cost').textContent())).toBeGreaterThan(0);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'experiments-running.png'), fullPage: true });

    // ...and on the cost page, apart: the client cost is the champion's answers only (no mock-mini row),
    // the shadow figure counts the copies, and its table names the experiment's challenger.
    const costPage = await page.context().newPage();
    await costPage.setViewportSize({ width: 1280, height: 1100 });
    await costPage.goto(`${consoleUrl}/tenants/${slug}/cost`);
    await expect.poll(() => costPage.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');
    const shadowOnExperiment = Number(await page.getByTestId('experiment-shadow-requests').textContent());
    await expect.poll(async () => Number(await costPage.getByTestId('cost-shadow-requests').textContent()), { timeout: 30_000 }).toBeGreaterThanOrEqual(shadowOnExperiment);
    expect(Number(await costPage.getByTestId('cost-total-requests').textContent())).toBeGreaterThanOrEqual(sent);
    expect(usd(await costPage.getByTestId('cost-shadow-usd').textContent())).toBeGreaterThan(0);
    const modelRows = await costPage.getByTestId('cost-model-row').allTextContents();
    expect(modelRows.some((row) => row.includes('mock-gpt'))).toBe(true);
    expect(modelRows.some((row) => row.includes('mock-mini'))).toBe(false);
    // One experiment, two shadow models: the challenger's copies and the judge's calls.
    await expect.poll(async () => (await costPage.getByTestId('cost-shadow-row').allTextContents()).length, { timeout: 30_000 }).toBe(2);
    const shadowRows = await costPage.getByTestId('cost-shadow-row').allTextContents();
    expect(shadowRows.some((row) => row.includes('mock-mini'))).toBe(true);
    expect(shadowRows.some((row) => row.includes('mock-judge'))).toBe(true);
    await costPage.screenshot({ path: path.join(ARTIFACTS, 'cost-shadow.png'), fullPage: true });
    await costPage.close();

    // Promote: a new route version with the challenger; the data plane follows.
    await page.getByTestId('experiment-promote').click();
    await expect.poll(() => page.getByTestId('experiment-status').allTextContents(), { timeout: 30_000 }).toEqual(['promoted']);
    await expect.poll(() => ask(1), { timeout: 10_000, interval: 50 }).toBe('mock-mini');

    // Revert the promotion, then roll back to the promoted version from the history.
    await page.getByTestId('experiment-revert').click();
    await expect.poll(() => page.getByTestId('experiment-status').allTextContents(), { timeout: 30_000 }).toEqual(['reverted']);
    await expect.poll(() => ask(2), { timeout: 10_000, interval: 50 }).toBe('mock-gpt');
    // The history shows the revert (v4) before rolling back (the button carries the version it is based on).
    await expect.poll(() => page.getByTestId('route-versions').textContent(), { timeout: 30_000 }).toContain('experiment.revert');
    await page.getByTestId('rollback-smart-3').click();
    await expect.poll(() => ask(3), { timeout: 10_000, interval: 50 }).toBe('mock-mini');
    await expect.poll(() => page.getByTestId('route-versions').textContent(), { timeout: 30_000 }).toContain('rollback');
    await page.screenshot({ path: path.join(ARTIFACTS, 'experiments-after.png'), fullPage: true });
    expect(await page.getByTestId('route-versions').textContent()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    await checkWidths(page, 'experiments');
  }, 300_000);
});
