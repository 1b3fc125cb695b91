import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../access-token-verifier';
import { LoginFailedError, loginWithPassword } from '../testing/login-with-password';
import { CONSOLE_CLIENT_ID, SWITCHYARD_API_RESOURCE } from './constants';
import Provider from 'oidc-provider';
import { providerContextEnabled, providerRequestContext } from './idle-request-context';
import { startOidcIssuer, type OidcIssuer } from './issuer';

const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const ADMIN = { login: 'admin', password: 'correct horse battery staple', email: 'admin@switchyard.test' };
const TENANT_ADMIN = { sub: 'u-acme', login: 'ada', password: 'acme-secret', email: 'ada@acme.test', roles: ['tenant_admin' as const], tenantId: 'acme-tenant-id' };

let issuer: OidcIssuer;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sy-issuer-test-'));
  issuer = await startOidcIssuer({ port: 0, consoleRedirectUris: [REDIRECT_URI], admin: ADMIN, extraUsers: [TENANT_ADMIN], dataDir });
});

afterAll(async () => {
  await issuer.close();
  await rm(dataDir, { recursive: true, force: true });
});

const login = (credentials: { login: string; password: string }) =>
  loginWithPassword({ issuer: issuer.issuer, clientId: CONSOLE_CLIENT_ID, redirectUri: REDIRECT_URI, ...credentials });

function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const verifier = randomBytes(32).toString('base64url');
  const params: Record<string, string | undefined> = {
    client_id: CONSOLE_CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email roles',
    state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...overrides,
  };
  const defined = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined);
  return `${issuer.issuer}/auth?${new URLSearchParams(defined).toString()}`;
}

async function openLoginForm(): Promise<{ action: string; cookie: string; html: string }> {
  const start = await fetch(authorizeUrl(), { redirect: 'manual' });
  expect(start.status).toBe(303);
  const cookie = start.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const formUrl = new URL(start.headers.get('location') ?? '', issuer.issuer).toString();
  const page = await fetch(formUrl, { headers: { cookie } });
  const html = await page.text();
  const action = /action="([^"]+)"/.exec(html)?.[1];
  return { action: new URL(action ?? '', formUrl).toString(), cookie, html };
}

describe('bundled OIDC issuer', () => {
  it('signs the seeded admin in through the real code + PKCE flow and issues an RFC 9068 access token', async () => {
    const tokens = await login(ADMIN);
    expect(decodeProtectedHeader(tokens.accessToken).typ).toBe('at+jwt');
    const claims = decodeJwt(tokens.accessToken);
    expect(claims).toMatchObject({ iss: issuer.issuer, aud: SWITCHYARD_API_RESOURCE, sub: 'admin', email: ADMIN.email, roles: ['platform_admin'], client_id: CONSOLE_CLIENT_ID });
    expect(claims).not.toHaveProperty('tid');
    expect(decodeJwt(tokens.idToken)).toMatchObject({ aud: CONSOLE_CLIENT_ID, sub: 'admin', email: ADMIN.email, roles: ['platform_admin'] });
    expect(tokens.refreshToken).toBeTruthy();
  });

  it("switches oidc-provider's request context (and with it Node 20's promise hooks) off between requests, never during one", async () => {
    // Concurrent sign-ins overlap their requests: each must still complete with its own context.
    const [admin, tenantAdmin] = await Promise.all([login(ADMIN), login(TENANT_ADMIN), login(ADMIN)]);
    expect(decodeJwt(admin?.accessToken ?? '')).toMatchObject({ sub: 'admin' });
    expect(decodeJwt(tenantAdmin?.accessToken ?? '')).toMatchObject({ sub: TENANT_ADMIN.sub, tid: TENANT_ADMIN.tenantId });
    // A response's close is emitted just after the client has the last byte.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await providerContextEnabled()).toBe(false);
    // And it is the storage oidc-provider reads its context from (not another instance of the module).
    const context = await providerRequestContext();
    const marker = { request: 'marker' };
    expect(context.run(marker, () => (Provider as unknown as { ctx: unknown }).ctx)).toBe(marker);
    context.disable();
  });

  it('serves the console exactly as it asks: explicit resource, profile scope, refresh for the API', async () => {
    const tokens = await loginWithPassword({
      issuer: issuer.issuer,
      clientId: CONSOLE_CLIENT_ID,
      redirectUri: REDIRECT_URI,
      ...ADMIN,
      scope: 'openid email profile offline_access',
      resource: SWITCHYARD_API_RESOURCE,
    });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ aud: SWITCHYARD_API_RESOURCE, roles: ['platform_admin'], email: ADMIN.email });
    expect(decodeJwt(tokens.idToken)).toMatchObject({ preferred_username: 'admin' });

    const refreshed = await fetch(`${issuer.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken ?? '', client_id: CONSOLE_CLIENT_ID, resource: SWITCHYARD_API_RESOURCE }).toString(),
    });
    expect(refreshed.status).toBe(200);
    const body = (await refreshed.json()) as { access_token: string };
    expect(decodeProtectedHeader(body.access_token).typ).toBe('at+jwt');
    expect(decodeJwt(body.access_token)).toMatchObject({ aud: SWITCHYARD_API_RESOURCE, sub: 'admin', roles: ['platform_admin'] });
  });

  it('accepts the email as login and puts the tenant into tid for tenant users', async () => {
    const tokens = await login({ login: TENANT_ADMIN.email.toUpperCase(), password: TENANT_ADMIN.password });
    expect(decodeJwt(tokens.accessToken)).toMatchObject({ sub: 'u-acme', tid: 'acme-tenant-id', roles: ['tenant_admin'] });
  });

  it('serves a self-contained login form with the expected fields', async () => {
    const { html } = await openLoginForm();
    expect(html).toContain('name="login"');
    expect(html).toContain('name="password"');
    expect(html).toContain('<button type="submit">Sign in</button>');
    expect(html).not.toMatch(/<script|<link|@import|https?:\/\//i);
  });

  it('re-renders the form with an error on a wrong password and issues nothing', async () => {
    const { action, cookie } = await openLoginForm();
    const response = await fetch(action, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: 'admin', password: 'wrong' }).toString(),
    });
    expect(response.status).toBe(401);
    const html = await response.text();
    expect(html).toContain('Wrong username or password');
    expect(html).toContain('name="password"');
    expect(html).toContain('value="admin"');
    await expect(login({ login: 'admin', password: 'wrong' })).rejects.toBeInstanceOf(LoginFailedError);
    await expect(login({ login: 'nobody', password: ADMIN.password })).rejects.toBeInstanceOf(LoginFailedError);
  });

  it('throttles password guessing per login', async () => {
    const attempt = async (login: string, password: string) => {
      const { action, cookie } = await openLoginForm();
      return fetch(action, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ login, password }).toString(),
      });
    };
    for (let i = 0; i < 10; i += 1) expect((await attempt('guessed-user', `guess-${i}`)).status).toBe(401);
    const refused = await attempt('GUESSED-USER', 'guess-10');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.text()).toContain('Too many failed attempts');
    // Other logins are unaffected.
    expect((await attempt(ADMIN.login, ADMIN.password)).status).toBe(303);
  });

  it('escapes hostile input echoed into the form', async () => {
    const { action, cookie } = await openLoginForm();
    const response = await fetch(action, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ login: '"><script>alert(1)</script>', password: 'x' }).toString(),
    });
    const html = await response.text();
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#34;&#62;&#60;script&#62;');
  });

  it('refuses an oversized login form', async () => {
    const { action, cookie } = await openLoginForm();
    const response = await fetch(action, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `login=admin&password=${'x'.repeat(20_000)}`,
    });
    expect(response.status).toBe(413);
  });

  it('requires PKCE and refuses unknown redirect URIs and resources', async () => {
    const noPkce = await fetch(authorizeUrl({ code_challenge: undefined, code_challenge_method: undefined }), { redirect: 'manual' });
    expect(new URL(noPkce.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');

    const badRedirect = await fetch(authorizeUrl({ redirect_uri: 'http://evil.test/cb' }), { redirect: 'manual' });
    expect(badRedirect.status).toBe(400);
    expect(await badRedirect.text()).not.toMatch(/https?:\/\/fonts/);

    const badResource = await fetch(authorizeUrl({ resource: 'urn:other:api' }), { redirect: 'manual' });
    expect(new URL(badResource.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_target');
  });

  it('signs out back to the console, and only to a registered post-logout URI', async () => {
    const endSession = (target: string) => fetch(`${issuer.issuer}/session/end?client_id=${CONSOLE_CLIENT_ID}&post_logout_redirect_uri=${encodeURIComponent(target)}`);
    const page = await endSession('http://127.0.0.1:3000/');
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const html = await page.text();
    const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const confirm = await fetch(new URL(action, issuer.issuer), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
    });
    expect(confirm.status).toBe(303);
    expect(confirm.headers.get('location')).toBe('http://127.0.0.1:3000/');

    const evil = await endSession('http://evil.test/');
    expect(evil.status).toBe(400);
  });

  it('keeps its signing keys in the data dir, so tokens verify after a restart', async () => {
    const restartDir = await mkdtemp(join(tmpdir(), 'sy-issuer-restart-'));
    try {
      const first = await startOidcIssuer({ port: 0, consoleRedirectUris: [REDIRECT_URI], admin: ADMIN, dataDir: restartDir });
      const { accessToken } = await loginWithPassword({ issuer: first.issuer, clientId: CONSOLE_CLIENT_ID, redirectUri: REDIRECT_URI, ...ADMIN });
      const port = Number(new URL(first.issuer).port);
      const jwksBefore = await readFile(join(restartDir, 'oidc-jwks.json'), 'utf8');
      await first.close();

      const second = await startOidcIssuer({ port, consoleRedirectUris: [REDIRECT_URI], admin: ADMIN, dataDir: restartDir });
      try {
        expect(await readFile(join(restartDir, 'oidc-jwks.json'), 'utf8')).toBe(jwksBefore);
        const verify = createAccessTokenVerifier({ issuer: second.issuer, audience: SWITCHYARD_API_RESOURCE });
        await expect(verify(accessToken)).resolves.toMatchObject({ subject: 'admin' });
      } finally {
        await second.close();
      }
    } finally {
      await rm(restartDir, { recursive: true, force: true });
    }
  });
});
