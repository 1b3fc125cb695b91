import { startTestIssuer, type TestIssuer } from '@switchyard/identity/testing';
import { attachHttpDrain } from '@switchyard/subgraph-kit/drain';
import { afterAll, describe, expect, it } from 'vitest';
import { postGraphQL, startGatewayUnderTest, type GatewayUnderTest } from './test-support/gateway-under-test';

/** The drain main.ts attaches to the gateway: its own /readyz turns 503, GraphQL is refused with SHUTTING_DOWN after the grace. */
let issuer: TestIssuer | undefined;
let gateway: GatewayUnderTest | undefined;

afterAll(async () => {
  await gateway?.close();
  await issuer?.close();
});

describe('the gateway on SIGTERM', () => {
  it('readiness 503 at once, requests served with Connection: close during the grace, SHUTTING_DOWN after it, then closed', async () => {
    issuer = await startTestIssuer();
    gateway = await startGatewayUnderTest(issuer);
    const drain = attachHttpDrain(gateway.app.server);
    const token = (await issuer.loginAsAdmin()).accessToken;
    const readyz = gateway.url.replace('/graphql', '/readyz');
    expect((await fetch(readyz)).status).toBe(200);

    const drained = drain.drain({ graceMs: 300, timeoutMs: 5_000 });
    expect((await fetch(readyz)).status).toBe(503);
    const during = await postGraphQL(gateway.url, { query: '{ viewer { subject } }' }, { token });
    expect(during.status).toBe(200);
    expect(during.headers.get('connection')).toBe('close');

    await new Promise((resolve) => setTimeout(resolve, 400));
    // Nothing in flight: the server has closed after the grace (a racing request would get 503 SHUTTING_DOWN).
    await expect(drained).resolves.toEqual({ timedOut: false });
    expect(gateway.app.server.listening).toBe(false);
  });
});
