import { request as httpRequest } from 'node:http';
import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CONSOLE_ORIGIN, postGraphQL, startGatewayUnderTest, type GatewayUnderTest } from './test-support/gateway-under-test';

const TENANT_USER = { sub: 'u-acme', login: 'ada', password: 'acme-pass', email: 'ada@acme.test', roles: ['tenant_admin' as const], tenantId: 't1' };

let issuer: TestIssuer;
let gateway: GatewayUnderTest;
let adminToken: string;
let tenantToken: string;

beforeAll(async () => {
  issuer = await startTestIssuer({ extraUsers: [TENANT_USER] });
  gateway = await startGatewayUnderTest(issuer);
  adminToken = (await issuer.loginAsAdmin()).accessToken;
  tenantToken = (await issuer.loginAs(TENANT_USER)).accessToken;
});

afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

beforeEach(() => {
  gateway.standIns.calls.tenants.length = 0;
  gateway.standIns.calls.cost.length = 0;
});

const subgraphCalls = () => gateway.standIns.calls.tenants.length + gateway.standIns.calls.cost.length;

describe('authentication', () => {
  it('refuses requests without a valid access token before any subgraph is called', async () => {
    for (const token of [undefined, 'garbage', `${adminToken}x`, (await issuer.loginAsAdmin()).idToken]) {
      const response = await postGraphQL(gateway.url, { query: '{ viewer { subject } }' }, { token });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    }
    const wrongScheme = await postGraphQL(gateway.url, { query: '{ viewer { subject } }' }, { headers: { authorization: `Basic ${adminToken}` } });
    expect(wrongScheme.status).toBe(401);
    expect(subgraphCalls()).toBe(0);
  });

  it('refuses two Authorization headers with 400 DUPLICATE_AUTHORIZATION before any is checked, even when one is valid', async () => {
    const url = new URL(gateway.url);
    for (const values of [
      [`Bearer ${adminToken}`, 'Bearer garbage'],
      ['Bearer garbage', `Bearer ${adminToken}`],
      [`Bearer ${adminToken}`, `Bearer ${tenantToken}`],
    ]) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = JSON.stringify({ query: '{ viewer { subject } }' });
        const request = httpRequest(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: ['host', url.host, 'content-type', 'application/json', 'content-length', String(Buffer.byteLength(body)), ...values.flatMap((value) => ['authorization', value])] },
          (response) => {
            let text = '';
            response.setEncoding('utf8');
            response.on('data', (chunk: string) => (text += chunk));
            response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
          },
        );
        request.on('error', reject);
        request.end(body);
      });
      expect(answer.status).toBe(400);
      expect((JSON.parse(answer.body) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('DUPLICATE_AUTHORIZATION');
    }
    expect(subgraphCalls()).toBe(0);
  });

  it('forwards the caller to subgraphs only as an internal token signed for each subgraph', async () => {
    const response = await postGraphQL(gateway.url, { query: '{ viewer { subject email roles tenantId } tenants { slug cost { totalRequests } } }' }, { token: tenantToken });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      viewer: { subject: 'u-acme', email: 'ada@acme.test', roles: ['tenant_admin'], tenantId: 't1' },
      tenants: [{ slug: 'acme', cost: { totalRequests: 0 } }],
    });
    const expected = { subject: 'u-acme', email: 'ada@acme.test', tenantId: 't1', roles: ['tenant_admin'], service: 'gateway' };
    expect(gateway.standIns.calls.tenants).toContainEqual(expected);
    expect(gateway.standIns.calls.cost).toContainEqual(expected);
  });

  it('keeps subgraph client errors with their code', async () => {
    const response = await postGraphQL(gateway.url, { query: 'mutation { createTenant(input: { slug: "x", name: "X" }) { id } }' }, { token: tenantToken });
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Only platform admins can create tenants.', extensions: { code: 'FORBIDDEN' } });
  });
});

describe('hardening', () => {
  it('masks internal errors: no message, stack or service details leak', async () => {
    const response = await postGraphQL(gateway.url, { query: '{ costSummary(tenantId: "boom") { totalRequests } }' }, { token: adminToken });
    const text = JSON.stringify(response.body);
    expect(response.body.errors?.[0]).toMatchObject({ message: 'Internal server error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(Object.keys(response.body.errors?.[0]?.extensions ?? {})).toEqual(['code']);
    expect(text).not.toMatch(/hunter2|ECONNREFUSED|stacktrace|serviceName|at /);
  });

  it('reports an unreachable subgraph with its own code, without network details', async () => {
    const partial = await startGatewayUnderTest(issuer, { subgraphUrls: { cost: 'http://127.0.0.1:1/graphql' } });
    try {
      const response = await postGraphQL(partial.url, { query: '{ viewer { subject } costSummary(tenantId: "t1") { totalRequests } }' }, { token: adminToken });
      // costSummary is non-null, so its failure nulls the whole answer (GraphQL null propagation).
      expect(response.body.data).toBeNull();
      expect(response.body.errors?.[0]).toMatchObject({ message: 'Part of the API is temporarily unavailable; retry shortly.', extensions: { code: 'SUBGRAPH_UNAVAILABLE' } });
      expect(JSON.stringify(response.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1:1/);
    } finally {
      await partial.close();
    }
  });

  it('answers an operationName that names no operation with 400 GRAPHQL_VALIDATION_FAILED, not 500 (regression: found by graphql-fuzz.test.ts)', async () => {
    const unknown = await postGraphQL(gateway.url, { query: 'query Mine { viewer { subject } }', operationName: 'Other' }, { token: adminToken });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]).toMatchObject({ message: 'Unknown operation named "Other".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    const ambiguous = await postGraphQL(gateway.url, { query: 'query A { viewer { subject } } query B { viewer { email } }' }, { token: adminToken });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    const named = await postGraphQL(gateway.url, { query: 'query A { viewer { subject } } query B { viewer { email } }', operationName: 'B' }, { token: adminToken });
    expect(named.status).toBe(200);
    expect(named.body.data?.['viewer']).toHaveProperty('email');
    expect(subgraphCalls()).toBe(1);
  });

  it('refuses a depth bomb before calling any subgraph', async () => {
    const deep = '{ tenants { apiKeys { tenant { apiKeys { tenant { apiKeys { tenant { apiKeys { tenant { id } } } } } } } } } }';
    const response = await postGraphQL(gateway.url, { query: deep }, { token: adminToken });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(subgraphCalls()).toBe(0);
  });

  it('refuses an alias flood', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: viewer { subject }`).join(' ');
    const response = await postGraphQL(gateway.url, { query: `{ ${aliases} }` }, { token: adminToken });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(subgraphCalls()).toBe(0);
  });

  it('refuses batched requests', async () => {
    const response = await postGraphQL(gateway.url, [{ query: '{ viewer { subject } }' }, { query: '{ viewer { subject } }' }], { token: adminToken });
    expect(response.status).toBe(400);
    expect(subgraphCalls()).toBe(0);
  });

  it('answers introspection only when enabled', async () => {
    const query = { query: '{ __schema { queryType { name } } }' };
    const off = await postGraphQL(gateway.url, query, { token: adminToken });
    expect(off.body.data ?? null).toBeNull();
    expect(off.body.errors?.[0]?.message).toMatch(/introspection/i);

    const open = await startGatewayUnderTest(issuer, { introspection: true });
    try {
      const on = await postGraphQL(open.url, query, { token: adminToken });
      expect(on.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    } finally {
      await open.close();
    }
  });

  it('gives no field suggestions', async () => {
    const response = await postGraphQL(gateway.url, { query: '{ tenant(slug: "acme") { nam } viewr { subject } }' }, { token: adminToken });
    expect(response.status).toBe(400);
    const text = JSON.stringify(response.body);
    expect(text).toMatch(/Cannot query field/);
    expect(text).not.toMatch(/Did you mean|"name"|viewer/);
  });

  it('prevents CSRF: a simple (non-preflighted) request is refused', async () => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: '{ viewer { subject } }' }),
    });
    expect(response.status).toBe(400);
    const get = await fetch(`${gateway.url}?query=${encodeURIComponent('{ viewer { subject } }')}`, { headers: { authorization: `Bearer ${adminToken}` } });
    expect(get.status).toBe(400);
    expect(await get.text()).toMatch(/CSRF|preflight/i);
    expect(subgraphCalls()).toBe(0);
  });

  it('allows CORS for the console origin only', async () => {
    const preflight = (origin: string) =>
      fetch(gateway.url, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    const console = await preflight(CONSOLE_ORIGIN);
    expect(console.status).toBe(204);
    expect(console.headers.get('access-control-allow-origin')).toBe(CONSOLE_ORIGIN);
    expect(console.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const evil = await preflight('http://evil.test');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('rejects malformed, oversized and misdirected requests with clear codes', async () => {
    const malformed = await postGraphQL(gateway.url, '{"query": ', { token: adminToken });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors?.[0]?.extensions?.['code']).toBe('BAD_REQUEST');

    const huge = await postGraphQL(gateway.url, { query: `{ viewer { subject } } # ${'x'.repeat(300_000)}` }, { token: adminToken });
    expect(huge.status).toBe(413);
    expect(huge.body.errors?.[0]?.extensions?.['code']).toBe('PAYLOAD_TOO_LARGE');

    const tooManyTokens = await postGraphQL(gateway.url, { query: `{ ${Array.from({ length: 3000 }, () => 'viewer { subject }').join(' ')} }` }, { token: adminToken });
    expect(tooManyTokens.status).toBe(400);

    const elsewhere = await fetch(gateway.url.replace('/graphql', '/admin'));
    expect(elsewhere.status).toBe(404);
    expect(subgraphCalls()).toBe(0);
  });

  it('points subscriptions sent over HTTP to the WebSocket endpoint', async () => {
    const response = await postGraphQL(gateway.url, { query: 'subscription { costUpdated(tenantId: "t1") { totalRequests } }' }, { token: adminToken });
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('SUBSCRIPTION_OVER_HTTP');
  });

  it('serves a health check without authentication', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/healthz'));
    expect(response.status).toBe(200);
    expect((await fetch(gateway.url.replace('/graphql', '/readyz'))).status).toBe(200);
  });
});
