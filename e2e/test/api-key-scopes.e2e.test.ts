/**
 * API key scopes across real processes: a tenant admin picks scopes in the console; an admin:read
 * key calls the GraphQL API as a viewer of its tenant (and nothing else), the data plane refuses
 * it; an inference key's use shows up as "last used" in the console; revoking the admin key in the
 * console (after confirming in a dialog) stops it at the gateway at once. The tenant page's
 * navigation marks where you are, and neither its header nor its keys table overflows at 1440 or
 * 390 px (the name column stays in view while the table scrolls).
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackPorts } from '../testkit/ports';
import { startStack, type Stack } from '../testkit/stack';
import { createApiKey, createTenant, signIn } from '../testkit/console-steps';
import { ARTIFACTS, checkWidths, WIDTHS } from '../testkit/layout-checks';

async function graphql(port: string | number, secret: string, query: string): Promise<{ status: number; body: { data?: unknown; errors?: { extensions?: { code?: string } }[] } }> {
  const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
}

describe('console: API key scopes', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('issues an admin:read key for the GraphQL API, records an inference key’s last use, and revokes at once', async () => {
    const page = await signIn(browser, stack.consoleUrl, 'admin', 'switchyard-admin');

    const slug = `scopes-${randomBytes(3).toString('hex')}`;
    await createTenant(page, stack.consoleUrl, slug, 'Scopes');

    const adminKey = await createApiKey(page, 'integration', { inference: false, 'admin:read': true });
    await expect
      .poll(() => page.getByTestId('api-key-row').filter({ hasText: 'integration' }).getByTestId('api-key-scopes').textContent(), { timeout: 15_000 })
      .toBe('admin:read');

    const read = await graphql(ports.SUPERGRAPH_PORT, adminKey, '{ viewer { roles } tenants { slug } }');
    expect(read.body).toEqual({ data: { viewer: { roles: ['viewer'] }, tenants: [{ slug }] } });
    const models = await fetch(`${stack.openaiBaseUrl}/models`, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(models.status).toBe(403);

    const inferenceKey = await createApiKey(page, 'backend', { inference: true, 'admin:read': false });
    const refused = await graphql(ports.SUPERGRAPH_PORT, inferenceKey, '{ viewer { roles } }');
    expect([refused.status, refused.body.errors?.[0]?.extensions?.code]).toEqual([403, 'INSUFFICIENT_SCOPE']);
    expect((await fetch(`${stack.openaiBaseUrl}/models`, { headers: { authorization: `Bearer ${inferenceKey}` } })).status).toBe(200);
    // Written off the request path by the data-plane process (batched every few seconds).
    const backendLastUsed = page.getByTestId('api-key-row').filter({ hasText: 'backend' }).getByTestId('api-key-last-used');
    await expect
      .poll(
        async () => {
          await page.reload();
          return (await backendLastUsed.textContent())?.trim();
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .not.toBe('never');

    // Where you are: the overview is the current section.
    await expect(page.getByTestId('overview-link').getAttribute('aria-current')).resolves.toBe('page');
    await expect(page.getByTestId('members-link').getAttribute('aria-current')).resolves.toBeNull();
    await checkWidths(page, 'tenant-overview');

    // On a phone the keys table scrolls sideways inside its card and keeps the name in view.
    await page.setViewportSize(WIDTHS.phone);
    const wrap = page.locator('section[aria-label="API keys"] .tableWrap');
    await wrap.evaluate((element) => element.scrollTo({ left: element.scrollWidth }));
    await expect.poll(() => wrap.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
    const nameCell = page.getByTestId('api-key-row').first().getByTestId('api-key-name');
    const [wrapBox, nameBox] = [await wrap.boundingBox(), await nameCell.boundingBox()];
    expect(nameBox && wrapBox && nameBox.x >= wrapBox.x - 1 && nameBox.x < wrapBox.x + 40).toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, 'tenant-keys-scrolled-390.png') });
    await page.setViewportSize({ width: 1280, height: 900 });

    // One click only asks: Cancel (or Escape) keeps the key; the dialog's Revoke revokes it.
    const integrationRow = page.getByTestId('api-key-row').filter({ hasText: 'integration' });
    await integrationRow.getByTestId('revoke-key').click();
    const dialog = page.getByRole('alertdialog', { name: 'Revoke “integration”?' });
    await dialog.waitFor({ state: 'visible' });
    // Focus starts on Cancel, so Enter never revokes by accident.
    await expect(page.evaluate("document.activeElement?.getAttribute('data-testid')")).resolves.toBe('confirm-cancel');
    await page.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'hidden' });
    await integrationRow.getByTestId('revoke-key').click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect(integrationRow.getByTestId('api-key-status').textContent()).resolves.toBe('active');
    expect((await graphql(ports.SUPERGRAPH_PORT, adminKey, '{ viewer { roles } }')).status).toBe(200);

    await integrationRow.getByTestId('revoke-key').click();
    await page.screenshot({ path: path.join(ARTIFACTS, 'revoke-dialog.png') });
    await page.getByTestId('confirm-accept').click();
    await expect
      .poll(() => page.getByTestId('api-key-row').filter({ hasText: 'integration' }).getByTestId('api-key-status').textContent(), { timeout: 15_000 })
      .toBe('revoked');
    const revoked = await graphql(ports.SUPERGRAPH_PORT, adminKey, '{ viewer { roles } }');
    expect([revoked.status, revoked.body.errors?.[0]?.extensions?.code]).toEqual([401, 'API_KEY_REVOKED']);
  }, 180_000);
});
