import { describe, expect, it } from 'vitest';
import { DEFAULT_RETURN_TO, loginPath, sanitizeReturnTo } from './return-to';

describe('sanitizeReturnTo', () => {
  it('keeps same-origin console paths', () => {
    expect(sanitizeReturnTo('/tenants/acme/cost?x=1')).toBe('/tenants/acme/cost?x=1');
  });

  it.each([
    null,
    undefined,
    '',
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    'javascript:alert(1)',
    '/tenants\nSet-Cookie: x',
    '/auth/logout',
    '/api/session/token',
    `/${'a'.repeat(600)}`,
  ])('replaces %j with the default', (hostile) => {
    expect(sanitizeReturnTo(hostile)).toBe(DEFAULT_RETURN_TO);
  });

  it('builds an encoded login path', () => {
    expect(loginPath('/tenants/a b')).toBe('/auth/login?returnTo=%2Ftenants%2Fa%20b');
    expect(loginPath('https://evil.example')).toBe('/auth/login?returnTo=%2Ftenants');
  });
});
