/**
 * Sessions and memories across real processes: the official `openai` client stores a conversation
 * (POST /v1/responses with store, continued by previous_response_id) and a vector memory through
 * the data plane (its own process, Redis and Postgres); a tenant admin finds both on the console's
 * Memory page (memory subgraph, in the admin-plane process), inspects the conversation, deletes it
 * and the memory through the confirm dialog, and the data plane then answers 404 for them: the
 * delete reached the shared Redis window, the Postgres snapshot and the vector index.
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

describe('console: sessions and memories', () => {
  let stack: Stack;
  let browser: Browser;
  let ports: StackPorts;

  beforeAll(async () => {
    stack = await startStack({ adminComponents: 'oidc,tenants,memory,gateway,console' });
    ({ browser, ports } = stack);
  }, 900_000);

  afterAll(() => stack?.stop());

  it('lists a stored conversation and a memory, inspects, deletes both, and the data plane forgets them', async () => {
    const consoleUrl = `http://127.0.0.1:${ports.CONSOLE_PORT}`;
    const dataPlane = `http://127.0.0.1:${ports.DATA_PLANE_PORT}/v1`;
    const page = await signIn(browser, consoleUrl, 'admin', 'switchyard-admin');
    await page.setViewportSize({ width: 1440, height: 1000 });
    const slug = `mem-${randomBytes(3).toString('hex')}`;
    await createTenant(page, consoleUrl, slug, 'Memory tenant');
    const secret = await createApiKey(page, 'memory key');

    const client = new OpenAI({ apiKey: secret, baseURL: dataPlane, maxRetries: 0 });
    const first = await client.responses.create({ model: 'mock-gpt', input: 'remember the codeword heliotrope', store: true });
    const second = await client.responses.create({ model: 'mock-gpt', input: 'what was the codeword?', previous_response_id: first.id, store: true });
    // The conversation is the first response's chain: one session under its id.
    const added = await fetch(`${dataPlane}/memories`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ collection: 'facts', text: 'The customer prefers green tea', subject: 'customer-7' }),
    });
    expect(added.status).toBe(201);
    const memory = (await added.json()) as { id: string };

    await page.getByTestId('memory-link').click();
    await page.waitForURL(`${consoleUrl}/tenants/${slug}/memory`);
    const row = page.locator(`[data-testid="memory-session-row"][data-session="${first.id}"]`);
    // On a miss, say what the page shows instead (an error panel, another session id) rather than only "timeout".
    await row.waitFor({ timeout: 15_000 }).catch(async (error: unknown) => {
      throw new Error(`no row for session ${first.id}; the page shows: ${(await page.locator('main').innerText()).slice(0, 2000)}`, { cause: error });
    });
    expect(await row.textContent()).toContain('2 stored responses');

    await row.getByTestId('memory-session-inspect').click();
    const responses = page.getByTestId('memory-session-responses');
    await responses.waitFor({ timeout: 15_000 });
    expect(await responses.textContent()).toContain('remember the codeword heliotrope');
    expect(await responses.textContent()).toContain(second.id);

    const collection = page.locator('[data-testid="memory-collection-row"][data-collection="facts"]');
    await collection.waitFor();
    await collection.getByTestId('memory-collection-open').click();
    const memoryRow = page.locator(`[data-testid="memory-row"][data-memory="${memory.id}"]`);
    await memoryRow.waitFor({ timeout: 15_000 });
    expect(await memoryRow.textContent()).toContain('customer-7');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'memory-page.png'), fullPage: true });
    await checkWidths(page, 'memory');

    // Cancel first: nothing happens.
    await row.getByTestId('memory-session-delete').click();
    await page.getByTestId('confirm-cancel').click();
    expect((await client.responses.retrieve(first.id)).id).toBe(first.id);

    await row.getByTestId('memory-session-delete').click();
    await page.getByTestId('confirm-accept').click();
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    // The data plane (another process) no longer has either response: not in Redis, not restorable from Postgres.
    for (const id of [first.id, second.id]) {
      const gone = await client.responses.retrieve(id).then(
        () => 'found',
        (error: unknown) => (error instanceof OpenAI.APIError ? error.status : String(error)),
      );
      expect(gone).toBe(404);
    }
    // Continuing the deleted conversation is refused too.
    await expect(client.responses.create({ model: 'mock-gpt', input: 'again?', previous_response_id: second.id })).rejects.toMatchObject({ status: 404 });

    await memoryRow.getByTestId('memory-delete').click();
    await page.getByTestId('confirm-accept').click();
    await memoryRow.waitFor({ state: 'detached', timeout: 15_000 });
    const memoryAnswer = await fetch(`${dataPlane}/memories/${memory.id}`, { headers: { authorization: `Bearer ${secret}` } });
    expect(memoryAnswer.status).toBe(404);
  }, 300_000);
});
