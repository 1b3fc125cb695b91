import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import gql from 'graphql-tag';
import { describe, expect, it } from 'vitest';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type Principal } from '@switchyard/identity';
import { attachHttpDrain } from './drain';
import { createSubgraphHttpServer } from './http-server';

const admin: Principal = { subject: 'u1', email: null, tenantId: null, roles: ['platform_admin'], service: 'gateway' };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(port: number, agent: http.Agent, method: string, path: string, token?: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, agent, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('a subgraph draining on SIGTERM (the drain runSubgraph and the gateway attach)', () => {
  it('readiness 503 at once, Connection: close during the grace, SHUTTING_DOWN after it, the request in flight finishes', async () => {
    const keys = await generateInternalKeyPair();
    const token = await createInternalTokenSigner(keys.privateKey).sign(admin, 'subgraph:kit');
    const schema = buildSubgraphSchema({
      typeDefs: gql`
        type Query { fast: String!  slow: String! }
      `,
      resolvers: { Query: { fast: () => 'fast', slow: () => new Promise<string>((resolve) => setTimeout(() => resolve('slow'), 800)) } },
    });
    const app = createSubgraphHttpServer({
      schema,
      verifyInternalToken: createInternalTokenVerifier(keys.publicKey, 'subgraph:kit'),
      createContext: (principal) => ({ principal }),
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      isClientError: () => false,
    });
    const drain = attachHttpDrain(app.server);
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', () => resolve()));
    const port = (app.server.address() as AddressInfo).port;
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const fresh = () => new http.Agent({ keepAlive: false });
    const query = (field: string) => JSON.stringify({ query: `{ ${field} }` });

    expect((await send(port, fresh(), 'GET', '/readyz')).status).toBe(200);
    const before = await send(port, keepAlive, 'POST', '/graphql', token, query('fast'));
    expect(before.headers.connection).not.toBe('close');
    const slow = send(port, fresh(), 'POST', '/graphql', token, query('slow'));
    await new Promise((resolve) => setTimeout(resolve, 50));

    const drained = drain.drain({ graceMs: 300, timeoutMs: 5_000 });
    expect(drain.draining).toBe(true);
    expect((await send(port, fresh(), 'GET', '/readyz')).status).toBe(503);
    const during = await send(port, keepAlive, 'POST', '/graphql', token, query('fast'));
    expect(JSON.parse(during.body)).toEqual({ data: { fast: 'fast' } });
    expect(during.headers.connection).toBe('close');

    await new Promise((resolve) => setTimeout(resolve, 350));
    const late = await send(port, fresh(), 'POST', '/graphql', token, query('fast'));
    expect(late.status).toBe(503);
    expect(late.headers['retry-after']).toBe('1');
    expect(late.headers.connection).toBe('close');
    expect((JSON.parse(late.body) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('SHUTTING_DOWN');

    expect(JSON.parse((await slow).body)).toEqual({ data: { slow: 'slow' } });
    await expect(drained).resolves.toEqual({ timedOut: false });
    expect(app.server.listening).toBe(false);
    await app.close();
  });
});
