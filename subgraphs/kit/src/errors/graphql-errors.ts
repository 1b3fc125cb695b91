import { defineErrors, mergeErrorRegistries, type ErrorKind } from './define-errors';

/**
 * Every code the GraphQL API (gateway and subgraphs) puts in `extensions.code`, in one place:
 * clients branch on them, so they are stable. Browser-safe (the console imports it); the
 * generated list is supergraph/GRAPHQL-ERRORS.md.
 */

/** What the kit itself answers with (transport, authentication, input parsing): every subgraph may produce these. */
export const KIT_ERRORS = defineErrors({
  UNAUTHENTICATED: {
    message: 'A valid internal token for this subgraph is required (authorization: Bearer <token>).',
    description: 'No valid credentials: at the gateway no (or an unusable) access token; at a subgraph no valid internal token. Sign in again.',
    final: true,
    kind: 'authentication',
    httpStatus: 401,
    failsRequest: true,
  },
  FORBIDDEN: {
    message: 'You may not do this.',
    description: 'The caller is known but may not do this (role, tenant, or a rule such as "a different admin must approve").',
    final: true,
    kind: 'authorization',
    httpStatus: 403,
  },
  BAD_USER_INPUT: {
    message: 'Invalid input.',
    description: 'An argument is invalid; `field` names it and the message says why.',
    final: true,
    kind: 'input',
    httpStatus: 400,
    fields: { field: 'the argument at fault, as a path (e.g. `input.slug`)' },
  },
  NOT_FOUND: {
    message: 'Nothing with that id is visible to you.',
    description: 'What the request names (an id, a slug, an HTTP path) does not exist or is not visible to the caller.',
    final: true,
    kind: 'state',
    httpStatus: 404,
  },
  METHOD_NOT_ALLOWED: { message: 'Use POST.', description: 'The HTTP method is not served on this path.', final: true, kind: 'input', httpStatus: 405 },
  PAYLOAD_TOO_LARGE: { message: 'The request body is too large.', final: true, kind: 'input', httpStatus: 413 },
  BAD_REQUEST: { message: 'The request body is not valid JSON.', description: 'The HTTP request is malformed (e.g. the body is not JSON).', final: true, kind: 'input', httpStatus: 400 },
  REQUEST_TIMEOUT: {
    message: "The request's headers did not arrive in time; the connection is closed.",
    description: 'The HTTP server refused a request whose headers came too slowly (answered below GraphQL, then the connection is closed). Send the whole request promptly.',
    final: false,
    kind: 'input',
    httpStatus: 408,
  },
  REQUEST_HEADER_FIELDS_TOO_LARGE: {
    message: "The request's headers are larger than this server accepts (16 KiB in total by default); the connection is closed.",
    description: 'The HTTP server refused headers over its limit (answered below GraphQL, then the connection is closed). Send smaller headers (cookies, tokens).',
    final: true,
    kind: 'input',
    httpStatus: 431,
  },
  SERVICE_UNAVAILABLE: {
    message: 'The GraphQL server failed to start; see the service log.',
    description: 'A service the request needs cannot serve it right now; retry shortly.',
    final: false,
    kind: 'unavailable',
    httpStatus: 503,
  },
  SHUTTING_DOWN: {
    message: 'This server is shutting down and takes no new requests; retry (on a new connection).',
    description: 'The server received SIGTERM and its grace period is over; another replica (or this one, restarted) answers a retry. Sent with Retry-After.',
    final: false,
    kind: 'unavailable',
    httpStatus: 503,
  },
  INTERNAL_SERVER_ERROR: {
    message: 'Internal server error',
    description: 'An unexpected failure: the message is masked, the details are in the service log.',
    final: false,
    kind: 'internal',
    httpStatus: 500,
  },
});

/** Codes several subgraphs (not all) produce: a subgraph takes the ones it uses into its registry. */
export const SHARED_ERROR_DEFINITIONS = {
  CONFLICT: {
    message: 'This conflicts with what is stored.',
    description: 'What is stored refuses the change (a name is taken, the thing is in another state); the message says what to do.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { field: 'the argument at fault, when one is (e.g. `input.slug`)' },
  },
  SUBSCRIPTION_VIA_GATEWAY: {
    message: 'Subscriptions are served by the supergraph gateway over graphql-ws (DESIGN.md §4), not by this subgraph.',
    final: true,
    kind: 'input',
    httpStatus: 400,
  },
  TENANT_HOMED_ELSEWHERE: {
    message: "The tenant's configuration is written in its home region, not in this one. Make the change there.",
    description:
      "Two regions (DESIGN.md §10): a tenant's replicated configuration (settings, API keys, policy versions, routes and their experiments) has one writer, its home region; this region's admin plane refuses to change it and reads stay allowed. The message names the home region; the change goes to that region's API, and reaches this one through replication.",
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { homeRegion: 'the region the tenant is homed in (where the change must be made)', region: 'the region that refused it (this one)' },
  },
} as const;

/** What the gateway itself answers with; subgraph codes pass through it unchanged. */
export const GATEWAY_ERRORS = defineErrors({
  // The gateway answers a whole request with 401 itself; its GraphQL errors (graphql-ws) carry no http extension.
  UNAUTHENTICATED: { ...KIT_ERRORS.definitions.UNAUTHENTICATED, message: 'Sign in first: send "Authorization: Bearer <access token>".', failsRequest: false },
  INVALID_API_KEY: { message: 'The API key is not valid. Create a key with an admin scope in the console.', final: true, kind: 'authentication', httpStatus: 401 },
  API_KEY_REVOKED: { message: 'The API key has been revoked. Create a new key in the console.', final: true, kind: 'authentication', httpStatus: 401 },
  API_KEY_EXPIRED: { message: 'The API key has expired. Create a new key in the console.', final: true, kind: 'authentication', httpStatus: 401 },
  /** An API key without admin:read / admin:write (e.g. an inference-only key). */
  INSUFFICIENT_SCOPE: { message: 'This API key has no admin scope: the GraphQL API needs admin:read or admin:write.', final: true, kind: 'authorization', httpStatus: 403 },
  /** Signed in, but a member of no tenant (or not of the one asked for). */
  NOT_A_MEMBER: { message: 'You are not a member of any tenant. Ask a tenant admin to add you.', final: true, kind: 'authorization', httpStatus: 403 },
  IDENTITY_PROVIDER_UNAVAILABLE: { message: 'The identity provider cannot be reached to check your token; retry shortly.', final: false, kind: 'unavailable', httpStatus: 503 },
  SERVICE_STARTING: { message: 'The API is starting; retry shortly.', final: false, kind: 'unavailable', httpStatus: 503 },
  PAYLOAD_TOO_LARGE: KIT_ERRORS.definitions.PAYLOAD_TOO_LARGE,
  BAD_REQUEST: { ...KIT_ERRORS.definitions.BAD_REQUEST, message: 'The request is malformed.' },
  REQUEST_TIMEOUT: KIT_ERRORS.definitions.REQUEST_TIMEOUT,
  REQUEST_HEADER_FIELDS_TOO_LARGE: KIT_ERRORS.definitions.REQUEST_HEADER_FIELDS_TOO_LARGE,
  NOT_FOUND: { ...KIT_ERRORS.definitions.NOT_FOUND, message: 'Nothing here: the GraphQL API is at /graphql.' },
  METHOD_NOT_ALLOWED: { ...KIT_ERRORS.definitions.METHOD_NOT_ALLOWED, message: 'Use GET or POST on /graphql.' },
  DUPLICATE_AUTHORIZATION: {
    message: 'The request carries more than one Authorization header. Send exactly one: "Authorization: Bearer <access token or API key>".',
    description: 'Two or more Authorization headers (e.g. one added by a proxy, one by the client): which one to trust is ambiguous, so the request is refused before any is checked.',
    final: true,
    kind: 'input',
    httpStatus: 400,
  },
  PERSISTED_QUERY_NOT_ALLOWED: { message: 'This operation is not in the persisted-operation allowlist.', final: true, kind: 'input', httpStatus: 400 },
  SUBSCRIPTION_OVER_HTTP: { message: 'Subscriptions are served over WebSocket (graphql-ws protocol) at /graphql.', final: true, kind: 'input', httpStatus: 400, failsRequest: true },
  GRAPHQL_PARSE_FAILED: { message: 'The operation is not valid GraphQL syntax.', final: true, kind: 'input', httpStatus: 400 },
  GRAPHQL_VALIDATION_FAILED: { message: 'The operation does not validate against the API schema.', final: true, kind: 'input', httpStatus: 400 },
  /** Too many subscriptions on one connection. */
  BAD_USER_INPUT: KIT_ERRORS.definitions.BAD_USER_INPUT,
  TOO_MANY_CONNECTIONS: {
    message: 'Too many open subscription sockets for this caller; close one first.',
    description:
      'graphql-ws: the caller (a person or an API key) already holds SUBSCRIPTIONS_MAX_SOCKETS_PER_PRINCIPAL open sockets on this gateway; the new socket is closed with code 4429 and a reason starting with this code.',
    final: true,
    kind: 'state',
    httpStatus: 429,
  },
  TOO_MANY_SUBSCRIPTIONS: {
    message: 'Too many active subscriptions for this caller; complete one first.',
    description: 'graphql-ws: the caller already holds SUBSCRIPTIONS_MAX_PER_PRINCIPAL active subscriptions over all its sockets; this subscribe is refused, the socket stays open.',
    final: true,
    kind: 'state',
    httpStatus: 429,
  },
  /** A subgraph could not be reached; the rest of the response may still be there. */
  SUBGRAPH_UNAVAILABLE: { message: 'Part of the API is temporarily unavailable; retry shortly.', final: false, kind: 'unavailable', httpStatus: 503 },
  /** Live updates: the bus cannot be listened to. */
  SERVICE_UNAVAILABLE: { ...KIT_ERRORS.definitions.SERVICE_UNAVAILABLE, message: 'Live updates are unavailable right now; retry shortly.' },
  INTERNAL_SERVER_ERROR: { ...KIT_ERRORS.definitions.INTERNAL_SERVER_ERROR, message: 'Internal server error.' },
  // Apollo's codes for failures behind the gateway: masked to INTERNAL_SERVER_ERROR before a client sees them.
  DOWNSTREAM_SERVICE_ERROR: {
    message: 'A subgraph failed unexpectedly.',
    description: 'A subgraph failed unexpectedly; clients see INTERNAL_SERVER_ERROR instead.',
    final: false,
    kind: 'internal',
    httpStatus: 502,
  },
  GRAPHQL_EXECUTION_FAILED: {
    message: 'The gateway could not execute the operation.',
    description: 'The gateway could not execute the operation; clients see INTERNAL_SERVER_ERROR instead.',
    final: false,
    kind: 'internal',
    httpStatus: 500,
  },
});

export const AUDIT_ERRORS = KIT_ERRORS.extend({ SUBSCRIPTION_VIA_GATEWAY: SHARED_ERROR_DEFINITIONS.SUBSCRIPTION_VIA_GATEWAY });

export const COST_ERRORS = KIT_ERRORS.extend({
  SUBSCRIPTION_VIA_GATEWAY: SHARED_ERROR_DEFINITIONS.SUBSCRIPTION_VIA_GATEWAY,
  INVALID_CURSOR: {
    message: 'The cursor is not one this API issued: request the first page again without `after`.',
    description: 'A pagination cursor (`after`) was altered, truncated, made up or is too long; cursors are opaque and only valid as returned.',
    final: true,
    kind: 'input',
    httpStatus: 400,
    fields: { field: 'the argument at fault (`after`)' },
  },
});

/** The SLO subgraph's codes (subgraphs/slo). */
export const SLO_ERRORS = KIT_ERRORS.extend({
  SUBSCRIPTION_VIA_GATEWAY: SHARED_ERROR_DEFINITIONS.SUBSCRIPTION_VIA_GATEWAY,
  SLO_VERSION_CONFLICT: {
    message: 'The SLO changed since the version your change is based on. Reload it and apply your change again.',
    description: 'Optimistic concurrency: the SLO changed since `expectedVersion` (or was created meanwhile); reload it and apply the change again.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { field: 'always `input.expectedVersion`', currentVersion: 'the version stored now (null: none stored)' },
  },
  SLO_LIMIT_EXCEEDED: { message: 'The tenant has as many SLOs as it may (200); delete one first.', final: true, kind: 'state', httpStatus: 409 },
});

/**
 * The memory subgraph's codes (subgraphs/memory): the kit's own. Another tenant's session or memory
 * id is NOT_FOUND, exactly like an unknown one.
 */
export const MEMORY_ERRORS = KIT_ERRORS.extend({});

/** The privacy-budget ledger's codes (subgraphs/dp/README.md explains each in context). */
export const DP_ERRORS = KIT_ERRORS.extend({
  SUBSCRIPTION_VIA_GATEWAY: SHARED_ERROR_DEFINITIONS.SUBSCRIPTION_VIA_GATEWAY,
  DP_INVALID_AMOUNT: {
    message: 'The amount is not a positive decimal of at most 10⁹.',
    description: 'An amount, cap, ε, ρ or sensitivity is not a positive decimal of at most 10⁹.',
    final: true,
    kind: 'input',
    httpStatus: 422,
    fields: { field: 'the argument at fault, when one is' },
  },
  DP_MECHANISM_NOT_ALLOWED: { message: 'The discrete Gaussian mechanism needs a zCDP budget, not a pure-ε one.', final: true, kind: 'input', httpStatus: 422 },
  DP_BUDGET_EXCEEDED: {
    message: 'The charge would pass the budget cap; nothing was charged.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { remainingMicros: 'what the budget has left, in micro-units (decimal string)', requestedMicros: 'what the charge asked for, in micro-units (decimal string)' },
  },
  DP_BUDGET_EXISTS: { message: 'The dataset already has a privacy budget in this tenant.', final: true, kind: 'state', httpStatus: 409 },
  DP_CAP_BELOW_USED: {
    message: 'The cap cannot go below what the budget has already spent or reserved.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { field: 'always `input.cap`', usedMicros: 'spent + reserved, in micro-units (decimal string)' },
  },
  DP_BUDGET_IN_USE: {
    message: 'The budget has reservations not yet committed or released; settle them (or wait for their timeout) before deleting it.',
    final: true,
    kind: 'state',
    httpStatus: 409,
  },
  DP_IDEMPOTENCY_CONFLICT: { message: 'The idempotency key was already used for a different charge; use a new key.', final: true, kind: 'state', httpStatus: 409 },
  DP_CHARGE_NOT_RESERVED: { message: 'The charge is not reserved: a released charge cannot be committed, a committed one not released.', final: true, kind: 'state', httpStatus: 409 },
  DP_NOISE_DRAWN: { message: 'Noise was drawn for this charge, so its budget is spent for good: nothing is refunded.', final: true, kind: 'state', httpStatus: 409 },
  DP_RESERVATION_EXPIRED: { message: 'The reservation timed out before the commit; reserve again with a new idempotency key.', final: true, kind: 'state', httpStatus: 409 },
});

export const EXPERIMENTS_ERRORS = KIT_ERRORS.extend({
  CONFLICT: SHARED_ERROR_DEFINITIONS.CONFLICT,
  TENANT_HOMED_ELSEWHERE: SHARED_ERROR_DEFINITIONS.TENANT_HOMED_ELSEWHERE,
  SUBSCRIPTION_VIA_GATEWAY: SHARED_ERROR_DEFINITIONS.SUBSCRIPTION_VIA_GATEWAY,
  VERSION_CONFLICT: {
    message: 'The route changed since the version your change is based on. Reload it and apply your change again.',
    description: 'Optimistic concurrency: the route changed since `expectedVersion`; reload it and apply the change again.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { field: 'always `expectedVersion`', expectedVersion: 'the version the caller sent', currentVersion: 'the version stored now' },
  },
  LIMIT_EXCEEDED: { message: 'The tenant has as many routes as it may; delete one first.', final: true, kind: 'state', httpStatus: 409 },
  ROUTE_PINNED: {
    message: 'The route is pinned to a version: unpin it before changing it, starting an experiment on it or promoting into it.',
    description: 'A pinned route serves its pinned version and refuses every change (update, rollback, experiment start, promotion, revert) until it is unpinned.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { pinnedVersion: 'the version the route is pinned to' },
  },
  EXPERIMENT_RUNNING: {
    message: 'The route already runs an experiment; stop it first.',
    description: 'At most one experiment runs on a route at a time (two concurrent starts resolve to one).',
    final: true,
    kind: 'state',
    httpStatus: 409,
  },
  EXPERIMENT_STATE: {
    message: 'The experiment is not in a state that allows this change (e.g. it was already promoted or stopped).',
    description: 'Lifecycle changes move an experiment from one status to the next (running → promoted/stopped, promoted → reverted); of two concurrent promotions exactly one applies and the other gets this code.',
    final: true,
    kind: 'state',
    httpStatus: 409,
    fields: { status: 'the status the experiment is in now' },
  },
});

export const POLICY_ERRORS = KIT_ERRORS.extend({
  CONFLICT: SHARED_ERROR_DEFINITIONS.CONFLICT,
  TENANT_HOMED_ELSEWHERE: SHARED_ERROR_DEFINITIONS.TENANT_HOMED_ELSEWHERE,
  // An invalid policy text says where and why, for every problem found.
  BAD_USER_INPUT: {
    ...KIT_ERRORS.definitions.BAD_USER_INPUT,
    fields: {
      ...KIT_ERRORS.definitions.BAD_USER_INPUT.fields,
      policyCode: 'invalid policy text: the engine code (POLICY_SYNTAX_ERROR or POLICY_INVALID) of the first problem',
      line: 'invalid policy text: line of the first problem',
      column: 'invalid policy text: column of the first problem',
      offset: 'invalid policy text: offset of the first problem',
      reason: 'invalid policy text: the first problem',
      errors: 'invalid policy text: every problem, each with policyCode, line, column, offset and reason',
    },
  },
  SAME_ADMIN: { message: 'You proposed this version; a different admin must approve it.', final: true, kind: 'authorization', httpStatus: 403 },
  POLICY_LOCKOUT: {
    message: 'This policy would lock every tenant admin out of managing policies.',
    final: true,
    kind: 'input',
    httpStatus: 422,
    fields: { deniedBy: 'the policies that would deny it (empty when nothing permits it)' },
  },
});

export const TENANTS_ERRORS = KIT_ERRORS.extend({
  CONFLICT: SHARED_ERROR_DEFINITIONS.CONFLICT,
  TENANT_HOMED_ELSEWHERE: SHARED_ERROR_DEFINITIONS.TENANT_HOMED_ELSEWHERE,
  LAST_ADMIN: { message: "This is the tenant's last tenant_admin: make another member tenant_admin first.", final: true, kind: 'state', httpStatus: 409 },
  UNKNOWN_EMAIL: {
    message: 'No one with that e-mail address is known to the identity provider.',
    description: 'A member was named by e-mail and the identity provider\'s directory knows no one (or more than one person) with that address; check it, or add the member by subject.',
    final: true,
    kind: 'input',
    httpStatus: 404,
    fields: { field: 'always `input.email`' },
  },
  NOT_CONFIGURED: {
    message: 'This deployment lacks what the operation needs.',
    description: 'The deployment lacks what the operation needs (e.g. no master key for secrets); an operator has to configure it.',
    final: true,
    kind: 'unavailable',
    httpStatus: 501,
  },
  WEBHOOK_ADDRESS_REFUSED: {
    message: 'Refused by policy: the webhook address is not public. Use a public https URL.',
    description:
      'The alert webhook names (or its host name resolves to) an address webhooks may not reach: loopback, private, link-local, cloud metadata, multicast or reserved. Nothing was sent; the message does not say more about the network.',
    final: true,
    kind: 'input',
    httpStatus: 400,
    fields: { field: 'the argument at fault, when one is (`input.url`)' },
  },
});

/**
 * Every code any part of the GraphQL API can answer with, each once (the gateway's wording
 * first). Clients use this: `isFinal(code)` says whether retrying can help.
 */
export const GRAPHQL_ERRORS = mergeErrorRegistries({
  gateway: GATEWAY_ERRORS,
  audit: AUDIT_ERRORS,
  cost: COST_ERRORS,
  dp: DP_ERRORS,
  experiments: EXPERIMENTS_ERRORS,
  memory: MEMORY_ERRORS,
  policy: POLICY_ERRORS,
  slo: SLO_ERRORS,
  tenants: TENANTS_ERRORS,
});

export type GraphQLErrorCode = (typeof GRAPHQL_ERRORS.codes)[number];

/** Whether a client should stop retrying on this code (unknown codes are not final). */
export function isFinal(code: unknown): boolean {
  return GRAPHQL_ERRORS.isFinal(code);
}

/** The code's kind (e.g. `authentication`: a fresh token may help); undefined for an unknown code. */
export function errorKindOf(code: unknown): ErrorKind | undefined {
  return GRAPHQL_ERRORS.kindOf(code);
}
