/**
 * The audit explorer across real processes: console mutations (tenant, key) and one completion
 * through a data plane in ANOTHER process become audit entries (audit stream / usage stream →
 * ledger) → the explorer lists and filters them → a signed checkpoint is taken → Chromium proves an
 * entry's inclusion itself (WebCrypto) against that checkpoint; a newer entry is offered the
 * current tree head instead.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackPorts } from '../testkit/ports';
import { startStack, type Stack } from '../testkit/stack';
import { createApiKey, createTenant, signIn } from '../testkit/console-steps';
import { checkWidths } from '../testkit/layout-checks';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
const run = promisify(execFile);

describe('console: audit explorer with in-browser inclusion proofs', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;
  let dataDir: string;
  let databaseUrl: string;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,cost,audit,gateway,console' });
    ({ browser, ports, dataDir, databaseUrl } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  /**
   * The running ledger checkpoints every 1000 entries or 60 s; the operator CLI signs one now, over
   * the same database with the same key (`<data dir>/audit-keys.json`), so the test need not wait.
   */
  async function checkpointNow(): Promise<string> {
    const { stdout } = await run('npm', ['run', '-s', 'audit', '--', 'checkpoint'], {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, SWITCHYARD_DATA_DIR: dataDir },
      timeout: 120_000,
    });
    return stdout;
  }

  it('lists, filters and live-updates entries, and verifies one against the latest checkpoint in Chromium', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin', { width: 1400, height: 900 });

    const slug = `audit-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Audit Explorer');

    const secret = await createApiKey(page, 'audit key');

    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1` });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'audit me' }] });

    await page.getByTestId('audit-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/audit`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');
    const actions = () => page.getByTestId('audit-action').allTextContents();
    // tenant.create and api_key.create from the console, inference.request from the data plane (live or on load).
    await expect.poll(actions, { timeout: 60_000 }).toEqual(expect.arrayContaining(['tenant.create', 'api_key.create', 'inference.request']));
    // Newest first, and the request's actor is the key's name (resolved at the tenants subgraph), not its id.
    const seqs = (await page.getByTestId('audit-seq').allTextContents()).map(Number);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const inferenceRow = page.getByTestId('audit-row').filter({ has: page.getByTestId('audit-action').getByText('inference.request', { exact: true }) });
    expect(await inferenceRow.first().getByTestId('audit-actor').textContent()).toBe('key audit key');
    expect(await page.getByTestId('audit-link').getAttribute('aria-current')).toBe('page');
    await checkWidths(page, 'audit');

    // Filter by action: only the key creation is left.
    await page.getByTestId('audit-filter-action').fill('api_key.create');
    await page.getByTestId('audit-filter-apply').click();
    await expect.poll(actions, { timeout: 15_000 }).toEqual(['api_key.create']);

    // Sign a checkpoint covering everything so far, then prove the key creation against it.
    expect(await checkpointNow()).toContain('"treeSize"');
    const keyRow = page.getByTestId('audit-row').first();
    await keyRow.getByTestId('verify-proof').click();
    await expect.poll(() => page.getByTestId('proof-result').first().textContent(), { timeout: 30_000 }).toBe('verified');
    // `verified` against a checkpoint means the browser also checked the checkpoint's Ed25519 signature.
    expect(await page.getByTestId('proof-signature').first().textContent()).toContain('signature verified');
    await expect(page.getByTestId('proof-leaf-hash').first().textContent()).resolves.toMatch(/^[0-9a-f]{64}$/);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'audit-explorer.png'), fullPage: true });

    // Clear the filter; a new completion arrives live after the checkpoint and is not covered by it yet.
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(async () => (await actions()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    const before = (await actions()).length;
    await client.chat.completions.create({ model: 'mock-mini', messages: [{ role: 'user', content: 'after the checkpoint' }] });
    await expect.poll(async () => (await actions()).length, { timeout: 60_000 }).toBe(before + 1);
    const newest = page.getByTestId('audit-row').first();
    await expect(newest.getByTestId('audit-action').textContent()).resolves.toBe('inference.request');
    await newest.getByTestId('verify-proof').click();
    await expect(page.getByTestId('proof-not-covered').waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    await page.getByTestId('verify-against-head').click();
    await expect.poll(() => page.getByTestId('proof-result').allTextContents(), { timeout: 30_000 }).toEqual(['verified']);

    await page.screenshot({ path: path.join(ARTIFACTS, 'audit-explorer-current-head.png'), fullPage: true });
  }, 300_000);
});
