import { describe, expect, it } from 'vitest';
import { MAX_SEALED_LENGTH, seal, unseal } from './seal';
import {
  sealLoginState,
  sealSession,
  sessionIsExpired,
  sessionNeedsRefresh,
  unsealLoginState,
  unsealSession,
  type Session,
} from './session';

const SECRET = 'a-test-secret-that-is-at-least-32-characters-long';
const OTHER_SECRET = 'another-secret-that-is-at-least-32-characters-long';

const session: Session = {
  accessToken: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.sig',
  refreshToken: 'refresh-123',
  expiresAt: 1_900_000_000,
  email: 'admin@switchyard.local',
  subject: 'admin',
};

function flipCharacter(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`;
}

describe('session cookie sealing', () => {
  it('round-trips a session', async () => {
    const sealed = await sealSession(session, SECRET);
    expect(await unsealSession(sealed, SECRET)).toEqual(session);
  });

  it('does not reveal the tokens in the cookie value', async () => {
    const sealed = await sealSession(session, SECRET);
    expect(sealed).not.toContain('refresh-123');
    expect(sealed).not.toContain('admin@switchyard.local');
    expect(Buffer.from(sealed.split('.')[2] ?? '', 'base64url').toString('latin1')).not.toContain('refresh-123');
  });

  it('uses a fresh IV every time', async () => {
    expect(await sealSession(session, SECRET)).not.toBe(await sealSession(session, SECRET));
  });

  it('rejects a tampered ciphertext, IV or version', async () => {
    const sealed = await sealSession(session, SECRET);
    const [version, iv, ciphertext] = sealed.split('.') as [string, string, string];
    for (let index = 0; index < ciphertext.length; index += 7) {
      expect(await unsealSession(`${version}.${iv}.${flipCharacter(ciphertext, index)}`, SECRET)).toBeUndefined();
    }
    expect(await unsealSession(`${version}.${flipCharacter(iv, 0)}.${ciphertext}`, SECRET)).toBeUndefined();
    expect(await unsealSession(`v2.${iv}.${ciphertext}`, SECRET)).toBeUndefined();
    expect(await unsealSession(`${sealed}.extra`, SECRET)).toBeUndefined();
  });

  it('rejects a cookie sealed with another secret', async () => {
    expect(await unsealSession(await sealSession(session, OTHER_SECRET), SECRET)).toBeUndefined();
  });

  it('rejects malformed, truncated, empty and oversized input without throwing', async () => {
    const sealed = await sealSession(session, SECRET);
    for (const hostile of ['', 'v1', 'v1..', 'v1.!!!.???', sealed.slice(0, 20), 'x'.repeat(MAX_SEALED_LENGTH + 1), '%00%ff']) {
      expect(await unsealSession(hostile, SECRET)).toBeUndefined();
    }
    expect(await unsealSession(undefined, SECRET)).toBeUndefined();
  });

  it('does not accept a login-state cookie as a session (purpose binding)', async () => {
    const loginState = await sealLoginState({ state: 's', codeVerifier: 'v'.repeat(43), returnTo: '/tenants' }, SECRET);
    expect(await unsealSession(loginState, SECRET)).toBeUndefined();
    // …even when the payload would otherwise decrypt under the login-state purpose.
    expect(await unsealLoginState(loginState, SECRET)).toEqual({ state: 's', codeVerifier: 'v'.repeat(43), returnTo: '/tenants' });
  });

  it('rejects a correctly sealed value that is not a session', async () => {
    expect(await unsealSession(await seal({ accessToken: 42 }, SECRET, 'session'), SECRET)).toBeUndefined();
    expect(await unseal(await seal({ ok: true }, SECRET, 'session'), SECRET, 'session')).toEqual({ ok: true });
  });
});

describe('session expiry', () => {
  it('needs a refresh within the leeway before expiry', () => {
    expect(sessionNeedsRefresh({ ...session, expiresAt: 1000 }, 900, 60)).toBe(false);
    expect(sessionNeedsRefresh({ ...session, expiresAt: 1000 }, 940, 60)).toBe(true);
    expect(sessionNeedsRefresh({ ...session, expiresAt: 1000 }, 1200, 60)).toBe(true);
  });

  it('is expired at and after expiresAt', () => {
    expect(sessionIsExpired({ ...session, expiresAt: 1000 }, 999)).toBe(false);
    expect(sessionIsExpired({ ...session, expiresAt: 1000 }, 1000)).toBe(true);
  });
});
