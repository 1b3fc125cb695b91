import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

/** fetch folds repeated headers into one; node:http sends each value of an array as its own header line. */
function send(h: Harness, path: string, authorization: string[], body?: unknown): Promise<{ status: number; body: { error?: { code: string; type: string } } }> {
  const url = new URL(`${h.baseUrl}${path}`);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: payload === undefined ? 'GET' : 'POST',
        // Raw header list: one line per name/value pair (Node adds no Host to a raw list).
        headers: ['host', url.host, ...authorization.flatMap((value) => ['authorization', value]), ...(payload === undefined ? [] : ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))])],
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as { error?: { code: string; type: string } } }));
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

describe('duplicate Authorization headers', () => {
  it('are refused with 400 duplicate_authorization on every authenticated endpoint, whichever comes first, before any key is used', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const other = h.keys.add();
    const chat = { model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] };
    const lookupsBefore = h.keys.lookups;
    for (const values of [
      [`Bearer ${h.secret}`, 'Bearer sk-sy-forged'],
      ['Bearer sk-sy-forged', `Bearer ${h.secret}`],
      [`Bearer ${h.secret}`, `Bearer ${other.secret}`],
      [`Bearer ${h.secret}`, `Bearer ${h.secret}`],
    ]) {
      const answer = await send(h, '/chat/completions', values, chat);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({ code: 'duplicate_authorization', type: 'invalid_request_error' });
      expect((await send(h, '/models', values)).body.error?.code).toBe('duplicate_authorization');
      expect((await send(h, '/feedback', values, { request_id: 'x', score: 1 })).body.error?.code).toBe('duplicate_authorization');
    }
    // No key was even looked up for the refused requests.
    expect(h.keys.lookups).toBe(lookupsBefore);
    // One header still works.
    expect((await send(h, '/chat/completions', [`Bearer ${h.secret}`], chat)).status).toBe(200);
    // Nothing was served for the refused requests.
    expect(await h.finish()).toHaveLength(1);
  });
});
