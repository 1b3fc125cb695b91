import { describe, expect, it } from 'vitest';
import { reconnectDelayMs } from './backoff';
import { apiKeyStatus, formatTimestamp } from './display';
import { decodeJwtPayload } from './oidc';
import { signInErrorMessage, SIGN_IN_ERRORS } from './sign-in-errors';
import { apiKeyNameSchema, firstProblem, tenantInputSchema } from './tenant-input';

describe('reconnectDelayMs', () => {
  it('grows exponentially within jitter bounds and caps', () => {
    expect(reconnectDelayMs(0, () => 0)).toBe(250);
    expect(reconnectDelayMs(0, () => 1)).toBe(500);
    expect(reconnectDelayMs(3, () => 1)).toBe(4000);
    expect(reconnectDelayMs(50, () => 1)).toBe(15_000);
    expect(reconnectDelayMs(50, () => 0)).toBe(7500);
  });

  it('survives nonsense input', () => {
    expect(reconnectDelayMs(Number.NaN, () => 2)).toBe(500);
    expect(reconnectDelayMs(-4, () => -1)).toBe(250);
  });
});

describe('display helpers', () => {
  it('formats timestamps in UTC and dashes for missing ones', () => {
    expect(formatTimestamp('2026-11-26T03:43:04.123Z')).toBe('2026-11-26 03:43:04 UTC');
    expect(formatTimestamp(null)).toBe('—');
    expect(formatTimestamp('garbage')).toBe('—');
  });

  it('derives API key status', () => {
    const now = Date.parse('2026-06-01T00:00:00Z');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: null }, now)).toBe('active');
    expect(apiKeyStatus({ revokedAt: '2026-05-01T00:00:00Z', expiresAt: null }, now)).toBe('revoked');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: '2026-05-31T00:00:00Z' }, now)).toBe('expired');
    expect(apiKeyStatus({ revokedAt: null, expiresAt: '2026-07-01T00:00:00Z' }, now)).toBe('active');
  });
});

describe('decodeJwtPayload', () => {
  it('reads a JWT payload and ignores junk', () => {
    const payload = Buffer.from(JSON.stringify({ email: 'a@b.c' })).toString('base64url');
    expect(decodeJwtPayload(`h.${payload}.s`)).toEqual({ email: 'a@b.c' });
    expect(decodeJwtPayload('opaque-token')).toBeUndefined();
    expect(decodeJwtPayload('h.!!!.s')).toBeUndefined();
    expect(decodeJwtPayload(`h.${Buffer.from('42').toString('base64url')}.s`)).toBeUndefined();
  });
});

describe('sign-in error messages', () => {
  it('maps known codes and hides unknown ones behind a generic message', () => {
    expect(signInErrorMessage('login_expired')).toBe(SIGN_IN_ERRORS.login_expired);
    expect(signInErrorMessage('<script>')).toBe(SIGN_IN_ERRORS.sign_in_failed);
    expect(signInErrorMessage('toString')).toBe(SIGN_IN_ERRORS.sign_in_failed);
    expect(signInErrorMessage(undefined)).toBeUndefined();
    expect(signInErrorMessage(['a', 'b'])).toBeUndefined();
  });
});

describe('form input', () => {
  it('accepts a valid tenant and trims it', () => {
    expect(firstProblem(tenantInputSchema.safeParse({ slug: ' acme-1 ', name: ' Acme ' }))).toEqual({
      ok: true,
      value: { slug: 'acme-1', name: 'Acme' },
    });
  });

  it.each([
    [{ slug: 'a', name: 'x' }, /at least 2/],
    [{ slug: 'A_B', name: 'x' }, /lower-case/],
    [{ slug: 'x'.repeat(41), name: 'x' }, /at most 40/],
    [{ slug: 'ok', name: '   ' }, /Name is required/],
  ])('rejects %j', (input, message) => {
    const result = firstProblem(tenantInputSchema.safeParse(input));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('requires a key name', () => {
    expect(firstProblem(apiKeyNameSchema.safeParse('  ')).ok).toBe(false);
    expect(firstProblem(apiKeyNameSchema.safeParse('backend')).ok).toBe(true);
  });
});
