import http from 'node:http';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { BaseContext, HTTPGraphQLRequest, HTTPGraphQLResponse } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { isDatabaseUnavailableError } from '@switchyard/db/availability';
import type { InternalTokenVerifier, Principal } from '@switchyard/identity';
import { answerGraphQLClientErrors } from './client-errors';
import { unauthenticated } from './errors/base-errors';
import { KIT_ERRORS } from './errors/graphql-errors';
import { startInProcessServerSpan, startServerSpan } from '@switchyard/tracing/http';
import { registerInProcessSubgraph, type InProcessGraphQLRequest, type InProcessGraphQLResponse } from './in-process';
import type { Logger } from './logger';

/**
 * Node http transport for one subgraph: `POST /graphql` and `GET /readyz` (metrics are served by the operator metrics listener, never here), every request authenticated with
 * the gateway's internal token (including `_service` and `_entities`), internal errors masked.
 * The server is returned without listening so tests and the platform decide where it binds; its
 * `/graphql` is also reachable in process (`inProcessSubgraphOf(server)`, in-process.ts).
 */
export interface SubgraphHttpServerOptions<TContext extends BaseContext> {
  schema: GraphQLSchema;
  verifyInternalToken: InternalTokenVerifier;
  createContext(principal: Principal): TContext;
  logger: Logger;
  introspection?: boolean;
  /** Largest accepted request body; larger ones get 413. */
  maxBodyBytes?: number;
  /** The subgraph's own client errors: passed through unmasked; everything else is masked. */
  isClientError(error: unknown): boolean;
}

export interface SubgraphHttpServer {
  server: http.Server;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const DATABASE_UNAVAILABLE_MESSAGE = 'The database is unreachable right now; retry shortly.';
const DATABASE_RETRY_AFTER_SECONDS = 1;
const GRAPHQL_PATH = '/graphql';
const READY_PATH = '/readyz';

class RequestBodyTooLargeError extends Error {}

type KitErrorCode = (typeof KIT_ERRORS.codes)[number];

function readBody(req: http.IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = Number(req.headers['content-length'] ?? 0) > maxBytes;
    if (tooLarge) reject(new RequestBodyTooLargeError());
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return; // keep draining (not destroying) so the client can read the 413
      size += chunk.length;
      if (size > maxBytes) {
        tooLarge = true;
        chunks.length = 0;
        reject(new RequestBodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A whole request refused by the transport (not by GraphQL), answered with the registry's status for the code. */
class TransportRefusal {
  constructor(
    readonly code: KitErrorCode,
    readonly message: string,
    readonly headers: Record<string, string>,
  ) {}
}

const refusal = (code: KitErrorCode, message: string, headers: Record<string, string> = {}) => new TransportRefusal(code, message, headers);

const refusalBody = (code: KitErrorCode, message: string) => JSON.stringify({ errors: [{ message, extensions: { code } }] });

function sendError(res: http.ServerResponse, code: KitErrorCode, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(KIT_ERRORS.definitions[code].httpStatus, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(refusalBody(code, message));
}

function refusalResponse({ code, message, headers }: TransportRefusal): InProcessGraphQLResponse {
  return {
    status: KIT_ERRORS.definitions[code].httpStatus,
    headers: new Map(Object.entries({ 'content-type': 'application/json; charset=utf-8', ...headers })),
    body: refusalBody(code, message),
  };
}

function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1] ?? null;
}

export function createSubgraphHttpServer<TContext extends BaseContext>(options: SubgraphHttpServerOptions<TContext>): SubgraphHttpServer {
  const { logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    introspection: options.introspection ?? false,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    hideSchemaDetailsFromClientErrors: true,
    includeStacktraceInErrorResponses: false,
    // No per-request timing traces for callers (the gateway does not report to Apollo). No cache
    // control either: no field sets a cache hint, and the plugin wraps every field's resolver (a
    // 1,440-point cost series is ~9,000 wrapped calls; about 4 % of the admin plane's CPU in a profile).
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled()],
    formatError(formatted, error) {
      const original = unwrapResolverError(error);
      if (options.isClientError(original)) return formatted;
      if (isDatabaseUnavailableError(original)) {
        // Postgres dropped or refused the connection: retryable, so a coded (not masked, not final) error.
        logger.warn({ err: original instanceof Error ? original.message : String(original), path: formatted.path }, 'database unavailable');
        return {
          message: DATABASE_UNAVAILABLE_MESSAGE,
          extensions: { code: 'SERVICE_UNAVAILABLE', retryAfter: DATABASE_RETRY_AFTER_SECONDS },
          ...(formatted.path ? { path: formatted.path } : {}),
        };
      }
      const code = formatted.extensions?.['code'];
      // Apollo's own request errors (parse, validation, bad request) carry their own codes.
      if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') return formatted;
      logger.error({ err: original instanceof Error ? { message: original.message, stack: original.stack } : String(original), path: formatted.path }, 'internal error in resolver');
      return { message: KIT_ERRORS.definitions.INTERNAL_SERVER_ERROR.message, extensions: { code: 'INTERNAL_SERVER_ERROR' }, ...(formatted.path ? { path: formatted.path } : {}) };
    },
    logger: {
      debug: () => undefined,
      info: (message: string) => logger.info({}, message),
      warn: (message: string) => logger.warn({}, message),
      error: (message: string) => logger.error({}, message),
    },
  });
  // Started eagerly so the (synchronous) factory can hand out a server; requests wait for it.
  const started: Promise<boolean> = apollo.start().then(
    () => true,
    (error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'GraphQL server failed to start');
      return false;
    },
  );

  /** The context of one request: the gateway's internal token, verified, names the caller. */
  async function contextFor(authorization: string | undefined): Promise<TContext> {
    const token = bearerToken(authorization);
    if (!token) throw unauthenticated();
    let principal: Principal;
    try {
      principal = await options.verifyInternalToken(token);
    } catch {
      throw unauthenticated('The internal token is invalid, expired or meant for another service.');
    }
    return options.createContext(principal);
  }

  /** One `POST /graphql` whatever carried it (socket or in process): the body already read and within the limit. */
  async function executeGraphQL(headers: HeaderMap, search: string, text: string): Promise<HTTPGraphQLResponse | TransportRefusal> {
    let body: unknown;
    try {
      const isJson = /^application\/(graphql-response\+)?json\b/i.test(headers.get('content-type') ?? '');
      body = isJson && text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      return refusal('BAD_REQUEST', 'The request body is not valid JSON.');
    }
    if (!(await started)) return refusal('SERVICE_UNAVAILABLE', 'The GraphQL server failed to start; see the service log.', { 'retry-after': '5' });
    const httpGraphQLRequest: HTTPGraphQLRequest = { method: 'POST', headers, search, body };
    return apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context: () => contextFor(headers.get('authorization')) });
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://subgraph.invalid');
    if (url.pathname === READY_PATH && req.method === 'GET') {
      // Not ready until the GraphQL server started; a draining server answers 503 before this (attachHttpDrain).
      if (await started) res.writeHead(200, { 'content-type': 'text/plain' }).end('ready');
      else sendError(res, 'SERVICE_UNAVAILABLE', 'The GraphQL server failed to start; see the service log.');
      return;
    }
    if (url.pathname !== GRAPHQL_PATH) return sendError(res, 'NOT_FOUND', `Only ${GRAPHQL_PATH} is served here.`);
    if (req.method !== 'POST') return sendError(res, 'METHOD_NOT_ALLOWED', 'Use POST.', { allow: 'POST' });

    let text: string;
    try {
      text = await readBody(req, maxBodyBytes);
    } catch (error) {
      if (error instanceof RequestBodyTooLargeError) {
        return sendError(res, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${maxBodyBytes} bytes.`, { connection: 'close' });
      }
      return sendError(res, 'BAD_REQUEST', 'The request body is not valid JSON.');
    }

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const response = await executeGraphQL(headers, url.search, text);
    if (response instanceof TransportRefusal) return sendError(res, response.code, response.message, response.headers);
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  }

  /** The same handling for the gateway of this process, without the socket (see in-process.ts). */
  async function executeInProcess(request: InProcessGraphQLRequest): Promise<InProcessGraphQLResponse> {
    const span = startInProcessServerSpan('@switchyard/subgraph-kit', request.headers, 'POST', GRAPHQL_PATH);
    const answered = await span.run(async (): Promise<InProcessGraphQLResponse> => {
      try {
        // The byte count only when the UTF-16 length says it might be over (at most 3 bytes per code unit).
        if (request.body.length * 3 > maxBodyBytes && Buffer.byteLength(request.body) > maxBodyBytes) {
          return refusalResponse(refusal('PAYLOAD_TOO_LARGE', `Request bodies are limited to ${maxBodyBytes} bytes.`));
        }
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(request.headers)) headers.set(key.toLowerCase(), value);
        const response = await executeGraphQL(headers, '', request.body);
        if (response instanceof TransportRefusal) return refusalResponse(response);
        let body: string;
        if (response.body.kind === 'complete') body = response.body.string;
        else {
          body = '';
          for await (const chunk of response.body.asyncIterator) body += chunk;
        }
        return { status: response.status ?? 200, headers: response.headers, body };
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request handling failed');
        return refusalResponse(refusal('INTERNAL_SERVER_ERROR', 'Internal server error'));
      }
    });
    span.end(answered.status);
    return answered;
  }

  const server = http.createServer((req, res) => {
    // The gateway's fetch span is the parent (it injects traceparent); readiness probes are not traced.
    const handling = req.url === READY_PATH ? handle(req, res) : startServerSpan('@switchyard/subgraph-kit', req, res, GRAPHQL_PATH).run(() => handle(req, res));
    handling.catch((error: unknown) => {
      logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request handling failed');
      if (!res.headersSent) sendError(res, 'INTERNAL_SERVER_ERROR', 'Internal server error');
      else res.destroy();
    });
  });
  // Oversized headers, malformed request lines: a GraphQL-shaped error body, not Node's empty one.
  answerGraphQLClientErrors(server, KIT_ERRORS.definitions);
  registerInProcessSubgraph(server, { execute: executeInProcess });

  return {
    server,
    async close() {
      if (await started) await apollo.stop();
      if (!server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
    },
  };
}
