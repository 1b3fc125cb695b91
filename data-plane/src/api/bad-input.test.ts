import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

/**
 * Every way a client can get a request wrong: the right status and stable code, the OpenAI
 * error shape, and nothing written to the usage stream.
 */
let h: Harness;
afterEach(async () => {
  const events = await h.finish();
  expect(events, 'rejected requests must not produce usage events').toEqual([]);
});

const messages = [{ role: 'user', content: 'hi' }];

interface Case {
  name: string;
  status: number;
  code: string;
  param?: string | null;
  body?: string;
  headers?: Record<string, string | undefined>;
  /** Adjust the harness's key store before the call (e.g. revoke the key). */
  prepare?: (h: Harness) => void;
}

const cases: Case[] = [
  { name: 'malformed JSON', status: 400, code: 'invalid_json', body: '{"model": "mock-gpt", "messages": [' },
  { name: 'empty body', status: 400, code: 'invalid_json', body: '' },
  { name: 'JSON that is not an object', status: 400, code: 'invalid_request', body: '[1,2,3]' },
  { name: 'wrong content type', status: 415, code: 'unsupported_media_type', headers: { 'content-type': 'text/plain' } },
  { name: 'no content type', status: 415, code: 'unsupported_media_type', headers: { 'content-type': undefined } },
  { name: 'messages is a string', status: 400, code: 'invalid_request', param: 'messages', body: JSON.stringify({ model: 'mock-gpt', messages: 'x' }) },
  { name: 'messages empty', status: 400, code: 'invalid_request', param: 'messages', body: JSON.stringify({ model: 'mock-gpt', messages: [] }) },
  { name: 'missing model', status: 400, code: 'invalid_request', param: 'model', body: JSON.stringify({ messages }) },
  {
    name: 'temperature is a word',
    status: 400,
    code: 'invalid_request',
    param: 'temperature',
    body: JSON.stringify({ model: 'mock-gpt', messages, temperature: 'hot' }),
  },
  { name: 'temperature out of range', status: 400, code: 'invalid_request', param: 'temperature', body: JSON.stringify({ model: 'mock-gpt', messages, temperature: 9 }) },
  { name: 'n negative', status: 400, code: 'invalid_request', param: 'n', body: JSON.stringify({ model: 'mock-gpt', messages, n: -1 }) },
  { name: 'stream is a string', status: 400, code: 'invalid_request', param: 'stream', body: JSON.stringify({ model: 'mock-gpt', messages, stream: 'yes' }) },
  {
    name: 'bad role deep in messages',
    status: 400,
    code: 'invalid_request',
    param: 'messages[0].role',
    body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'wizard', content: 'hi' }] }),
  },
  {
    name: 'max_tokens zero',
    status: 400,
    code: 'invalid_request',
    param: 'max_tokens',
    body: JSON.stringify({ model: 'mock-gpt', messages, max_tokens: 0 }),
  },
  { name: 'missing API key', status: 401, code: 'missing_api_key', headers: { authorization: undefined } },
  { name: 'not a bearer token', status: 401, code: 'missing_api_key', headers: { authorization: 'Basic dXNlcjpwYXNz' } },
  { name: 'unknown API key', status: 401, code: 'invalid_api_key', headers: { authorization: `Bearer sk-sy-${'A'.repeat(43)}` } },
  { name: 'not our key format', status: 401, code: 'invalid_api_key', headers: { authorization: 'Bearer sk-proj-something' } },
  { name: 'absurdly long key', status: 401, code: 'invalid_api_key', headers: { authorization: `Bearer sk-sy-${'x'.repeat(10_000)}` } },
  {
    name: 'revoked API key',
    status: 401,
    code: 'api_key_revoked',
    prepare: (h) => {
      h.record.revokedAt = new Date(Date.now() - 1_000);
    },
  },
  {
    name: 'expired API key',
    status: 401,
    code: 'invalid_api_key',
    prepare: (h) => {
      h.record.expiresAt = new Date(Date.now() - 1_000);
    },
  },
  { name: 'unknown model', status: 404, code: 'model_not_found', param: 'model', body: JSON.stringify({ model: 'gpt-does-not-exist', messages }) },
  { name: 'hostile model name', status: 404, code: 'model_not_found', param: 'model', body: JSON.stringify({ model: '../../etc/passwd\u0000<script>', messages }) },
];

describe('bad input is rejected with a stable code and no usage event', () => {
  it.each(cases)('$name → $status $code', async (testCase) => {
    h = await startHarness();
    testCase.prepare?.(h);
    const headers: Record<string, string> = {};
    const merged = { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json', ...testCase.headers };
    for (const [name, value] of Object.entries(merged)) if (value !== undefined) headers[name] = value;
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers,
      body: testCase.body ?? JSON.stringify({ model: 'mock-gpt', messages }),
    });
    expect(response.status).toBe(testCase.status);
    const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string } };
    expect(body.error.code).toBe(testCase.code);
    expect(typeof body.error.message).toBe('string');
    expect(typeof body.error.type).toBe('string');
    if (testCase.param !== undefined) expect(body.error.param).toBe(testCase.param);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('a body over the limit is refused with 413 without reading it all', async () => {
    h = await startHarness({ maxBodyBytes: 1_024 });
    const big = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'x'.repeat(10_000) }] });
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
      body: big,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('a chunked body with no Content-Length is cut off at the limit too', async () => {
    h = await startHarness({ maxBodyBytes: 1_024 });
    const url = new URL(`${h.baseUrl}/chat/completions`);
    const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' } },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // Stream more than the limit in small pieces, never announcing a length.
      let sent = 0;
      const pump = (): void => {
        while (sent < 64 * 1024) {
          sent += 512;
          if (!req.write('x'.repeat(512))) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      req.on('error', () => undefined);
      pump();
    });
    expect(result.status).toBe(413);
    expect(result.body).toContain('request_too_large');
  });

  it('a rate-limited key gets 429 with Retry-After; the refused request writes no usage event', async () => {
    h = await startHarness({ requestsPerMinutePerKey: 2 });
    const call = (): Promise<Response> =>
      fetch(`${h.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock-gpt', messages }),
      });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
    });
    // A different key is unaffected.
    const other = h.keys.add();
    const otherResponse = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${other.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages }),
    });
    expect(otherResponse.status).toBe(200);
    const events = await h.finish();
    expect(events).toHaveLength(3);
    h = await startHarness(); // the afterEach check needs a clean harness
  });

  it('invalid requests do not spend rate-limit budget', async () => {
    h = await startHarness({ requestsPerMinutePerKey: 1 });
    const send = (body: unknown): Promise<Response> =>
      fetch(`${h.baseUrl}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (let i = 0; i < 3; i++) expect((await send({ model: 'mock-gpt', messages: 'x' })).status).toBe(400);
    expect((await send({ model: 'nope', messages })).status).toBe(404);
    expect((await send({ model: 'mock-gpt', messages })).status).toBe(200);
    expect((await h.finish())).toHaveLength(1);
    h = await startHarness();
  });

  it('GET /v1/models needs a valid key too', async () => {
    h = await startHarness();
    const response = await fetch(`${h.baseUrl}/models`);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
  });
});
