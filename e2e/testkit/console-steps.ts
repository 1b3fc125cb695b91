/**
 * The console steps most e2e tests start with, done the way a person does them in Chromium: sign in
 * through the bundled OIDC login, create a tenant and open it, create an API key and read its secret.
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';

/** Signs in through the bundled OIDC login in a fresh browser context; resolves on the tenants list. */
export async function signIn(
  browser: Browser,
  consoleUrl: string,
  login: string,
  password: string,
  viewport: { width: number; height: number } = { width: 1280, height: 900 },
): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // The first page a just-started console serves can lag on a loaded 2-core CI machine (CI saw the
  // sign-in button missing for 30 s once, then the same test passed alone): reload a few times, as a person would.
  const signInButton = page.getByTestId('sign-in');
  for (let attempt = 1; ; attempt += 1) {
    await page.goto(consoleUrl);
    const shown = await signInButton.waitFor({ state: 'visible', timeout: 20_000 }).then(
      () => true,
      () => false,
    );
    if (shown) break;
    if (attempt === 4) throw new Error(`the console at ${consoleUrl} showed no sign-in button after ${attempt} loads: ${(await page.content()).slice(0, 500)}`);
  }
  await signInButton.click();
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('button[type=submit]').click();
  await page.waitForURL(`${consoleUrl}/tenants`);
  return page;
}

/** Creates a tenant from the tenants list and opens its page. */
export async function createTenant(page: Page, consoleUrl: string, slug: string, name: string): Promise<void> {
  await page.getByTestId('create-tenant-slug').fill(slug);
  await page.getByTestId('create-tenant-name').fill(name);
  await page.getByTestId('create-tenant-submit').click();
  await page.getByTestId('tenant-row').filter({ hasText: slug }).getByRole('link').first().click();
  await page.waitForURL(`${consoleUrl}/tenants/${slug}`);
}

/** Creates an API key on the open tenant's page (scopes left as the form's defaults unless given) and returns the secret shown once. */
export async function createApiKey(page: Page, name: string, scopes?: Record<string, boolean>): Promise<string> {
  await page.getByTestId('create-key-name').fill(name);
  for (const [scope, wanted] of Object.entries(scopes ?? {})) await page.getByTestId(`create-key-scope-${scope}`).setChecked(wanted);
  await page.getByTestId('create-key-submit').click();
  const secret = (await page.getByTestId('api-key-secret').textContent())?.trim() ?? '';
  expect(secret).toMatch(/^sk-sy-/);
  return secret;
}
