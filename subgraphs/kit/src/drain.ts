import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createHttpDrain, type DrainOptions, type DrainOutcome } from '@switchyard/http-edge/drain';
import { KIT_ERRORS } from './errors/graphql-errors';

/**
 * Graceful shutdown (SIGTERM) of any node http server of the admin plane (a subgraph, the gateway,
 * `npm start`'s components), attached from outside its request handler: the data plane's drain
 * (`@switchyard/http-edge/drain`) with the GraphQL refusal and the readiness path added.
 *
 * From `drain()`: readiness (`readyPath`) answers 503 and every response (in-flight ones whose
 * headers are not out too) carries `Connection: close`; after `graceMs` every new request gets 503
 * `SHUTTING_DOWN` with Retry-After; requests in flight get `timeoutMs`; then the server stops
 * listening and the remaining connections are cut. WebSocket upgrades are not requests: whoever
 * serves them closes them after the drain.
 */
export type { DrainOptions } from '@switchyard/http-edge/drain';

export interface HttpDrain {
  readonly draining: boolean;
  /** Begins the drain (idempotent); resolves once nothing is in flight (or the bound passed) and the server is closed. */
  drain(options: DrainOptions): Promise<DrainOutcome>;
}

export interface AttachDrainOptions {
  /** Answered 503 from the start of the drain (otherwise passed to the server's own handler). Default `/readyz`. */
  readyPath?: string;
}

const SHUTTING_DOWN_BODY = JSON.stringify({ errors: [{ message: KIT_ERRORS.definitions.SHUTTING_DOWN.message, extensions: { code: 'SHUTTING_DOWN' } }] });

function refuse(response: ServerResponse): void {
  response.writeHead(503, { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1', connection: 'close' });
  response.end(SHUTTING_DOWN_BODY);
}

/** Wraps `server`'s request listeners (attach before it listens) and returns its drain. */
export function attachHttpDrain(server: Server, options: AttachDrainOptions = {}): HttpDrain {
  const readyPath = options.readyPath ?? '/readyz';
  const listeners = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  const drain = createHttpDrain(server, refuse);
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (!drain.admit(request, response)) return;
    if (drain.draining && (request.url ?? '/').split('?', 1)[0] === readyPath) {
      response.writeHead(503, { 'content-type': 'text/plain' }).end('draining');
      return;
    }
    for (const listener of listeners) listener.call(server, request, response);
  });
  return {
    get draining() {
      return drain.draining;
    },
    drain: (drainOptions) => drain.drain(drainOptions),
  };
}
