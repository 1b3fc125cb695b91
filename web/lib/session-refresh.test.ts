import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from './session';

// A hand-rolled fake rather than vi.fn: the spy's own bookkeeping of rejected promises is
// reported as an unhandled rejection, which would hide what these tests check.
type Refresh = (session: Session) => Promise<Session>;
const fake = { calls: 0, queue: [] as Refresh[], fallback: (async () => Promise.reject(new Error('unexpected refresh'))) as Refresh };
const refreshTokens = {
  mockReset() {
    fake.calls = 0;
    fake.queue = [];
    fake.fallback = () => Promise.reject(new Error('unexpected refresh'));
  },
  mockResolvedValue(value: Session) {
    fake.fallback = () => Promise.resolve(value);
  },
  mockReturnValue(value: Promise<Session>) {
    fake.fallback = () => value;
  },
  mockImplementation(implementation: Refresh) {
    fake.fallback = implementation;
  },
  mockRejectedValueOnce(error: Error) {
    fake.queue.push(() => Promise.reject(error));
  },
  mockResolvedValueOnce(value: Session) {
    fake.queue.push(() => Promise.resolve(value));
  },
};
vi.mock('./oidc', () => ({
  refreshTokens: (session: Session) => {
    fake.calls += 1;
    return (fake.queue.shift() ?? fake.fallback)(session);
  },
}));

const { ensureFreshSession } = await import('./session-refresh');

const now = () => Math.floor(Date.now() / 1000);
const base = (overrides: Partial<Session> = {}): Session => ({
  accessToken: 'old-access',
  refreshToken: `refresh-${Math.random()}`,
  expiresAt: now() + 3600,
  email: 'a@b.c',
  subject: 'admin',
  ...overrides,
});

describe('ensureFreshSession', () => {
  beforeEach(() => refreshTokens.mockReset());

  it('reports signed-out without a session', async () => {
    expect(await ensureFreshSession(undefined)).toEqual({ status: 'signed-out' });
  });

  it('leaves a token with plenty of life alone', async () => {
    const session = base();
    expect(await ensureFreshSession(session)).toEqual({ status: 'valid', session });
    expect(fake.calls).toBe(0);
  });

  it('refreshes a token close to expiry', async () => {
    const session = base({ expiresAt: now() + 10 });
    refreshTokens.mockResolvedValue({ ...session, accessToken: 'new-access', expiresAt: now() + 3600 });
    const fresh = await ensureFreshSession(session);
    expect(fresh.status).toBe('refreshed');
    if (fresh.status === 'refreshed') expect(fresh.session.accessToken).toBe('new-access');
  });

  it('shares one refresh between concurrent requests carrying the same cookie', async () => {
    const session = base({ expiresAt: now() + 10 });
    let release: (value: Session) => void = () => undefined;
    refreshTokens.mockReturnValue(new Promise((resolve) => (release = resolve)));
    const pending = Array.from({ length: 5 }, () => ensureFreshSession(session));
    release({ ...session, accessToken: 'new-access', refreshToken: 'rotated' });
    const results = await Promise.all(pending);
    expect(fake.calls).toBe(1);
    expect(results.every((result) => result.status === 'refreshed' && result.session.refreshToken === 'rotated')).toBe(true);
    // A late request with the old cookie gets the same rotated tokens instead of reusing the old refresh token.
    const late = await ensureFreshSession(session);
    expect(fake.calls).toBe(1);
    expect(late.status === 'refreshed' && late.session.refreshToken).toBe('rotated');
  });

  it('keeps a still-valid token when the refresh fails, and retries next time', async () => {
    const session = base({ expiresAt: now() + 10 });
    refreshTokens.mockRejectedValueOnce(new Error('issuer down'));
    expect(await ensureFreshSession(session)).toEqual({ status: 'valid', session });
    refreshTokens.mockResolvedValueOnce({ ...session, accessToken: 'new-access' });
    expect((await ensureFreshSession(session)).status).toBe('refreshed');
    expect(fake.calls).toBe(2);
  });

  it('signs out when the token has expired and cannot be refreshed', async () => {
    const expired = base({ expiresAt: now() - 1 });
    refreshTokens.mockImplementation(() => Promise.reject(new Error('invalid_grant')));
    expect(await ensureFreshSession(expired)).toEqual({ status: 'signed-out' });
    const { refreshToken: _omitted, ...withoutRefresh } = expired;
    expect(await ensureFreshSession(withoutRefresh)).toEqual({ status: 'signed-out' });
  });
});
