import { describe, expect, it } from 'vitest';
import { createProviderRegistry } from './provider-registry';

describe('provider registry', () => {
  it('refuses a real upstream without an explicit base URL (no built-in default leaves the machine)', () => {
    for (const kind of ['openai-compatible', 'anthropic'] as const) {
      expect(() => createProviderRegistry([{ name: 'p', kind, models: ['m'] }])).toThrow(`provider p: baseUrl is required for kind ${kind}`);
    }
  });

  it('serves each model from the first provider listing it', () => {
    const registry = createProviderRegistry([
      { name: 'first', kind: 'mock', models: ['mock-gpt'] },
      { name: 'second', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9/v1', models: ['mock-gpt', 'other'] },
    ]);
    expect(registry.route('mock-gpt')?.adapter.name).toBe('first');
    expect(registry.route('other')?.adapter.name).toBe('second');
    expect(registry.route('missing')).toBeUndefined();
  });
});
