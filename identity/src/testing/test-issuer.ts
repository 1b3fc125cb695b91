import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IssuerUser } from '../oidc-issuer/accounts';
import { CONSOLE_CLIENT_ID } from '../oidc-issuer/constants';
import { startOidcIssuer } from '../oidc-issuer/issuer';
import { loginWithPassword, type LoginResult } from './login-with-password';

export const TEST_REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
export const TEST_ADMIN = { login: 'admin', password: 'admin-test-password', email: 'admin@switchyard.test' } as const;

export interface TestIssuer {
  issuer: string;
  /** Real tokens for the seeded platform admin (`sub: 'admin'`). */
  loginAsAdmin(): Promise<LoginResult>;
  /** Real tokens for one of `extraUsers`. */
  loginAs(user: Pick<IssuerUser, 'login' | 'password'>): Promise<LoginResult>;
  close(): Promise<void>;
}

/** A bundled issuer on a free loopback port with throwaway keys, for tests that need real access tokens. */
export async function startTestIssuer(options: { extraUsers?: IssuerUser[] } = {}): Promise<TestIssuer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sy-test-issuer-'));
  const issuer = await startOidcIssuer({ port: 0, consoleRedirectUris: [TEST_REDIRECT_URI], admin: TEST_ADMIN, extraUsers: options.extraUsers, dataDir });
  const loginAs = (user: Pick<IssuerUser, 'login' | 'password'>) =>
    loginWithPassword({ issuer: issuer.issuer, clientId: CONSOLE_CLIENT_ID, redirectUri: TEST_REDIRECT_URI, login: user.login, password: user.password });
  return {
    issuer: issuer.issuer,
    loginAs,
    loginAsAdmin: () => loginAs(TEST_ADMIN),
    async close() {
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
