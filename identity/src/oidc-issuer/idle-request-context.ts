import type { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * oidc-provider keeps each request's context in a module-level AsyncLocalStorage. On Node 20 an
 * enabled AsyncLocalStorage turns promise hooks on for every promise of the process, and nothing
 * turns them off: once the bundled issuer had signed someone in, every promise of the gateway and
 * subgraphs sharing its process (`npm start`) paid for it, ~2 % of the admin plane's CPU (issue 16).
 * The context is only read while the issuer handles a request, so this disables the storage
 * whenever no request of the issuer is in flight; oidc-provider's next `run` enables it again.
 * Requests are counted from arrival to the response's close (finished or aborted), interactions
 * included, so no request ever runs with the storage off. Another enabled storage in the process
 * (OpenTelemetry's context manager when tracing is on) keeps the hooks on, as it must.
 */
export function disableContextWhenIdle(handle: RequestHandler, context: AsyncLocalStorage<unknown>): RequestHandler {
  let inFlight = 0;
  return (req, res) => {
    inFlight += 1;
    res.once('close', () => {
      inFlight -= 1;
      if (inFlight === 0) context.disable();
    });
    handle(req, res);
  };
}

// oidc-provider exports it nowhere and ships no types for it: a specifier TypeScript does not resolve,
// typed here. It is the same module instance oidc-provider imports (same resolved file).
const PROVIDER_CONTEXT_MODULE: string = 'oidc-provider/lib/helpers/als.js';

/** oidc-provider's module-level request context. */
export async function providerRequestContext(): Promise<AsyncLocalStorage<unknown>> {
  const loaded = (await import(PROVIDER_CONTEXT_MODULE)) as { default?: unknown };
  const context = loaded.default as AsyncLocalStorage<unknown> | undefined;
  if (typeof context?.disable !== 'function' || typeof context.run !== 'function') {
    throw new Error(`${PROVIDER_CONTEXT_MODULE} is no longer oidc-provider's AsyncLocalStorage: update idle-request-context.ts`);
  }
  return context;
}

/** For tests: whether oidc-provider's request context is enabled (Node's own flag on the storage). */
export async function providerContextEnabled(): Promise<boolean> {
  return ((await providerRequestContext()) as unknown as { enabled?: boolean }).enabled === true;
}
