import { describe, expect, it } from 'vitest';
import { generateApiKeySecret, hashApiKeySecret, looksLikeApiKeySecret } from './api-key-secret';

describe('api key secrets', () => {
  it('are unique, recognisable, and stored only as a hash', () => {
    const a = generateApiKeySecret();
    const b = generateApiKeySecret();
    expect(a.secret).not.toEqual(b.secret);
    expect(looksLikeApiKeySecret(a.secret)).toBe(true);
    expect(looksLikeApiKeySecret('sk-other')).toBe(false);
    expect(a.hash).toEqual(hashApiKeySecret(a.secret));
    expect(a.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.secret.startsWith(a.prefix)).toBe(true);
    expect(a.hash).not.toContain(a.secret);
  });
});
