import type { Server } from 'node:http';
import type { Principal } from '@switchyard/identity';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { specifiedRules, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { GATEWAY_ERRORS, isFinal } from '@switchyard/subgraph-kit/errors';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { authenticate, tokenExpiresAt, type VerifyAccessToken } from '../http/authenticate';
import type { Logger } from '../logger';
import type { ChannelHub } from './channel-hub';
import { createSharedPayloads } from './shared-payload';
import { checkOncePerTurn, createSharedRefreshes } from './shared-refresh';
import { createValidatedDocuments } from './validated-documents';
import { planSubscription, type SubscriptionPlan } from './subscription-plan';
import { DEFAULT_SUBSCRIPTION_LIMITS, type SubscriptionLimits } from './subscription-limits';

export type RunQuery = (plan: SubscriptionPlan, principal: Principal) => Promise<FormattedExecutionResult>;

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  /** The public API schema subscriptions are validated against. */
  apiSchema: GraphQLSchema;
  /** Extra validation (depth, aliases, cost …) on top of the spec rules. */
  validationRules: readonly ValidationRule[];
  verifyAccessToken: VerifyAccessToken;
  hub: ChannelHub;
  runQuery: RunQuery;
  /** Browser origins allowed to open a socket; requests without Origin (non-browsers) are allowed. */
  allowedOrigins: ReadonlySet<string>;
  logger: Logger;
  /** Sockets and subscriptions per principal (default 10 and 100). */
  limits?: SubscriptionLimits;
}

interface SubscriptionContext {
  principal: Principal;
  plan: SubscriptionPlan;
  /** The connection's credentials, checked again before every push. */
  authorization: unknown;
}

const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;
/** graphql-ws's "too many" close code: its clients do not retry it, so an over-cap caller does not reconnect in a loop. */
export const TOO_MANY_CONNECTIONS_CLOSE_CODE = 4429;

/** What a socket error looks like in the log: one line, no stack (ws's own errors carry a `code`, e.g. WS_ERR_UNSUPPORTED_MESSAGE_LENGTH). */
function socketErrorFields(error: unknown): { code?: string; reason: string } {
  if (!(error instanceof Error)) return { reason: String(error) };
  const code = (error as { code?: unknown }).code;
  return { ...(typeof code === 'string' ? { code } : {}), reason: error.message };
}
/** A result after which a subscription cannot recover (a final code): stop instead of retrying forever. */
function endsSubscription(result: FormattedExecutionResult): boolean {
  return result.errors?.some((error) => isFinal(error.extensions?.['code'])) ?? false;
}

/** Longest delay setTimeout accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A socket lives no longer than the access token it was opened with; the client reconnects with a fresh one. */
function closeWhenTokenExpires(socket: WebSocket, token: string): void {
  const expiresAt = tokenExpiresAt(token);
  if (expiresAt === undefined) return;
  const timer = setTimeout(() => socket.close(CloseCode.Unauthorized, 'UNAUTHENTICATED: access token expired; reconnect with a fresh one'), Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS));
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/**
 * graphql-ws on the gateway's HTTP server (DESIGN.md §4). The gateway cannot execute
 * subscriptions, so each one becomes: listen for its key-only bus events, and on each (and once
 * at the start) run the matching query through the gateway under the subscriber's identity.
 */
export function attachSubscriptionServer(options: SubscriptionServerOptions): { close(): Promise<void> } {
  const { logger } = options;
  const limits = options.limits ?? DEFAULT_SUBSCRIPTION_LIMITS;
  const validatedDocument = createValidatedDocuments(options.apiSchema, [...specifiedRules, ...options.validationRules]);
  const payloads = createSharedPayloads();
  const refreshes = createSharedRefreshes({
    hub: options.hub,
    runPlan: options.runQuery,
    // Credentials are checked again before every push (through the same caches as HTTP), so a
    // revoked key or a removed membership ends the subscription at its next event.
    reauthenticate: checkOncePerTurn((authorization) => authenticate(authorization, options.verifyAccessToken)),
    isFinal: endsSubscription,
    logger,
  });
  const principals = new WeakMap<object, Principal>();
  /** The open sockets (graphql-ws contexts) of each principal; `ctx.subscriptions` holds each socket's active subscriptions. */
  const socketsByPrincipal = new Map<string, Set<{ subscriptions: Record<string, unknown> }>>();
  const principalKeys = new WeakMap<object, string>();
  const wss = new WebSocketServer({
    server: options.httpServer,
    path: options.path,
    maxPayload: MAX_MESSAGE_BYTES,
    verifyClient: ({ origin }: { origin?: string }) => !origin || options.allowedOrigins.has(origin),
  });

  const disposable = useServer<Record<string, unknown>>(
    {
      schema: options.apiSchema,
      isProd: true,
      async onConnect(ctx) {
        const auth = await authenticate(ctx.connectionParams?.['authorization'], options.verifyAccessToken);
        if (auth.ok) {
          // A socket that closed while it was being authenticated has had its onClose already: not counted.
          if (ctx.extra.socket.readyState !== ctx.extra.socket.OPEN) return false;
          // Checked and counted in one synchronous step after the await: concurrent connects cannot both pass.
          const key = auditActor(auth.principal);
          const sockets = socketsByPrincipal.get(key) ?? new Set();
          if (sockets.size >= limits.maxSocketsPerPrincipal) {
            logger.warn({ principal: key, sockets: sockets.size, limit: limits.maxSocketsPerPrincipal }, 'subscription socket refused: too many for this principal');
            const reason = `TOO_MANY_CONNECTIONS: at most ${limits.maxSocketsPerPrincipal} open sockets per caller; close one first`;
            ctx.extra.socket.close(TOO_MANY_CONNECTIONS_CLOSE_CODE, reason.slice(0, 120));
            return false;
          }
          sockets.add(ctx);
          socketsByPrincipal.set(key, sockets);
          // The upgrade request (headers, parser state) is not needed after authentication; graphql-ws
          // would keep it for the socket's whole life (a few KB per socket, 10,000 sockets per process).
          Reflect.deleteProperty(ctx.extra, 'request');
          principalKeys.set(ctx, key);
          principals.set(ctx, auth.principal);
          closeWhenTokenExpires(ctx.extra.socket, auth.token);
          return true;
        }
        // Close reasons are limited to 123 bytes.
        const reason = `${auth.code}: ${auth.message}`.slice(0, 120);
        ctx.extra.socket.close(auth.code === 'UNAUTHENTICATED' ? CloseCode.Unauthorized : 1013, reason);
        return false;
      },
      onSubscribe(ctx, _id, payload) {
        const principal = principals.get(ctx);
        if (!principal) return [GATEWAY_ERRORS.create('UNAUTHENTICATED', 'Not authenticated')];
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [GATEWAY_ERRORS.create('BAD_USER_INPUT', `At most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} subscriptions per connection.`)];
        }
        // graphql-ws has already entered this one in ctx.subscriptions, and removes each when it ends
        // (completed by either side, failed, or its socket closed): the count includes this one.
        const key = principalKeys.get(ctx);
        const active = [...(key ? (socketsByPrincipal.get(key) ?? []) : [])].reduce((sum, socket) => sum + Object.keys(socket.subscriptions).length, 0);
        if (active > limits.maxSubscriptionsPerPrincipal) {
          logger.warn({ principal: key, active: active - 1, limit: limits.maxSubscriptionsPerPrincipal }, 'subscription refused: too many for this principal');
          return [GATEWAY_ERRORS.create('TOO_MANY_SUBSCRIPTIONS', `At most ${limits.maxSubscriptionsPerPrincipal} active subscriptions per caller; complete one first.`)];
        }
        const validated = validatedDocument(payload.query);
        if ('errors' in validated) return [...validated.errors];
        const { document } = validated;
        const plan = planSubscription(options.apiSchema, document, payload.operationName, payload.variables);
        if (Array.isArray(plan)) return plan;
        const contextValue: SubscriptionContext = { principal, plan, authorization: ctx.connectionParams?.['authorization'] };
        return { schema: options.apiSchema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      async subscribe(args) {
        const { plan, principal, authorization } = args.contextValue as SubscriptionContext;
        // Coalesced: subscribers sharing tenant, answer class and selection share one query run per
        // event; each checks its own credentials before every push (shared-refresh.ts).
        try {
          const stream = await refreshes.join(plan, principal, authorization);
          return stream as AsyncIterableIterator<FormattedExecutionResult> as unknown as AsyncIterable<ExecutionResult>;
        } catch (error) {
          logger.error({ channel: plan.route.channel, err: String(error) }, 'bus subscription failed');
          return { errors: [GATEWAY_ERRORS.create('SERVICE_UNAVAILABLE')] };
        }
      },
      // Results come from the gateway already formatted (masked errors): sent as they are, each
      // shared result serialized once for all its subscribers (shared-payload.ts).
      onNext: (ctx, _id, _payload, _args, result) => payloads.standIn(ctx.extra.socket, result) as unknown as FormattedExecutionResult,
      onError(_ctx, id, _payload, errors) {
        logger.warn({ id, errors: errors.map((error) => error.message) }, 'subscription refused');
      },
      onClose(ctx) {
        const key = principalKeys.get(ctx);
        if (key === undefined) return;
        const sockets = socketsByPrincipal.get(key);
        sockets?.delete(ctx);
        if (sockets?.size === 0) socketsByPrincipal.delete(key);
      },
    },
    wss,
  );

  // graphql-ws prints every socket error with its stack to stderr (console.error), e.g. each frame
  // over maxPayload, which anyone can send before authenticating. ws has already closed the socket
  // (1009 for an oversized frame); log one line instead. Registered after useServer's listener,
  // so its per-socket error handler exists to be replaced.
  wss.on('connection', (socket: WebSocket) => {
    // Every outgoing message passes here: a `next` carries a stand-in for its shared payload, and
    // goes out as the result's UTF-8 bytes; `binary: false` keeps it a text frame, as graphql-ws sends.
    const send = socket.send.bind(socket) as (data: string | Buffer, options: { binary: boolean }, callback?: (error?: Error) => void) => void;
    (socket as { send: unknown }).send = (data: unknown, callback?: (error?: Error) => void) =>
      send(typeof data === 'string' ? payloads.splice(socket, data) : (data as Buffer), { binary: false }, callback);
    socket.removeAllListeners('error');
    socket.on('error', (error: unknown) => {
      logger.warn(socketErrorFields(error), 'websocket error; connection closed');
      if (socket.readyState === socket.OPEN) socket.close(CloseCode.InternalServerError, 'Internal server error');
    });
  });

  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
