import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../gateway/context';
import { GATEWAY_ERRORS } from '@switchyard/subgraph-kit/errors';
import type { GatewayErrorCode } from '../errors';
import type { Logger } from '../logger';
import { CLIENT_NAME_HEADER, gatePersistedQuery, type PersistedQueryPolicy } from '../persisted/persisted-query-gate';
import { authenticate, type VerifyAccessToken } from './authenticate';
import { applyCors } from './cors';
import { BodyTooLargeError, readBody } from './read-body';

export const GRAPHQL_PATH = '/graphql';
/** A person who belongs to several tenants names the one a request is for (tenant id); default: their oldest membership. */
export const TENANT_HEADER = 'x-switchyard-tenant';
const MAX_BODY_BYTES = 256 * 1024;

export interface GraphQLHttpHandlerOptions {
  apollo: ApolloServer<GatewayContext>;
  /** Resolves once Apollo (and the gateway) started; requests before that get 503. */
  ready: () => boolean;
  verifyAccessToken: VerifyAccessToken;
  corsOrigins: readonly string[];
  logger: Logger;
  /** The persisted-operation allowlist; absent means requests pass untouched. */
  persistedQueries?: PersistedQueryPolicy;
}

function sendError(res: ServerResponse, code: GatewayErrorCode, message: string = GATEWAY_ERRORS.definitions[code].message): void {
  const status = GATEWAY_ERRORS.definitions[code].httpStatus;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="switchyard"';
  if (status === 503) headers['retry-after'] = '5';
  res.writeHead(status, headers).end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}

/**
 * `/graphql` over plain node http: CORS, authentication, a bounded JSON body, then Apollo's own
 * HTTP pipeline (CSRF prevention, no batching, validation limits, masking).
 */
export function createGraphQLHttpHandler(options: GraphQLHttpHandlerOptions) {
  const origins = new Set(options.corsOrigins);

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      return;
    }
    if (url.pathname === '/readyz') {
      if (options.ready()) res.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
      else sendError(res, 'SERVICE_STARTING');
      return;
    }
    if (url.pathname !== GRAPHQL_PATH) return sendError(res, 'NOT_FOUND');
    if (applyCors(req, res, origins)) return;
    if (req.method !== 'GET' && req.method !== 'POST') {
      res.setHeader('allow', 'GET, POST, OPTIONS');
      return sendError(res, 'METHOD_NOT_ALLOWED');
    }
    if (!options.ready()) return sendError(res, 'SERVICE_STARTING');

    // Node keeps only the first of repeated Authorization headers; which one a proxy in front checked is unknowable, so refuse.
    if ((req.headersDistinct.authorization?.length ?? 0) > 1) return sendError(res, 'DUPLICATE_AUTHORIZATION');
    const tenantHeader = req.headers[TENANT_HEADER];
    const auth = await authenticate(req.headers.authorization, options.verifyAccessToken, typeof tenantHeader === 'string' ? tenantHeader : undefined);
    if (!auth.ok) return sendError(res, auth.code, auth.message);

    let body: unknown;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, MAX_BODY_BYTES);
      } catch (error) {
        if (error instanceof BodyTooLargeError) return sendError(res, 'PAYLOAD_TOO_LARGE', `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
        throw error;
      }
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.startsWith('application/json') || contentType.startsWith('application/graphql-response+json')) {
        try {
          body = JSON.parse(text);
        } catch {
          return sendError(res, 'BAD_REQUEST', 'The request body is not valid JSON.');
        }
      } else {
        body = text;
      }
    }

    if (options.persistedQueries) {
      const clientName = req.headers[CLIENT_NAME_HEADER];
      const gate = gatePersistedQuery(options.persistedQueries, { method: req.method, body, clientName: Array.isArray(clientName) ? clientName[0] : clientName });
      if (!gate.ok) return sendError(res, 'PERSISTED_QUERY_NOT_ALLOWED', gate.message);
      body = gate.body;
    }

    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const principal = auth.principal;
    const response = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method, headers, search: url.search, body },
      context: async () => ({ principal }),
    });

    for (const [name, value] of response.headers) res.setHeader(name, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };
}

/** Wraps the async handler so a bug becomes a masked 500 and a log line, never a crash or a hang. */
export function toRequestListener(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handler(req, res).catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.stack : String(error), url: req.url }, 'request failed');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    });
  };
}
