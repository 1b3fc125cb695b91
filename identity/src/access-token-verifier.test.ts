import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenClaimsVerifier, createAccessTokenVerifier, IdentityProviderUnavailableError, InvalidAccessTokenError } from './access-token-verifier';
import { CONSOLE_CLIENT_ID, SWITCHYARD_API_RESOURCE } from './oidc-issuer/constants';
import { startOidcIssuer, type OidcIssuer } from './oidc-issuer/issuer';
import { loginWithPassword, type LoginResult } from './testing/login-with-password';

const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const ADMIN = { login: 'admin', password: 'pw-for-tests', email: 'admin@switchyard.test' };

let issuer: OidcIssuer;
let dataDir: string;
let tokens: LoginResult;
let issuerKey: { key: CryptoKey; kid: string };

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sy-verifier-test-'));
  issuer = await startOidcIssuer({ port: 0, consoleRedirectUris: [REDIRECT_URI], admin: ADMIN, dataDir });
  tokens = await loginWithPassword({ issuer: issuer.issuer, clientId: CONSOLE_CLIENT_ID, redirectUri: REDIRECT_URI, ...ADMIN });
  // The issuer's own private key, to mint tokens that are validly signed but wrong in one claim.
  const jwks = JSON.parse(await readFile(join(dataDir, 'oidc-jwks.json'), 'utf8')) as { keys: (JWK & { kid: string })[] };
  const jwk = jwks.keys[0];
  if (!jwk) throw new Error('no key persisted');
  issuerKey = { key: (await importJWK(jwk, 'RS256')) as CryptoKey, kid: jwk.kid };
});

afterAll(async () => {
  await issuer.close();
  await rm(dataDir, { recursive: true, force: true });
});

function mint(overrides: { aud?: string; iss?: string; exp?: number; typ?: string; claims?: Record<string, unknown> } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['platform_admin'], email: 'admin@switchyard.test', ...overrides.claims })
    .setProtectedHeader({ alg: 'RS256', typ: overrides.typ ?? 'at+jwt', kid: issuerKey.kid })
    .setIssuer(overrides.iss ?? issuer.issuer)
    .setAudience(overrides.aud ?? SWITCHYARD_API_RESOURCE)
    .setSubject('admin')
    .setIssuedAt(now - 7200)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(issuerKey.key);
}

describe('access token verifier', () => {
  const verifier = () => createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE });

  it('accepts a real access token from the issuer and maps it to a principal', async () => {
    await expect(verifier()(tokens.accessToken)).resolves.toEqual({
      subject: 'admin',
      email: ADMIN.email,
      tenantId: null,
      roles: ['platform_admin'],
      service: 'oidc',
    });
  });

  it('maps tid to tenantId and drops roles it does not know', async () => {
    const token = await mint({ claims: { tid: 'tenant-1', roles: ['viewer', 'root'] } });
    await expect(verifier()(token)).resolves.toMatchObject({ tenantId: 'tenant-1', roles: ['viewer'] });
  });

  it('rejects a tampered token', async () => {
    const [header, payload, signature] = tokens.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, tid: 'someone-else', roles: ['platform_admin'] })).toString('base64url');
    await expect(verifier()(`${header}.${forged}.${signature}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/signature/) });
  });

  it('rejects an expired token', async () => {
    const token = await mint({ exp: Math.floor(Date.now() / 1000) - 60 });
    await expect(verifier()(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/expired/) });
  });

  it('rejects a token for another audience or from another issuer', async () => {
    await expect(verifier()(await mint({ aud: 'urn:other:api' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/aud/) });
    await expect(verifier()(await mint({ iss: 'http://127.0.0.1:1' }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/iss/) });
    const other = createAccessTokenVerifier({ issuer: issuer.issuer, audience: 'urn:other:api' });
    await expect(other(tokens.accessToken)).rejects.toBeInstanceOf(InvalidAccessTokenError);
  });

  it('rejects an ID token presented as an access token', async () => {
    await expect(verifier()(tokens.idToken)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('rejects a token signed by a key the issuer does not publish, and unsigned or garbage tokens', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ roles: ['platform_admin'] })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: issuerKey.kid })
      .setIssuer(issuer.issuer)
      .setAudience(SWITCHYARD_API_RESOURCE)
      .setSubject('admin')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(verifier()(foreign)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    const [, payload] = tokens.accessToken.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString('base64url')}.${payload}.`;
    await expect(verifier()(unsigned)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier()('')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier()('not-a-jwt')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier()('a.b.c')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier()('x'.repeat(100_000))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('says why a token was refused, for callers with their own error codes', async () => {
    const [header, payload, signature] = tokens.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone' })).toString('base64url')}.${signature}`;
    const cases: Array<[string, string]> = [
      [await mint({ exp: Math.floor(Date.now() / 1000) - 60 }), 'expired'],
      [await mint({ aud: 'urn:other:api' }), 'wrong_audience'],
      [await mint({ iss: 'http://127.0.0.1:1' }), 'wrong_issuer'],
      [forged, 'bad_signature'],
      ['a.b.c', 'malformed'],
      ['', 'missing'],
    ];
    for (const [token, reason] of cases) await expect(verifier()(token)).rejects.toMatchObject({ reason });
  });

  it('returns the scope claim and every claim next to the principal', async () => {
    const verify = createAccessTokenClaimsVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE });
    const token = await mint({ claims: { scope: 'openid inference  extra', org: 'acme' } });
    await expect(verify(token)).resolves.toMatchObject({ principal: { subject: 'admin' }, scopes: ['openid', 'inference', 'extra'], claims: { org: 'acme' } });
    const inferenceLogin = await loginWithPassword({ issuer: issuer.issuer, clientId: CONSOLE_CLIENT_ID, redirectUri: REDIRECT_URI, ...ADMIN, scope: 'openid email inference' });
    expect((await verify(inferenceLogin.accessToken)).scopes).toContain('inference');
  });

  it('remembers verified tokens when asked, never past their expiry', async () => {
    let now = Date.now();
    const verify = createAccessTokenClaimsVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE, verifiedCacheSize: 10, now: () => now });
    const exp = Math.floor(now / 1000) + 120;
    const token = await mint({ exp });
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    // Past exp (and the tolerance) the cached answer is dropped and the full check says why.
    now = exp * 1000 + 10_000;
    await expect(verify(token)).rejects.toMatchObject({ reason: 'expired' });
    // A tampered copy is a different string: never served from the cache.
    now = Date.now();
    const fresh = await mint();
    await verify(fresh);
    const [header, payload] = fresh.split('.');
    await expect(verify(`${header}.${payload}.${'A'.repeat(342)}`)).rejects.toMatchObject({ reason: 'bad_signature' });
  });

  it('reports an unreachable issuer as unavailable, not as a bad token', async () => {
    const down = createAccessTokenVerifier({ issuer: 'http://127.0.0.1:1', audience: SWITCHYARD_API_RESOURCE });
    await expect(down(tokens.accessToken)).rejects.toBeInstanceOf(IdentityProviderUnavailableError);
  });
});

describe('key rotation', () => {
  let server: Server;
  let published: JWK[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      fetches += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function newKey(kid: string) {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } };
  }
  const sign = (key: { kid: string; privateKey: CryptoKey }) =>
    new SignJWT({ roles: ['viewer'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
      .setIssuer('http://rotating.test')
      .setAudience(SWITCHYARD_API_RESOURCE)
      .setSubject('u1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key.privateKey);

  it('keeps the key set cached and refetches it when a token names an unknown kid', async () => {
    const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
    const verify = createAccessTokenVerifier({ issuer: 'http://rotating.test', audience: SWITCHYARD_API_RESOURCE, jwksUri, jwksCooldownMs: 0 });
    const first = await newKey('k1');
    published = [first.jwk];
    await verify(await sign(first));
    await verify(await sign(first));
    expect(fetches).toBe(1);

    const second = await newKey('k2');
    published = [first.jwk, second.jwk];
    await expect(verify(await sign(second))).resolves.toMatchObject({ subject: 'u1', roles: ['viewer'] });
    expect(fetches).toBe(2);
  });
});
