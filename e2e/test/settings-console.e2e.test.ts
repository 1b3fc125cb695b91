/**
 * Tenant settings in the console, across real processes: a platform admin sets allowed regions,
 * the default data classification and a quota above the platform default. A tenant admin (an
 * OIDC account whose role comes from the members table) sees them, may lower a quota, and is
 * refused a raise: by the form at the field, and by the API if it sends the mutation anyway.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testkit/platform-process';
import { startStack, type Stack } from '../testkit/stack';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
const PERSISTED = JSON.parse(readFileSync(path.join(REPO_ROOT, 'supergraph', 'persisted-operations.json'), 'utf8')) as { operations: Record<string, { name: string; document: string }> };
const MEMBER = { login: 'tenant-admin', password: 'tenant-admin-password', email: 'tenant-admin@settings.test' };

/** One of the console's persisted operations, sent from the page as the console itself does. */
async function consoleGraphql(page: Page, operationName: string, variables: unknown): Promise<{ data?: unknown; errors?: Array<{ extensions?: { code?: string } }> }> {
  const query = Object.values(PERSISTED.operations).find((operation) => operation.name === operationName)?.document;
  if (!query) throw new Error(`${operationName} is not a persisted console operation`);
  return page.evaluate(
    async (body) => {
      const response = await fetch('/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-switchyard-csrf': '1' }, body });
      return (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    },
    JSON.stringify({ operationName, query, variables }),
  );
}

describe('console: tenant settings', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    stack = await startStack({
      adminComponents: 'oidc,tenants,gateway,console',
      adminEnv: { SWITCHYARD_MEMBER_LOGIN: MEMBER.login, SWITCHYARD_MEMBER_PASSWORD: MEMBER.password, SWITCHYARD_MEMBER_EMAIL: MEMBER.email },
      dataPlane: false,
    });
    ({ browser } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  async function signIn(login: string, password: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    await page.goto(stack.consoleUrl);
    await page.getByTestId('sign-in').click();
    await page.locator('input[name=login]').fill(login);
    await page.locator('input[name=password]').fill(password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL(`${stack.consoleUrl}/tenants`);
    return page;
  }

  it('platform admins may raise quotas; tenant admins may lower them and are refused a raise', async () => {
    const admin = await signIn('admin', 'switchyard-admin');
    const slug = `settings-${randomBytes(3).toString('hex')}`;
    await admin.getByTestId('create-tenant-slug').fill(slug);
    await admin.getByTestId('create-tenant-name').fill('Settings E2E');
    await admin.getByTestId('create-tenant-submit').click();
    await admin.getByTestId('tenant-row').filter({ hasText: slug }).getByRole('link').first().click();
    await admin.waitForURL(`${stack.consoleUrl}/tenants/${slug}`);
    await admin.getByTestId('settings-link').click();
    await admin.waitForURL(`${stack.consoleUrl}/tenants/${slug}/settings`);
    expect(await admin.getByTestId('settings-regions').textContent()).toBe('any region');
    expect(await admin.getByTestId('settings-classification').textContent()).toBe('internal');
    expect(await admin.getByTestId('settings-quota-requestsPerMinute').textContent()).toBe('platform default (6,000)');

    // Bad input is refused at the field, before any request.
    await admin.getByTestId('settings-regions-input').fill('eu west;1');
    await admin.getByTestId('settings-save').click();
    await expect.poll(() => admin.getByTestId('settings-error').textContent(), { timeout: 15_000 }).toContain('is not a region name');

    await admin.getByTestId('settings-regions-input').fill('eu-west-1, eu-central-1');
    await admin.getByTestId('settings-classification-input').selectOption('confidential');
    await admin.getByTestId('settings-requestsPerMinute-input').fill('20000');
    await admin.getByTestId('settings-save').click();
    await expect.poll(() => admin.getByTestId('settings-regions').textContent(), { timeout: 30_000 }).toBe('eu-west-1, eu-central-1');
    expect(await admin.getByTestId('settings-classification').textContent()).toBe('confidential');
    expect(await admin.getByTestId('settings-quota-requestsPerMinute').textContent()).toBe('20,000');
    await mkdir(ARTIFACTS, { recursive: true });
    await admin.screenshot({ path: path.join(ARTIFACTS, 'settings.png'), fullPage: true });

    // The member account becomes a tenant admin of this tenant.
    await admin.goto(`${stack.consoleUrl}/tenants/${slug}/members`);
    await admin.getByTestId('member-subject-input').fill(`member:${MEMBER.login}`);
    await admin.getByTestId('member-email-input').fill(MEMBER.email);
    await admin.getByTestId('member-role-input').selectOption('tenant_admin');
    await admin.getByTestId('member-add-submit').click();
    await expect.poll(() => admin.getByTestId('member-subject').allTextContents(), { timeout: 15_000 }).toContain(`member:${MEMBER.login}`);

    const tenantAdmin = await signIn(MEMBER.login, MEMBER.password);
    await tenantAdmin.goto(`${stack.consoleUrl}/tenants/${slug}/settings`);
    expect(await tenantAdmin.getByTestId('settings-read-only').count()).toBe(0);
    expect(await tenantAdmin.getByTestId('settings-regions').textContent()).toBe('eu-west-1, eu-central-1');

    // A raise is refused by the form at the field…
    await tenantAdmin.getByTestId('settings-tokensPerDay-input').fill('200000000');
    await tenantAdmin.getByTestId('settings-save').click();
    await expect.poll(() => tenantAdmin.getByTestId('settings-error').textContent(), { timeout: 15_000 }).toContain('only a platform admin may set more');
    // …and by the API when sent anyway.
    const tenantId = ((await consoleGraphql(tenantAdmin, 'ConsoleTenantSettings', { slug })).data as { tenant: { id: string } }).tenant.id;
    const raised = await consoleGraphql(tenantAdmin, 'ConsoleUpdateTenantSettings', { input: { tenantId, quotas: { tokensPerDay: 200_000_000 } } });
    expect(raised.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Lowering is theirs to do; the quota a platform admin granted stays as it was.
    await tenantAdmin.getByTestId('settings-tokensPerDay-input').fill('5000');
    await tenantAdmin.getByTestId('settings-save').click();
    await expect.poll(() => tenantAdmin.getByTestId('settings-quota-tokensPerDay').textContent(), { timeout: 30_000 }).toBe('5,000');
    expect(await tenantAdmin.getByTestId('settings-quota-requestsPerMinute').textContent()).toBe('20,000');
    await admin.goto(`${stack.consoleUrl}/tenants/${slug}/settings`);
    expect(await admin.getByTestId('settings-quota-tokensPerDay').textContent()).toBe('5,000');
  }, 240_000);
});
