import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { IssuerUser } from '../oidc-issuer/accounts';
import { CONSOLE_CLIENT_ID, SWITCHYARD_API_RESOURCE } from '../oidc-issuer/constants';
import { startOidcIssuer, type OidcIssuer } from '../oidc-issuer/issuer';
import { loginWithPassword, type LoginResult } from './login-with-password';

export const TEST_REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
export const TEST_ADMIN = { login: 'admin', password: 'admin-test-password', email: 'admin@switchyard.test' } as const;

export interface TestIssuer {
  issuer: string;
  /** Real tokens for the seeded platform admin (`sub: 'admin'`). */
  loginAsAdmin(): Promise<LoginResult>;
  /** Real tokens for one of `extraUsers`. */
  loginAs(user: Pick<IssuerUser, 'login' | 'password'>, options?: { scope?: string }): Promise<LoginResult>;
  /**
   * An access token signed with the issuer's current signing key, shaped like the ones it issues,
   * with chosen claims: for expired, wrong-audience or foreign-tenant cases a login cannot produce.
   */
  mintAccessToken(claims: MintedClaims): Promise<string>;
  /** Key rotation: restarts the issuer on the same URL signing with a new key (new `kid`), the old key still published. */
  rotateSigningKey(): Promise<{ kid: string }>;
  /** `kid` of the key the issuer signs with now. */
  currentKid(): Promise<string>;
  close(): Promise<void>;
}

export interface MintedClaims {
  sub: string;
  aud?: string;
  iss?: string;
  /** Epoch seconds; default in 10 minutes. */
  exp?: number;
  scope?: string;
  [claim: string]: unknown;
}

const JWKS_FILE = 'oidc-jwks.json';

/** A bundled issuer on a free loopback port with throwaway keys, for tests that need real access tokens. */
export async function startTestIssuer(options: { extraUsers?: IssuerUser[] } = {}): Promise<TestIssuer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sy-test-issuer-'));
  const start = (port: number) => startOidcIssuer({ port, consoleRedirectUris: [TEST_REDIRECT_URI], admin: TEST_ADMIN, extraUsers: options.extraUsers, dataDir });
  let issuer: OidcIssuer = await start(0);
  const issuerUrl = issuer.issuer;
  const jwksPath = join(dataDir, JWKS_FILE);
  const readKeys = async () => (JSON.parse(await readFile(jwksPath, 'utf8')) as { keys: (JWK & { kid: string })[] }).keys;
  const signingKey = async (): Promise<{ key: CryptoKey; kid: string }> => {
    const [jwk] = await readKeys();
    if (!jwk) throw new Error('the test issuer has no signing key');
    return { key: (await importJWK(jwk, 'RS256')) as CryptoKey, kid: jwk.kid };
  };
  const loginAs = (user: Pick<IssuerUser, 'login' | 'password'>, login: { scope?: string } = {}) =>
    loginWithPassword({ issuer: issuerUrl, clientId: CONSOLE_CLIENT_ID, redirectUri: TEST_REDIRECT_URI, login: user.login, password: user.password, ...(login.scope ? { scope: login.scope } : {}) });
  return {
    issuer: issuerUrl,
    loginAs,
    loginAsAdmin: () => loginAs(TEST_ADMIN),
    async mintAccessToken({ sub, aud, iss, exp, ...claims }) {
      const { key, kid } = await signingKey();
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid })
        .setIssuer(iss ?? issuerUrl)
        .setAudience(aud ?? SWITCHYARD_API_RESOURCE)
        .setSubject(sub)
        .setIssuedAt(Math.min(now, (exp ?? now + 600) - 60))
        .setExpirationTime(exp ?? now + 600)
        .sign(key);
    },
    async rotateSigningKey() {
      const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
      const kid = randomBytes(8).toString('base64url');
      const fresh = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid };
      await writeFile(jwksPath, JSON.stringify({ keys: [fresh, ...(await readKeys())] }), { mode: 0o600 });
      const port = Number(new URL(issuerUrl).port);
      await issuer.close();
      issuer = await start(port);
      return { kid };
    },
    currentKid: async () => (await signingKey()).kid,
    async close() {
      await issuer.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
