/**
 * Tenant secrets in the console, across real processes: a platform admin sets a provider key (only
 * its last four characters ever come back: not in the list, the server-rendered HTML or the DOM),
 * replaces it (rotatedAt appears), has a bad one refused with the API's code, generates an alert
 * webhook secret that is shown once and then only as metadata, and deletes the key after a
 * confirmation. A viewer of the tenant (an OIDC account whose role comes from the members table)
 * sees the same metadata read-only, with no controls, and is refused by the API if it tries anyway.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testkit/platform-process';
import { startStack, type Stack } from '../testkit/stack';
import { createTenant, signIn } from '../testkit/console-steps';
import { sendConsoleOperation } from '../testkit/console-operation';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
const VIEWER = { login: 'viewer', password: 'viewer-password', email: 'viewer@secrets.test' };

/** Everything the browser holds for the page: the server's HTML for a fresh load, and the live DOM with input values. */
async function everythingShown(page: Page): Promise<string> {
  const html = await (await page.request.get(page.url())).text();
  const dom = await page.content();
  const inputs = await Promise.all((await page.locator('input').all()).map((input) => input.inputValue()));
  return [html, dom, ...inputs].join('\n');
}

describe('console: provider credentials & alert webhook', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({
      adminComponents: 'oidc,tenants,gateway,console',
      adminEnv: { SWITCHYARD_MEMBER_LOGIN: VIEWER.login, SWITCHYARD_MEMBER_PASSWORD: VIEWER.password, SWITCHYARD_MEMBER_EMAIL: VIEWER.email },
      dataPlane: false,
    });
    ({ browser } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  const signInAs = (login: string, password: string): Promise<Page> => signIn(browser, stack.consoleUrl, login, password, { width: 1280, height: 1000 });

  it('keeps secrets write-only for admins and read-only metadata for viewers', async () => {
    const admin = await signInAs('admin', 'switchyard-admin');
    const slug = `secrets-${randomBytes(3).toString('hex')}`;
    await createTenant(admin, stack.consoleUrl, slug, 'Secrets E2E');
    await admin.getByTestId('secrets-link').click();
    await admin.waitForURL(`${stack.consoleUrl}/tenants/${slug}/secrets`);
    expect(await admin.getByTestId('credentials-empty').count()).toBe(1);
    expect(await admin.getByTestId('secrets-read-only').count()).toBe(0);

    // Set: only the last four characters come back, and the input is cleared.
    const first = `sk-e2e-first-${randomBytes(12).toString('hex')}`;
    await admin.getByTestId('credential-provider-input').fill('openai');
    await admin.getByTestId('credential-secret-input').fill(first);
    expect(await admin.getByTestId('credential-secret-input').getAttribute('type')).toBe('password');
    await admin.getByTestId('credential-save').click();
    await expect.poll(() => admin.getByTestId('credential-masked').allTextContents(), { timeout: 30_000 }).toEqual([`••••${first.slice(-4)}`]);
    expect(await admin.getByTestId('credential-provider').allTextContents()).toEqual(['openai']);
    expect(await admin.getByTestId('credential-secret-input').inputValue()).toBe('');
    expect(await admin.getByTestId('credential-rotated').getAttribute('data-rotated-at')).toBe('');
    expect(await everythingShown(admin)).not.toContain(first);

    // Hostile input: the API's own code and message, and nothing changes.
    await admin.getByTestId('credential-provider-input').fill('openai');
    await admin.getByTestId('credential-secret-input').fill('short');
    await admin.getByTestId('credential-save').click();
    await expect.poll(() => admin.getByTestId('credentials-error-code').textContent(), { timeout: 15_000 }).toBe('(BAD_USER_INPUT)');
    expect(await admin.getByTestId('credential-secret-input').inputValue()).toBe('');
    expect(await admin.getByTestId('credential-masked').allTextContents()).toEqual([`••••${first.slice(-4)}`]);

    // Replace: same row, new last four, rotatedAt set.
    const second = `sk-e2e-second-${randomBytes(12).toString('hex')}`;
    await admin.getByTestId('credential-replace').click();
    expect(await admin.getByTestId('credential-provider-input').inputValue()).toBe('openai');
    await admin.getByTestId('credential-secret-input').fill(second);
    await admin.getByTestId('credential-save').click();
    await expect.poll(() => admin.getByTestId('credential-masked').allTextContents(), { timeout: 30_000 }).toEqual([`••••${second.slice(-4)}`]);
    const rotatedAt = await admin.getByTestId('credential-rotated').getAttribute('data-rotated-at');
    expect(Date.parse(rotatedAt ?? '')).toBeGreaterThan(0);
    const shown = await everythingShown(admin);
    expect(shown).not.toContain(first);
    expect(shown).not.toContain(second);

    // Alert webhook: the generated secret is shown once, then only as metadata.
    expect(await admin.getByTestId('webhook-empty').count()).toBe(1);
    await admin.getByTestId('webhook-url-input').fill('https://alerts.example.test/switchyard');
    await admin.getByTestId('webhook-save').click();
    const generated = (await admin.getByTestId('webhook-generated-secret').textContent({ timeout: 30_000 }))?.trim() ?? '';
    expect(generated).toMatch(/^whsec_/);
    expect(await admin.getByTestId('webhook-generated').textContent()).toContain('you won’t see it again');
    expect(await admin.getByTestId('copy-webhook-secret').count()).toBe(1);
    await expect.poll(() => admin.getByTestId('webhook-secret-masked').textContent(), { timeout: 15_000 }).toBe(`••••${generated.slice(-4)}`);
    expect(await admin.getByTestId('webhook-url').textContent()).toBe('https://alerts.example.test/switchyard');
    await mkdir(ARTIFACTS, { recursive: true });
    await admin.screenshot({ path: path.join(ARTIFACTS, 'secrets.png'), fullPage: true });
    await admin.reload();
    expect(await admin.getByTestId('webhook-generated').count()).toBe(0);
    expect(await admin.getByTestId('webhook-secret-masked').textContent()).toBe(`••••${generated.slice(-4)}`);
    expect(await everythingShown(admin)).not.toContain(generated);

    // A viewer of the tenant: the same metadata, no controls, and the API refuses changes anyway.
    await admin.goto(`${stack.consoleUrl}/tenants/${slug}/members`);
    await admin.getByTestId('member-email-input').fill(VIEWER.email);
    await admin.getByTestId('member-role-input').selectOption('viewer');
    await admin.getByTestId('member-add-submit').click();
    await expect.poll(() => admin.getByTestId('member-subject').allTextContents(), { timeout: 15_000 }).toContain(`member:${VIEWER.login}`);

    const viewer = await signInAs(VIEWER.login, VIEWER.password);
    await viewer.goto(`${stack.consoleUrl}/tenants/${slug}/secrets`);
    expect(await viewer.getByTestId('secrets-read-only').textContent()).toContain('a viewer of this tenant');
    expect(await viewer.getByTestId('credential-masked').allTextContents()).toEqual([`••••${second.slice(-4)}`]);
    expect(await viewer.getByTestId('webhook-secret-masked').textContent()).toBe(`••••${generated.slice(-4)}`);
    for (const control of ['credential-form', 'credential-replace', 'credential-delete', 'webhook-form', 'webhook-save']) {
      expect(await viewer.getByTestId(control).count(), control).toBe(0);
    }
    // Straight at the console's API with the page's own operations: the tenants subgraph decides.
    const tenantId = ((await sendConsoleOperation(viewer, 'ConsoleTenantSecrets', { slug })).data as { tenant: { id: string } }).tenant.id;
    for (const [name, input] of [
      ['ConsoleSetProviderCredential', { tenantId, provider: 'openai', secret: `sk-e2e-viewer-${randomBytes(8).toString('hex')}` }],
      ['ConsoleDeleteProviderCredential', { tenantId, provider: 'openai' }],
      ['ConsoleSetAlertWebhook', { tenantId, url: 'https://attacker.example.test/hook' }],
    ] as const) {
      expect((await sendConsoleOperation(viewer, name, { input })).errors?.[0]?.extensions?.code, name).toBe('FORBIDDEN');
    }
    await viewer.reload();
    expect(await viewer.getByTestId('credential-masked').allTextContents()).toEqual([`••••${second.slice(-4)}`]);
    expect(await viewer.getByTestId('webhook-url').textContent()).toBe('https://alerts.example.test/switchyard');

    // Delete, after a confirmation.
    await admin.goto(`${stack.consoleUrl}/tenants/${slug}/secrets`);
    await admin.getByTestId('credential-delete').click();
    await admin.getByTestId('credential-delete-cancel').click();
    expect(await admin.getByTestId('credential-row').count()).toBe(1);
    await admin.getByTestId('credential-delete').click();
    await admin.getByTestId('credential-delete-confirm').click();
    await expect.poll(() => admin.getByTestId('credentials-empty').count(), { timeout: 30_000 }).toBe(1);
    await viewer.reload();
    expect(await viewer.getByTestId('credentials-empty').count()).toBe(1);
  }, 240_000);
});
