import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createInternalTokenSigner, generateInternalKeyPair } from '@switchyard/identity';
import { MALFORMED_REQUESTS, OVERSIZED_HEADER_REQUEST, parseRawHttpAnswer, rawHttpExchange } from '@switchyard/subgraph-kit/testing';
import { silentLogger } from './logger';
import { createSupergraphServer, type SupergraphServer } from './supergraph-server';

/** What Node's HTTP parser refuses before the gateway runs, answered as GraphQL errors over raw sockets. */
let gateway: SupergraphServer;
let bus: Bus;
let port: number;

beforeAll(async () => {
  bus = createInProcessBus();
  const keys = await generateInternalKeyPair();
  gateway = createSupergraphServer({
    // Never called: these requests never reach the gateway.
    subgraphs: { tenants: 'http://127.0.0.1:9/graphql', cost: 'http://127.0.0.1:9/graphql' },
    signer: createInternalTokenSigner(keys.privateKey),
    verifyAccessToken: () => Promise.reject(new Error('no tokens in this test')),
    bus,
    corsOrigins: [],
    introspection: false,
    logger: silentLogger,
  });
  await new Promise<void>((resolve) => gateway.server.listen(0, '127.0.0.1', resolve));
  port = (gateway.server.address() as AddressInfo).port;
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await bus?.close();
});

async function stillServes(): Promise<void> {
  expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
}

describe('gateway: errors below GraphQL', () => {
  it('a 20 KB header line gets 431 with a GraphQL error body and Connection: close; the gateway stays up', async () => {
    const answer = parseRawHttpAnswer(await rawHttpExchange(port, OVERSIZED_HEADER_REQUEST));
    expect(answer.status).toBe(431);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['connection']).toBe('close');
    expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: expect.stringContaining('headers are larger') as unknown, extensions: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' } }] });
    await stillServes();
  });

  it('a garbage request line gets 400 with a GraphQL error body; the gateway stays up', async () => {
    for (const garbage of MALFORMED_REQUESTS) {
      const answer = parseRawHttpAnswer(await rawHttpExchange(port, garbage));
      expect(answer.status).toBe(400);
      expect(answer.headers['connection']).toBe('close');
      expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: expect.stringContaining('HTTP request is malformed') as unknown, extensions: { code: 'BAD_REQUEST' } }] });
    }
    await stillServes();
  });
});
