/**
 * The policy review flow across real processes: an admin writes a policy in the console, dry-runs
 * it against decisions the data plane (ANOTHER process) logged, fails to approve it alone, a
 * second admin approves it, and the data plane denies the forbidden model within a second (Redis
 * pub/sub). A newer version is approved and then rolled back in one step. The second admin is
 * the one `npm start` seeds on the embedded default (no configuration).
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
import { REPO_ROOT } from '../testkit/platform-process';

const ARTIFACTS = path.join(REPO_ROOT, 'e2e', 'artifacts');
// Seeded by the embedded default (platform/src/demo-accounts.ts) and printed in the banner.
const SECOND_ADMIN = { login: 'reviewer', password: 'switchyard-reviewer' };

const ALLOW_ALL = `@id("allow-all")
permit (principal, action, resource);
`;

describe('console: policy review (propose, dry run, second-admin approval, rollback)', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,policy,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('reviews, activates and rolls back a policy the data plane enforces', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const first = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');

    const slug = `pol-${randomBytes(3).toString('hex')}`;
    await createTenant(first, consoleUrl, slug, 'Policy Review');
    const secret = await createApiKey(first, 'policy key');

    // Without a policy everything is allowed; these decisions are logged for the dry run.
    const client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`, maxRetries: 0 });
    const ask = (model: string) => client.chat.completions.create({ model, messages: [{ role: 'user', content: 'policy e2e' }] });
    const status = (model: string) => ask(model).then(() => 200, (error: unknown) => (error instanceof OpenAI.APIError ? error.status : -1));
    await ask('mock-large');
    await ask('mock-gpt');

    await first.getByTestId('policies-link').click();
    await first.waitForURL(`${consoleUrl}/tenants/${slug}/policies`);

    // An invalid policy is refused with its position.
    await first.getByTestId('policy-text').fill('permit (principal, action, resource)\nwhen { context.hour < };');
    await first.getByTestId('policy-propose').click();
    await expect.poll(() => first.getByTestId('policy-error').textContent(), { timeout: 15_000 }).toContain('2:23');

    // The editor's template: admins manage policies, any provider, region and tool, every model but mock-large.
    await first.reload();
    await first.getByTestId('policy-propose').click();
    await expect.poll(() => first.getByTestId('policy-notice').textContent(), { timeout: 15_000 }).toContain('Proposed version 1');

    // The data plane flushes its decision log about once a second: dry-run until all six decisions
    // are in (per request: use_model, send_to_provider and process_in_region for its one upstream).
    await expect
      .poll(
        async () => {
          await first.getByTestId('policy-dry-run').click();
          return first.getByTestId('dry-run-summary').textContent({ timeout: 5_000 });
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toContain('1 of 6');
    await expect(first.getByTestId('dry-run-flip').textContent()).resolves.toContain('mock-large');
    await mkdir(ARTIFACTS, { recursive: true });
    await first.screenshot({ path: path.join(ARTIFACTS, 'policy-dry-run.png'), fullPage: true });

    // The proposer is not offered Approve (the API would refuse: four eyes).
    await expect(first.getByTestId('policy-approve').count()).resolves.toBe(0);
    await expect(first.getByTestId('policy-approve-hint').textContent()).resolves.toContain('different admin');
    await expect(first.getByTestId('policies-link').getAttribute('aria-current')).resolves.toBe('page');

    const second = await signIn(browser, consoleUrl, SECOND_ADMIN.login, SECOND_ADMIN.password);
    await second.goto(`${consoleUrl}/tenants/${slug}/policies`);
    await second.getByTestId('policy-approve').click();
    await expect.poll(() => second.getByTestId('policy-status-1').textContent(), { timeout: 15_000 }).toBe('active');

    await expect.poll(() => status('mock-large'), { timeout: 5_000, interval: 100 }).toBe(403);
    await expect(status('mock-gpt')).resolves.toBe(200);

    // Version 2 allows everything again; approved by the first admin, then rolled back in one step.
    await second.getByTestId('policy-text').fill(ALLOW_ALL);
    await second.getByTestId('policy-propose').click();
    await expect.poll(() => second.getByTestId('policy-notice').textContent(), { timeout: 15_000 }).toContain('Proposed version 2');
    await first.reload();
    await first.getByTestId('policy-approve').click();
    await expect.poll(() => first.getByTestId('policy-status-2').textContent(), { timeout: 15_000 }).toBe('active');
    await expect.poll(() => status('mock-large'), { timeout: 5_000, interval: 100 }).toBe(200);
    // An active version is never offered for approval again.
    await expect.poll(() => first.getByTestId('policy-approve').count(), { timeout: 5_000 }).toBe(0);

    await first.getByTestId('policy-rollback-1').click();
    await expect.poll(() => first.getByTestId('policy-status-1').textContent(), { timeout: 15_000 }).toBe('active');
    await expect.poll(() => status('mock-large'), { timeout: 5_000, interval: 100 }).toBe(403);
    await first.screenshot({ path: path.join(ARTIFACTS, 'policy-rolled-back.png'), fullPage: true });
  }, 300_000);
});
