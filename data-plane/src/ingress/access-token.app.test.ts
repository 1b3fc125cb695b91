import { randomUUID } from 'node:crypto';
import { createAccessTokenClaimsVerifier, createCachedMembershipDirectory, SWITCHYARD_API_RESOURCE, type MembershipStore } from '@switchyard/identity';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness, type HarnessOptions } from '../test-support/data-plane-harness';
import { DEFAULT_TOKEN_SCOPE_MAP, TENANT_HEADER } from './access-token';

// Real tokens from the bundled OIDC issuer (oidc-provider on port 0) against the data plane.
const TENANT_A = randomUUID();
const TENANT_B = randomUUID();
const ALICE = { sub: 'alice', login: 'alice', password: 'alice-password', email: 'alice@example.test', roles: [] };
const MALLORY = { sub: 'mallory', login: 'mallory', password: 'mallory-password', email: 'mallory@example.test', roles: [] };
const INFERENCE_LOGIN = { scope: 'openid email inference' };

let issuer: TestIssuer;
const members: Record<string, Array<{ tenantId: string; role: string }>> = { alice: [{ tenantId: TENANT_A, role: 'operator' }] };
const memberStore: MembershipStore = { resolveMemberships: async (subject) => members[subject] ?? [] };
const harnesses: Harness[] = [];

beforeAll(async () => {
  issuer = await startTestIssuer({ extraUsers: [ALICE, MALLORY] });
});
afterAll(async () => issuer.close());
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.finish()));
});

async function start(overrides: Partial<NonNullable<HarnessOptions['accessTokens']>> = {}): Promise<Harness> {
  const h = await startHarness({
    accessTokens: {
      verify: createAccessTokenClaimsVerifier({ issuer: issuer.issuer, audience: SWITCHYARD_API_RESOURCE, jwksCooldownMs: 0 }),
      memberships: createCachedMembershipDirectory(memberStore),
      scopeMap: DEFAULT_TOKEN_SCOPE_MAP,
      ...overrides,
    },
  });
  harnesses.push(h);
  return h;
}

function chat(h: Harness, token: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hi' }] }),
  });
}

async function errorOf(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { error: { code: string; message: string } };
  return { status: response.status, code: body.error.code, message: body.error.message };
}

describe('OIDC access tokens on the data plane', () => {
  it('serves a member with a real token: tenant from the members table, scopes from the scope claim, no API key on the usage event', async () => {
    const h = await start();
    const { accessToken } = await issuer.loginAs(ALICE, INFERENCE_LOGIN);
    const client = new OpenAI({ apiKey: accessToken, baseURL: h.baseUrl, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'mock-gpt', messages: [{ role: 'user', content: 'hello' }] });
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect((await client.models.list()).data.map((model) => model.id)).toContain('mock-gpt');
    // API keys keep working next to tokens.
    expect((await chat(h, h.secret)).status).toBe(200);
    const events = await h.finish();
    expect(events.map((event) => [event.tenantId, event.apiKeyId])).toEqual(
      expect.arrayContaining([
        [TENANT_A, null],
        [h.record.tenantId, h.record.id],
      ]),
    );
  });

  it('enforces the scope on every endpoint: a token without inference is refused 403 on chat, models and feedback', async () => {
    const h = await start();
    const { accessToken } = await issuer.loginAs(ALICE, { scope: 'openid email' });
    const auth = { authorization: `Bearer ${accessToken}` };
    const responses = [
      await chat(h, accessToken),
      await fetch(`${h.baseUrl}/models`, { headers: auth }),
      await fetch(`${h.baseUrl}/feedback`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ request_id: 'r', score: 1 }) }),
    ];
    for (const response of responses) expect(await errorOf(response)).toMatchObject({ status: 403, code: 'insufficient_scope', message: expect.stringContaining('access token') });
  });

  it('refuses expired, wrong-audience and tampered tokens with their own codes', async () => {
    const h = await start();
    const expired = await issuer.mintAccessToken({ sub: 'alice', scope: 'inference', exp: Math.floor(Date.now() / 1000) - 120 });
    expect(await errorOf(await chat(h, expired))).toMatchObject({ status: 401, code: 'token_expired' });

    const otherAudience = await issuer.mintAccessToken({ sub: 'alice', scope: 'inference', aud: 'urn:someone-else:api' });
    expect(await errorOf(await chat(h, otherAudience))).toMatchObject({ status: 401, code: 'invalid_token_audience' });

    const { accessToken } = await issuer.loginAs(ALICE, INFERENCE_LOGIN);
    const [header, payload, signature] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'mallory' })).toString('base64url')}.${signature}`;
    expect(await errorOf(await chat(h, tampered))).toMatchObject({ status: 401, code: 'invalid_token_signature' });

    expect(await errorOf(await chat(h, 'not-a-key-nor-a-token'))).toMatchObject({ status: 401, code: 'invalid_token' });
    // An unsigned token (alg none) is a signature failure, not a format one.
    expect(await errorOf(await chat(h, 'eyJhbGciOiJub25lIn0.e30.'))).toMatchObject({ status: 401, code: 'invalid_token_signature' });
    expect(await errorOf(await chat(h, 'eyJ.garbage'))).toMatchObject({ status: 401, code: 'invalid_token' });
    expect(await h.finish()).toEqual([]);
  });

  it('picks up a rotated signing key (new kid) without a restart', async () => {
    const h = await start();
    expect((await chat(h, (await issuer.loginAs(ALICE, INFERENCE_LOGIN)).accessToken)).status).toBe(200);
    const { kid } = await issuer.rotateSigningKey();
    const rotated = (await issuer.loginAs(ALICE, INFERENCE_LOGIN)).accessToken;
    expect(JSON.parse(Buffer.from(rotated.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ kid });
    expect((await chat(h, rotated)).status).toBe(200);
  });

  it('refuses a person who is a member of no tenant, or of not the tenant they name', async () => {
    const h = await start();
    const mallory = (await issuer.loginAs(MALLORY, INFERENCE_LOGIN)).accessToken;
    expect(await errorOf(await chat(h, mallory))).toMatchObject({ status: 403, code: 'unknown_tenant' });
    const alice = (await issuer.loginAs(ALICE, INFERENCE_LOGIN)).accessToken;
    expect(await errorOf(await chat(h, alice, { [TENANT_HEADER]: TENANT_B }))).toMatchObject({ status: 403, code: 'unknown_tenant' });
    expect((await chat(h, alice, { [TENANT_HEADER]: TENANT_A })).status).toBe(200);
  });

  it('takes the tenant from a configured claim when the issuer asserts it', async () => {
    const h = await start({ tenantClaim: 'tid' });
    const withClaim = await issuer.mintAccessToken({ sub: 'mallory', scope: 'inference', tid: TENANT_B });
    expect((await chat(h, withClaim)).status).toBe(200);
    const withoutClaim = await issuer.mintAccessToken({ sub: 'mallory', scope: 'inference' });
    expect(await errorOf(await chat(h, withoutClaim))).toMatchObject({ status: 403, code: 'unknown_tenant' });
    expect((await h.finish()).map((event) => event.tenantId)).toEqual([TENANT_B]);
  });
});
