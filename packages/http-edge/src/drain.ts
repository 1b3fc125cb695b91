import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Graceful shutdown of one HTTP server (SIGTERM): readiness goes false at once and every response
 * from then on (those in flight included, unless their headers are out) carries `Connection: close`,
 * so a keep-alive client makes at most one more request per connection and load balancers stop
 * sending; after `graceMs` (time for them to notice) every new request is refused (`refuse`: a 503
 * with Retry-After, `Connection: close`); requests and streams in flight get up to `timeoutMs` to
 * finish; then the server stops listening and the remaining connections are destroyed.
 */
export interface DrainOptions {
  /** How long new requests are still served (with `Connection: close`) after the drain begins. */
  graceMs: number;
  /** How long in-flight requests and streams may take after the grace before they are cut. */
  timeoutMs: number;
}

export interface DrainOutcome {
  /** In-flight requests were cut because they outlived `timeoutMs`. */
  timedOut: boolean;
}

export interface HttpDrain {
  /** True from the moment the drain begins: readiness answers 503. */
  readonly draining: boolean;
  /**
   * Call first for every request. Marks the response `Connection: close` while draining; once
   * the grace is over it refuses the request (through `refuse`) and returns false.
   */
  admit(request: IncomingMessage, response: ServerResponse): boolean;
  /** Begins the drain (idempotent) and resolves once no request is in flight and the server is closed. */
  drain(options: DrainOptions): Promise<DrainOutcome>;
}

export function createHttpDrain(server: Server, refuse: (response: ServerResponse) => void): HttpDrain {
  let draining = false;
  let refusing = false;
  const inFlight = new Set<ServerResponse>();
  let idle: (() => void) | null = null;
  let drained: Promise<DrainOutcome> | null = null;

  function markClosing(response: ServerResponse): void {
    if (!response.headersSent) response.setHeader('connection', 'close');
  }

  return {
    get draining() {
      return draining;
    },
    admit(request, response) {
      if (refusing) {
        markClosing(response);
        // Whatever body is still coming is not read: close the connection once the answer is out.
        response.once('finish', () => request.socket.destroySoon());
        refuse(response);
        return false;
      }
      if (draining) markClosing(response);
      inFlight.add(response);
      response.once('close', () => {
        inFlight.delete(response);
        if (inFlight.size === 0) idle?.();
      });
      return true;
    },
    drain(options) {
      if (drained) return drained;
      draining = true;
      // Answers not started yet close their connection too.
      for (const response of inFlight) markClosing(response);
      drained = (async () => {
        await new Promise((resolve) => setTimeout(resolve, options.graceMs));
        // From here every new request, on a new or a kept-alive connection, gets the refusal: an answer
        // a client can act on, where closing idle keep-alive sockets races with requests already sent.
        refusing = true;
        let timedOut = false;
        if (inFlight.size > 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              timedOut = true;
              resolve();
            }, options.timeoutMs);
            idle = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
        // Stop listening; cut requests that outlived the bound and the keep-alive sockets left open.
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
