import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../test-support/data-plane-harness';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

describe('API key scopes', () => {
  it.each([[[]], [['admin']], [['Inference']]])('a key with scopes %j is refused 403 insufficient_scope before any provider call', async (scopes) => {
    const h = await startHarness();
    harnesses.push(h);
    const key = h.keys.add({ scopes });
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'insufficient_scope', type: 'permission_error' } });
    expect(await h.finish()).toEqual([]);
  });

  it('a key with the inference scope is served', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const key = h.keys.add({ scopes: ['inference'] });
    const response = await fetch(`${h.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
  });
});

describe('scopes on every endpoint', () => {
  it('a key without the inference scope may neither list models nor send feedback', async () => {
    const h = await startHarness();
    harnesses.push(h);
    const key = h.keys.add({ scopes: ['admin:read'] });
    const auth = { authorization: `Bearer ${key.secret}` };
    const models = await fetch(`${h.baseUrl}/models`, { headers: auth });
    const feedback = await fetch(`${h.baseUrl}/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ request_id: 'r', score: 1 }) });
    for (const response of [models, feedback]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toMatchObject({ error: { code: 'insufficient_scope' } });
    }
    expect((await fetch(`${h.baseUrl}/models`, { headers: { authorization: `Bearer ${h.secret}` } })).status).toBe(200);
  });
});
