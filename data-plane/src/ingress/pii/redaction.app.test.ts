import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../test-support/data-plane-harness';
import { createStaticRedactionConfigSource, type RedactionConfigSource } from './redaction-config';

/** An OpenAI-compatible upstream that records every request body and answers a fixed stream. */
async function startCapturingUpstream(): Promise<{ baseUrl: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      bodies.push(JSON.parse(raw));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;
      response.write(chunk({ choices: [{ delta: { content: 'noted' }, finish_reason: null }] }));
      response.write(chunk({ choices: [{ delta: {}, finish_reason: 'stop' }] }));
      response.write(chunk({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 1 } }));
      response.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, bodies, server };
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

async function setUp(redaction?: RedactionConfigSource): Promise<{ h: Harness; bodies: unknown[] }> {
  const upstream = await startCapturingUpstream();
  cleanups.push(() => new Promise((resolve) => upstream.server.close(resolve)));
  const h = await startHarness({
    providers: [{ name: 'capture', kind: 'openai-compatible', baseUrl: upstream.baseUrl, models: ['mock-gpt'] }],
    redaction,
  });
  cleanups.push(() => h.finish());
  return { h, bodies: upstream.bodies };
}

const PROMPT = 'Refund card 4111 1111 1111 1111 and confirm to anna@example.com please.';

describe('PII redaction in the request path', () => {
  it('the provider receives the redacted prompt, and the usage event carries counts by type', async () => {
    const { h, bodies } = await setUp();
    const client = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: PROMPT }] });
    expect(completion.choices[0]?.message.content).toBe('noted');

    expect(bodies).toHaveLength(1);
    const sent = JSON.stringify(bodies[0]);
    expect(sent).not.toContain('4111');
    expect(sent).not.toContain('anna@example.com');
    expect(bodies[0]).toMatchObject({
      messages: [{ role: 'user', content: 'Refund card [REDACTED:PAYMENT_CARD] and confirm to [REDACTED:EMAIL] please.' }],
    });

    const events = await h.finish();
    expect(events).toHaveLength(1);
    expect(events[0]?.piiRedactions).toEqual({ payment_card: 1, email: 1 });
    expect(JSON.stringify(events[0])).not.toContain('anna@example.com');
  });

  it('a configured default redacts only the listed types; the metric counts by type', async () => {
    const { h, bodies } = await setUp(createStaticRedactionConfigSource({ defaultTypes: ['email'] }));
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: PROMPT }] }),
    });
    expect(response.status).toBe(200);
    const metricsText = await h.metricsText();
    expect(metricsText).toMatch(/switchyard_pii_redactions_total\{type="email"\} 1/);
    expect(metricsText).not.toMatch(/switchyard_pii_redactions_total\{type="payment_card"\}/);
    expect(JSON.stringify(bodies[0])).toContain('4111 1111 1111 1111');
    expect(JSON.stringify(bodies[0])).not.toContain('anna@example.com');
    const events = await h.finish();
    expect(events[0]?.piiRedactions).toEqual({ email: 1 });
  });

  it('per-tenant override: a tenant with redaction off forwards the original text and records no counts', async () => {
    const optedOutTenant = '5e0c3b9a-8f1d-4c2e-9b7a-6d5c4b3a2f10';
    const { h, bodies } = await setUp(createStaticRedactionConfigSource({ tenants: { [optedOutTenant]: [] } }));
    const optedOut = h.keys.add({ tenantId: optedOutTenant });
    const client = new OpenAI({ apiKey: optedOut.secret, baseURL: h.baseUrl, maxRetries: 0 });
    await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: PROMPT }] });
    // Other tenants keep the default (everything redacted).
    const other = new OpenAI({ apiKey: h.secret, baseURL: h.baseUrl, maxRetries: 0 });
    await other.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: PROMPT }] });

    expect(bodies).toMatchObject([{ messages: [{ content: PROMPT }] }, { messages: [{ content: expect.not.stringContaining('4111') as unknown }] }]);
    const events = await h.finish();
    const byTenant = new Map(events.map((e) => [e.tenantId, e]));
    expect(byTenant.get(optedOutTenant)).not.toHaveProperty('piiRedactions');
    expect(byTenant.get(h.record.tenantId)?.piiRedactions).toEqual({ payment_card: 1, email: 1 });
  });
});
