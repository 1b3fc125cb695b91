import { register as processRegistry } from 'prom-client';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import gql from 'graphql-tag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, startStreamConsumer } from '@switchyard/bus';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type Principal } from '@switchyard/identity';
import { createSubgraphHttpServer, type SubgraphHttpServer } from './http-server';
import { inProcessSubgraphOf } from './in-process';
import { MALFORMED_REQUESTS, OVERSIZED_HEADER_REQUEST, parseRawHttpAnswer, rawHttpExchange } from './testing/raw-http';

const admin: Principal = { subject: 'u1', email: null, tenantId: null, roles: ['platform_admin'], service: 'gateway' };

describe('shared subgraph transport', () => {
  let app: SubgraphHttpServer;
  let url: string;
  let token: string;

  beforeAll(async () => {
    const keys = await generateInternalKeyPair();
    token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:kit');
    const schema = buildSubgraphSchema({
      typeDefs: gql`
        type Query { whoami: String!  refused: String  broken: String }
      `,
      resolvers: {
        Query: {
          whoami: (_: unknown, __: unknown, context: unknown) => (context as { principal: Principal }).principal.subject,
          refused: () => {
            throw new GraphQLError('not yours', { extensions: { code: 'FORBIDDEN' } });
          },
          broken: () => {
            throw new Error('password=hunter2 at db.example:5432');
          },
        },
      },
    });
    app = createSubgraphHttpServer({
      schema,
      verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:kit'),
      createContext: (principal) => ({ principal }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      isClientError: (error) => error instanceof GraphQLError && error.extensions['code'] === 'FORBIDDEN',
      maxBodyBytes: 2048,
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(() => app.close());

  const post = (body: string, auth = `Bearer ${token}`) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });

  it('counts the lag and failures of the stream consumers beside it in the process registry, served by the operator metrics listener, not on its own port', async () => {
    const listener = createMetricsListener({ sources: () => [processRegistry] });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', () => resolve()));
    const metricsUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}/metrics`;
    const bus = createInProcessBus();
    const consumer = startStreamConsumer({
      bus,
      stream: 'kit-metrics-stream',
      group: 'kit-metrics-group',
      consumer: 'c1',
      blockMs: 5,
      lagSampleMs: 0,
      logger: { info: () => undefined, error: () => undefined },
      handle: (entries) => bus.ack('kit-metrics-stream', 'kit-metrics-group', entries.map((entry) => entry.id)),
    });
    await bus.append('kit-metrics-stream', 'x');
    let text = '';
    for (const giveUpAt = Date.now() + 5_000; !/switchyard_stream_consumer_entries_total\{stream="kit-metrics-stream",group="kit-metrics-group"\} 1/.test(text); ) {
      if (Date.now() > giveUpAt) break;
      text = await (await fetch(metricsUrl)).text();
    }
    await consumer.stop();
    await bus.close();
    await new Promise<void>((resolve) => listener.close(() => resolve()));
    expect((await fetch(url.replace('/graphql', '/metrics'))).status).toBe(404);
    expect(text).toMatch(/switchyard_stream_consumer_entries_total\{stream="kit-metrics-stream",group="kit-metrics-group"\} 1/);
    expect(text).toMatch(/switchyard_stream_consumer_lag\{stream="kit-metrics-stream",group="kit-metrics-group"\} 0/);
  });

  it('answers an authenticated caller with its principal', async () => {
    const response = await post(JSON.stringify({ query: '{ whoami }' }));
    expect(await response.json()).toEqual({ data: { whoami: 'u1' } });
  });

  it('refuses a missing or foreign token with 401 UNAUTHENTICATED', async () => {
    for (const auth of ['', 'Bearer not-a-token']) {
      const response = await post(JSON.stringify({ query: '{ whoami }' }), auth);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('passes the subgraph’s client errors through and masks everything else', async () => {
    const body = (await (await post(JSON.stringify({ query: '{ refused broken }' }))).json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    const codes = body.errors.map((error) => error.extensions.code).sort();
    expect(codes).toEqual(['FORBIDDEN', 'INTERNAL_SERVER_ERROR']);
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });

  it('refuses an oversized body with 413 and malformed JSON with 400', async () => {
    expect((await post(JSON.stringify({ query: `{ whoami } #${'x'.repeat(4096)}` }))).status).toBe(413);
    expect((await post('{not json')).status).toBe(400);
  });
  describe('in process (the gateway of the same process, no socket)', () => {
    const local = () => {
      const entrance = inProcessSubgraphOf(app.server);
      if (!entrance) throw new Error('the kit registered no in-process entrance for its server');
      return entrance;
    };
    const execute = (body: string, auth = `Bearer ${token}`) =>
      local().execute({ headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body });
    /** The HTTP answer to the same request, for comparison. */
    const overHttp = async (body: string, auth = `Bearer ${token}`) => {
      const response = await post(body, auth);
      return { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() };
    };

    it('gives every request the same status, content type and body as HTTP: token checks, principal, masking, limits, bad JSON', async () => {
      const cases: Array<[string, string?]> = [
        [JSON.stringify({ query: '{ whoami }' })],
        [JSON.stringify({ query: '{ whoami }' }), ''],
        [JSON.stringify({ query: '{ whoami }' }), 'Bearer not-a-token'],
        [JSON.stringify({ query: '{ refused broken }' })],
        [JSON.stringify({ query: `{ whoami } #${'x'.repeat(4096)}` })],
        ['{not json'],
        [JSON.stringify({ query: '{ nope }' })],
      ];
      for (const [body, auth] of cases) {
        const http = await overHttp(body, auth);
        const inProcess = await execute(body, auth);
        expect({ status: inProcess.status, contentType: inProcess.headers.get('content-type'), body: inProcess.body }, body.slice(0, 40)).toEqual(http);
      }
      expect(JSON.parse((await execute(JSON.stringify({ query: '{ whoami }' }))).body)).toEqual({ data: { whoami: 'u1' } });
      expect((await execute(JSON.stringify({ query: '{ whoami }' }), '')).status).toBe(401);
    });

    it('is registered only for servers the kit built', async () => {
      const { createServer } = await import('node:http');
      expect(inProcessSubgraphOf(createServer())).toBeUndefined();
    });
  });

  describe('errors below GraphQL (raw sockets)', () => {
    const port = () => (app.server.address() as AddressInfo).port;
    const stillServes = async () => expect(await (await post(JSON.stringify({ query: '{ whoami }' }))).json()).toEqual({ data: { whoami: 'u1' } });

    it('a 20 KB header line gets 431 with a GraphQL error body and Connection: close; the server stays up', async () => {
      const answer = parseRawHttpAnswer(await rawHttpExchange(port(), OVERSIZED_HEADER_REQUEST));
      expect(answer.status).toBe(431);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['connection']).toBe('close');
      expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: expect.stringContaining('headers are larger') as unknown, extensions: { code: 'REQUEST_HEADER_FIELDS_TOO_LARGE' } }] });
      await stillServes();
    });

    it('a garbage request line gets 400 with a GraphQL error body; the server stays up', async () => {
      for (const garbage of MALFORMED_REQUESTS) {
        const answer = parseRawHttpAnswer(await rawHttpExchange(port(), garbage));
        expect(answer.status).toBe(400);
        expect(answer.headers['connection']).toBe('close');
        expect(JSON.parse(answer.body)).toEqual({ errors: [{ message: expect.stringContaining('HTTP request is malformed') as unknown, extensions: { code: 'BAD_REQUEST' } }] });
      }
      await stillServes();
    });
  });
});
