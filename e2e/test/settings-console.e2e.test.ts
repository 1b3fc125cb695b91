/**
 * Tenant settings in the console, across real processes: a platform admin sets allowed regions,
 * the default data classification and a quota above the platform default. A tenant admin (an
 * OIDC account whose role comes from the members table) sees them, may lower a quota, and is
 * refused a raise: by the form at the field, and by the API if it sends the mutation anyway.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWidths } from '../testkit/layout-checks';
import { REPO_ROOT } from '../testkit/platform-process';
import { startStack, type Stack } from '../testkit/stack';
import { createTenant, signIn } from '../testkit/console-steps';
import { sendConsoleOperation } from '../testkit/console-operation';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
const MEMBER = { login: 'tenant-admin', password: 'tenant-admin-password', email: 'tenant-admin@settings.test' };

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

  const signInAs = (login: string, password: string): Promise<Page> => signIn(browser, stack.consoleUrl, login, password, { width: 1280, height: 1000 });

  it('platform admins may raise quotas; tenant admins may lower them and are refused a raise', async () => {
    const admin = await signInAs('admin', 'switchyard-admin');
    const slug = `settings-${randomBytes(3).toString('hex')}`;
    await createTenant(admin, stack.consoleUrl, slug, 'Settings E2E');
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

    // The member account becomes a tenant admin of this tenant, added by e-mail (resolved through the bundled issuer's directory).
    await admin.goto(`${stack.consoleUrl}/tenants/${slug}/members`);
    await admin.getByTestId('member-email-input').fill('nobody@settings.test');
    await admin.getByTestId('member-add-submit').click();
    await expect.poll(() => admin.getByTestId('members-error').textContent(), { timeout: 15_000 }).toContain('No one with the e-mail address nobody@settings.test');
    await admin.getByTestId('member-email-input').fill(MEMBER.email);
    await admin.getByTestId('member-role-input').selectOption('tenant_admin');
    await admin.getByTestId('member-add-submit').click();
    await expect.poll(() => admin.getByTestId('member-subject').allTextContents(), { timeout: 15_000 }).toContain(`member:${MEMBER.login}`);
    expect(await admin.getByTestId('member-email').allTextContents()).toContain(MEMBER.email);
    expect(await admin.getByTestId('members-link').getAttribute('aria-current')).toBe('page');
    await checkWidths(admin, 'members');

    const tenantAdmin = await signInAs(MEMBER.login, MEMBER.password);
    await tenantAdmin.goto(`${stack.consoleUrl}/tenants/${slug}/settings`);
    expect(await tenantAdmin.getByTestId('settings-read-only').count()).toBe(0);
    expect(await tenantAdmin.getByTestId('settings-regions').textContent()).toBe('eu-west-1, eu-central-1');

    // A raise is refused by the form at the field…
    await tenantAdmin.getByTestId('settings-tokensPerDay-input').fill('200000000');
    await tenantAdmin.getByTestId('settings-save').click();
    await expect.poll(() => tenantAdmin.getByTestId('settings-error').textContent(), { timeout: 15_000 }).toContain('only a platform admin may set more');
    // …and by the API when sent anyway.
    const tenantId = ((await sendConsoleOperation(tenantAdmin, 'ConsoleTenantSettings', { slug })).data as { tenant: { id: string } }).tenant.id;
    const raised = await sendConsoleOperation(tenantAdmin, 'ConsoleUpdateTenantSettings', { input: { tenantId, quotas: { tokensPerDay: 200_000_000 } } });
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
