/**
 * Tenant routes end to end: sign in through OIDC in Chromium → create a route in the console (a
 * bad model first: the API's error names the field) → the data plane, a separate process, serves
 * the route name as `model` once routes.changed crosses Redis → edit it (by version) and delete it
 * in the console, and the data plane follows each time.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackPorts } from '../testkit/ports';
import { startStack, type Stack } from '../testkit/stack';
import { createApiKey, createTenant, signIn } from '../testkit/console-steps';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');

async function fillDefinition(page: Page, definition: unknown): Promise<void> {
  await page.getByTestId('route-definition-input').fill(JSON.stringify(definition, null, 2));
}

describe('console: tenant routes reach the data plane', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,experiments,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('creates, edits and deletes a route in the console; the data plane process serves each change', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin', { width: 1280, height: 1000 });

    const slug = `routes-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Routes E2E');

    const secret = await createApiKey(page, 'routes key');
    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`, maxRetries: 0 });
    const servedBy = (model: string) =>
      client.chat.completions.create({ model, messages: [{ role: 'user', content: 'routes e2e' }] }).then(
        (completion) => completion.model,
        (error: unknown) => (error instanceof OpenAI.APIError ? `${error.status} ${error.code}` : String(error)),
      );
    expect(await servedBy('smart')).toBe('404 model_not_found');

    await page.getByTestId('routes-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/routes`);
    await page.getByTestId('route-name-input').fill('smart');
    await fillDefinition(page, { candidates: [{ model: 'mock-mnii' }], strategy: { kind: 'priority' } });
    await page.getByTestId('route-save').click();
    await expect.poll(() => page.getByTestId('routes-error').textContent(), { timeout: 30_000 }).toContain('definition.candidates.0.model');
    expect(await page.getByTestId('route-row').count()).toBe(0);

    await fillDefinition(page, { candidates: [{ model: 'mock-mini' }], strategy: { kind: 'priority' } });
    await page.getByTestId('route-save').click();
    await expect.poll(() => page.getByTestId('route-name').allTextContents(), { timeout: 30_000 }).toEqual(['smart']);
    expect(await page.getByTestId('route-version').textContent()).toBe('1');
    await expect.poll(() => servedBy('smart'), { timeout: 10_000, interval: 50 }).toBe('mock-mini');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('smart');

    await page.getByTestId('route-edit').click();
    await fillDefinition(page, { candidates: [{ model: 'mock-large' }], strategy: { kind: 'priority' } });
    await page.getByTestId('route-save').click();
    await expect.poll(() => page.getByTestId('route-version').textContent(), { timeout: 30_000 }).toBe('2');
    expect(await page.getByTestId('route-candidates').textContent()).toBe('mock-large');
    await expect.poll(() => servedBy('smart'), { timeout: 10_000, interval: 50 }).toBe('mock-large');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'routes.png'), fullPage: true });

    await page.getByTestId('route-delete').click();
    await expect.poll(() => page.getByTestId('routes-empty').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => servedBy('smart'), { timeout: 10_000, interval: 50 }).toBe('404 model_not_found');
  }, 180_000);
});
