import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL, startGatewayUnderTest, type GatewayUnderTest } from '../test-support/gateway-under-test';
import { buildManifest, operationHash } from './persisted-manifest';

const VIEWER = 'query ConsoleViewer { viewer { subject } }';
const CONSOLE = { 'apollographql-client-name': 'switchyard-console' };

let issuer: TestIssuer;
let gateway: GatewayUnderTest;
let token: string;

beforeAll(async () => {
  issuer = await startTestIssuer();
  gateway = await startGatewayUnderTest(issuer, { persistedQueries: { mode: 'require', manifest: buildManifest([{ name: 'ConsoleViewer', document: VIEWER }]) } });
  token = (await issuer.loginAsAdmin()).accessToken;
});

afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

const persisted = (hash: string, extra: Record<string, unknown> = {}) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, ...extra });

describe('persisted operations at the gateway', () => {
  it('executes a known hash', async () => {
    const response = await postGraphQL(gateway.url, persisted(operationHash(VIEWER)), { token, headers: CONSOLE });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ viewer: { subject: expect.any(String) } });
  });

  it('refuses an unknown hash and a tampered document before any subgraph call', async () => {
    gateway.standIns.calls.tenants.length = 0;
    const other = '{ tenants { id } }';
    const unknown = await postGraphQL(gateway.url, persisted(operationHash(other), { query: other }), { token });
    const tampered = await postGraphQL(gateway.url, persisted(operationHash(VIEWER), { query: other }), { token, headers: CONSOLE });
    for (const response of [unknown, tampered]) {
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    }
    expect(gateway.standIns.calls.tenants).toHaveLength(0);
  });

  it('refuses a console document outside the allowlist in require mode, but serves integrators', async () => {
    const fromConsole = await postGraphQL(gateway.url, { query: '{ viewer { email } }' }, { token, headers: CONSOLE });
    expect(fromConsole.status).toBe(400);
    expect(fromConsole.body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_ALLOWED');
    const fromIntegrator = await postGraphQL(gateway.url, { query: '{ viewer { email } }' }, { token });
    expect(fromIntegrator.status).toBe(200);
    expect(fromIntegrator.body.errors).toBeUndefined();
  });
});
