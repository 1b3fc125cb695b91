/**
 * The privacy-budget ledger end to end: sign in through OIDC in Chromium → create a tenant and a
 * privacy budget in the console → release noisy aggregates through the GraphQL API with a real
 * access token → dp.budget-changed crosses Redis pub/sub → the gauge drops live, without a reload;
 * the threshold crossing reaches the tenant's alert webhook (a receiver on loopback), signed.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, verifyAlertSignature } from '@switchyard/subgraph-tenants/alert-signature';
import { alertEventSchema } from '@switchyard/events/alerts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginWithPassword } from '@switchyard/identity/testing';
import type { StackPorts } from '../testkit/ports';
import { startStack, type Stack } from '../testkit/stack';
import { createTenant, signIn } from '../testkit/console-steps';
import { checkWidths } from '../testkit/layout-checks';
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');

interface GraphQLReply {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

describe('console: privacy budget gauges move live', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,dp,gateway,console', dataPlane: false });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('creates a budget in the console and watches the remaining budget drop as noisy releases are charged', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');

    const slug = `dp-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Privacy E2E');

    await page.getByTestId('privacy-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/privacy`);
    await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 30_000 }).toContain('live');

    await page.getByTestId('dp-dataset').fill('patient-visits');
    await page.getByTestId('dp-cap').fill('1');
    await page.getByTestId('dp-create-submit').click();
    await expect.poll(() => page.getByTestId('dp-gauge').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('dp-remaining').textContent(), { timeout: 30_000 }).toBe('1');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-before.png'), fullPage: true });

    const { accessToken } = await loginWithPassword({
      issuer: `http://127.0.0.1:${ports.OIDC_PORT}`,
      clientId: 'switchyard-console',
      redirectUri: `${consoleUrl}/auth/callback`,
      login: 'admin',
      password: 'switchyard-admin',
      resource: 'urn:switchyard:api',
    });
    const graphql = async (query: string, variables: Record<string, unknown>): Promise<GraphQLReply> => {
      const response = await fetch(`http://127.0.0.1:${ports.SUPERGRAPH_PORT}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLReply;
    };
    const tenant = await graphql('query($slug: String!) { tenant(slug: $slug) { id } }', { slug });
    const tenantId = (tenant.data?.['tenant'] as { id: string }).id;
    const budgets = await graphql('query($tenantId: ID!) { dpBudgets(tenantId: $tenantId) { id dataset } }', { tenantId });
    const budgetId = (budgets.data?.['dpBudgets'] as { id: string }[])[0]?.id;
    expect(budgetId).toBeDefined();

    // The tenant's alert webhook: a receiver on loopback (http is allowed only there).
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const webhookSecret = `whsec-e2e-${randomBytes(12).toString('hex')}`;
    const webhook = await graphql('mutation($input: SetAlertWebhookInput!) { setAlertWebhook(input: $input) { webhook { url } } }', {
      input: { tenantId, url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`, secret: webhookSecret },
    });
    expect(webhook.errors).toBeUndefined();

    const release = (idempotencyKey: string, epsilon: string) =>
      graphql(
        `mutation($input: ReleaseNoisyAggregateInput!) { releaseNoisyAggregate(input: $input) { noisyValue fresh budget { remaining } } }`,
        { input: { budgetId, idempotencyKey, value: '1200', sensitivity: '1', mechanism: 'DISCRETE_LAPLACE', privacyParameter: epsilon } },
      );
    const first = await release('count-visits-1', '0.25');
    expect(first.errors).toBeUndefined();
    expect(first.data?.['releaseNoisyAggregate']).toMatchObject({ fresh: true, budget: { remaining: '0.75' } });
    await expect.poll(() => page.getByTestId('dp-remaining').textContent(), { timeout: 30_000 }).toBe('0.75');

    await release('count-visits-2', '0.5');
    await expect.poll(() => page.getByTestId('dp-remaining').textContent(), { timeout: 30_000 }).toBe('0.25');
    const refused = await release('count-visits-3', '0.5');
    expect(refused.errors?.[0]?.extensions?.code).toBe('DP_BUDGET_EXCEEDED');
    expect(await page.getByTestId('dp-gauge').getAttribute('data-remaining-share')).toBe('0.250000');
    await page.screenshot({ path: path.join(ARTIFACTS, 'privacy-live.png'), fullPage: true });

    // 0.25 → 0.75 used crossed the default 50% threshold: one signed alert for this budget.
    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    const [delivery] = received;
    expect(verifyAlertSignature(webhookSecret, delivery!.body, String(delivery!.headers[ALERT_SIGNATURE_HEADER]), Math.floor(Date.now() / 1000))).toBe(true);
    const alert = alertEventSchema.parse(JSON.parse(delivery!.body));
    expect(delivery!.headers[ALERT_EVENT_ID_HEADER]).toBe(alert.id);
    expect(alert).toMatchObject({ type: 'dp.budget.threshold_crossed', tenantId, data: { budgetId, dataset: 'patient-visits', thresholdsPercent: [50] } });

    // The console's test button reaches the same receiver and shows its answer.
    await page.goto(`${consoleUrl}/tenants/${slug}/secrets`);
    await page.getByTestId('webhook-test-send').click();
    await expect.poll(() => page.getByTestId('webhook-test-result').getAttribute('data-delivered'), { timeout: 30_000 }).toBe('true');
    expect(await page.getByTestId('webhook-test-result').textContent()).toContain('HTTP 200');
    const test = alertEventSchema.parse(JSON.parse(received.at(-1)!.body));
    expect(test).toMatchObject({ type: 'webhook.test', tenantId });
    receiver.close();

    // Edit: a cap below what is used (0.75) is refused with the API's reason; a raise and new thresholds apply.
    await page.getByTestId('privacy-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/privacy`);
    expect(await page.getByTestId('privacy-link').getAttribute('aria-current')).toBe('page');
    await page.getByTestId('dp-edit').click();
    await page.getByTestId('dp-edit-cap').fill('0.5');
    await page.getByTestId('dp-edit-save').click();
    await expect.poll(() => page.getByTestId('dp-action-error').textContent(), { timeout: 15_000 }).toContain('cannot go below');
    await page.getByTestId('dp-edit-cap').fill('2');
    await page.getByTestId('dp-edit-thresholds').fill('60, 90');
    await page.getByTestId('dp-edit-save').click();
    await expect.poll(() => page.getByTestId('dp-remaining').textContent(), { timeout: 15_000 }).toBe('1.25');
    const edited = await graphql('query($tenantId: ID!) { dpBudgets(tenantId: $tenantId) { cap alertThresholds } }', { tenantId });
    expect(edited.data?.['dpBudgets']).toEqual([{ cap: '2', alertThresholds: [60, 90] }]);
    await checkWidths(page, 'privacy');
    // On a phone the section row scrolls sideways with the current section in view.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    const current = await page.getByTestId('privacy-link').boundingBox();
    expect(current && current.x >= 0 && current.x + current.width <= 390).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });

    // Delete asks first (Cancel keeps it), then the budget is gone.
    await page.getByTestId('dp-delete').click();
    await page.getByTestId('confirm-cancel').click();
    expect(await page.getByTestId('dp-gauge').count()).toBe(1);
    await page.getByTestId('dp-delete').click();
    await page.getByTestId('confirm-accept').click();
    await expect.poll(() => page.getByTestId('dp-gauge').count(), { timeout: 15_000 }).toBe(0);
    const after = await graphql('query($tenantId: ID!) { dpBudgets(tenantId: $tenantId) { id } }', { tenantId });
    expect(after.data?.['dpBudgets']).toEqual([]);
  }, 180_000);
});
