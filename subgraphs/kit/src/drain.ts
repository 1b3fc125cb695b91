import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { KIT_ERRORS } from './errors/graphql-errors';

/**
 * Graceful shutdown (SIGTERM) of any node http server of the admin plane (a subgraph, the gateway,
 * `npm start`'s components), attached from outside its request handler. The data plane has the
 * same discipline in its own transport (data-plane/src/http/drain.ts).
 *
 * From `drain()`: readiness (`readyPath`) answers 503 and every response (in-flight ones whose
 * headers are not out too) carries `Connection: close`, so a keep-alive client makes at most one
 * more request per connection; after `graceMs` (time for load balancers to notice) every new
 * request, on a new or a kept-alive connection, gets 503 `SHUTTING_DOWN` with Retry-After; requests
 * in flight get `timeoutMs`; then the server stops listening and the remaining connections are cut.
 * WebSocket upgrades are not requests: whoever serves them closes them after the drain.
 */
export interface DrainOptions {
  /** How long new requests are still served (with `Connection: close`) after the drain begins. */
  graceMs: number;
  /** How long in-flight requests may take after the grace before they are cut. */
  timeoutMs: number;
}

export interface HttpDrain {
  readonly draining: boolean;
  /** Begins the drain (idempotent); resolves once nothing is in flight (or the bound passed) and the server is closed. */
  drain(options: DrainOptions): Promise<{ timedOut: boolean }>;
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
  let draining = false;
  let refusing = false;
  const inFlight = new Set<ServerResponse>();
  let idle: (() => void) | null = null;
  let drained: Promise<{ timedOut: boolean }> | null = null;

  const markClosing = (response: ServerResponse): void => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };

  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    if (refusing) {
      response.once('finish', () => request.socket.destroySoon());
      refuse(response);
      return;
    }
    if (draining) {
      markClosing(response);
      if ((request.url ?? '/').split('?', 1)[0] === readyPath) {
        response.writeHead(503, { 'content-type': 'text/plain' }).end('draining');
        return;
      }
    }
    inFlight.add(response);
    response.once('close', () => {
      inFlight.delete(response);
      if (inFlight.size === 0) idle?.();
    });
    for (const listener of listeners) listener.call(server, request, response);
  });

  return {
    get draining() {
      return draining;
    },
    drain(drainOptions) {
      if (drained) return drained;
      draining = true;
      for (const response of inFlight) markClosing(response);
      drained = (async () => {
        await new Promise((resolve) => setTimeout(resolve, drainOptions.graceMs));
        refusing = true;
        let timedOut = false;
        if (inFlight.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timedOut = true;
              resolve();
            }, drainOptions.timeoutMs);
            idle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        const closed = new Promise<void>((resolve) => {
          if (!server.listening) return resolve();
          server.close(() => resolve());
        });
        server.closeAllConnections();
        await closed;
        return { timedOut };
      })();
      return drained;
    },
  };
}
