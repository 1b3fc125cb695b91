import type { Server } from 'node:http';
import type { Principal } from '@switchyard/identity';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type ExecutionResult, type FormattedExecutionResult, type GraphQLSchema, type ValidationRule } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import { GATEWAY_ERRORS, isFinal } from '@switchyard/subgraph-kit/errors';
import { authenticate, tokenExpiresAt, type VerifyAccessToken } from '../http/authenticate';
import { OPERATION_LIMITS } from '../hardening/limits';
import type { Logger } from '../logger';
import type { ChannelHub } from './channel-hub';
import { createCoalescingRefresh } from './coalescing-refresh';
import { planSubscription, type SubscriptionPlan } from './subscription-plan';

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
}

interface SubscriptionContext {
  principal: Principal;
  plan: SubscriptionPlan;
  /** The connection's credentials, checked again before every push. */
  authorization: unknown;
}

const MAX_MESSAGE_BYTES = 64 * 1024;
const MAX_SUBSCRIPTIONS_PER_CONNECTION = 50;
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
  const rules = [...specifiedRules, ...options.validationRules];
  const principals = new WeakMap<object, Principal>();
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
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: OPERATION_LIMITS.maxTokens });
        } catch (error) {
          return [error instanceof GraphQLError ? error : GATEWAY_ERRORS.create('GRAPHQL_PARSE_FAILED', 'Malformed query')];
        }
        const errors = validate(options.apiSchema, document, rules);
        if (errors.length > 0) return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const plan = planSubscription(options.apiSchema, document, payload.operationName, payload.variables);
        if (Array.isArray(plan)) return plan;
        const contextValue: SubscriptionContext = { principal, plan, authorization: ctx.connectionParams?.['authorization'] };
        return { schema: options.apiSchema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      async subscribe(args) {
        const { plan, authorization } = args.contextValue as SubscriptionContext;
        let stopListening: (() => void) | undefined;
        const stream = createCoalescingRefresh<FormattedExecutionResult>({
          // Credentials are checked again before every push (through the same caches as HTTP), so a
          // revoked key or a removed membership ends the subscription at its next event.
          refresh: async () => {
            const current = await authenticate(authorization, options.verifyAccessToken);
            if (!current.ok) return { errors: [{ message: current.message, extensions: { code: current.code } }] };
            return options.runQuery(plan, current.principal);
          },
          isFinal: endsSubscription,
          onClose: () => stopListening?.(),
        });
        // Listen first, then fetch the initial state, so no event between the two is lost.
        try {
          stopListening = await options.hub.listen(plan.route, plan.key, () => stream.trigger());
        } catch (error) {
          logger.error({ channel: plan.route.channel, err: String(error) }, 'bus subscription failed');
          await stream.return();
          return { errors: [GATEWAY_ERRORS.create('SERVICE_UNAVAILABLE')] };
        }
        stream.trigger();
        return stream as AsyncIterableIterator<FormattedExecutionResult> as unknown as AsyncIterable<ExecutionResult>;
      },
      // Results come from the gateway already formatted (masked errors): send them as they are.
      onNext: (_ctx, _id, _payload, _args, result) => result as FormattedExecutionResult,
      onError(_ctx, id, _payload, errors) {
        logger.warn({ id, errors: errors.map((error) => error.message) }, 'subscription refused');
      },
    },
    wss,
  );

  return {
    async close() {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
