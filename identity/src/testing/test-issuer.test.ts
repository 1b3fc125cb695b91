import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccessTokenVerifier } from '../access-token-verifier';
import { SWITCHYARD_API_RESOURCE } from '../oidc-issuer/constants';
import { startTestIssuer, type TestIssuer } from './test-issuer';

let issuer: TestIssuer;
beforeAll(async () => {
  issuer = await startTestIssuer();
});
afterAll(async () => issuer.close());

describe('test issuer', () => {
  it('mints tokens the issuer would issue, and rotates its signing key on the same URL', async () => {
    const verify = createAccessTokenVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE, jwksCooldownMs: 0 });
    await expect(verify(await issuer.mintAccessToken({ sub: 'u1', roles: ['viewer'] }))).resolves.toMatchObject({ subject: 'u1', roles: ['viewer'] });
    const before = await issuer.currentKid();
    const { kid } = await issuer.rotateSigningKey();
    expect(kid).not.toBe(before);
    expect(await issuer.currentKid()).toBe(kid);
    const login = await issuer.loginAsAdmin();
    const header = JSON.parse(Buffer.from(login.accessToken.split('.')[0] ?? '', 'base64url').toString()) as { kid?: string };
    expect(header.kid).toBe(kid);
    // The verifier cached the old key set; the new kid makes it refetch.
    await expect(verify(login.accessToken)).resolves.toMatchObject({ subject: 'admin' });
  });
});
