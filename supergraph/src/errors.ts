/**
 * Every error code the gateway itself produces (subgraph codes pass through unchanged).
 * GraphQL clients read `extensions.code`; the HTTP status fits the code.
 */
export const GATEWAY_ERRORS = {
  UNAUTHENTICATED: { status: 401, message: 'Sign in first: send "Authorization: Bearer <access token>".' },
  INVALID_API_KEY: { status: 401, message: 'The API key is not valid. Create a key with an admin scope in the console.' },
  API_KEY_REVOKED: { status: 401, message: 'The API key has been revoked. Create a new key in the console.' },
  API_KEY_EXPIRED: { status: 401, message: 'The API key has expired. Create a new key in the console.' },
  /** An API key without admin:read / admin:write (e.g. an inference-only key). */
  INSUFFICIENT_SCOPE: { status: 403, message: 'This API key has no admin scope: the GraphQL API needs admin:read or admin:write.' },
  /** Signed in, but a member of no tenant (or not of the one asked for). */
  NOT_A_MEMBER: { status: 403, message: 'You are not a member of any tenant. Ask a tenant admin to add you.' },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, message: 'The identity provider cannot be reached to check your token; retry shortly.' },
  SERVICE_STARTING: { status: 503, message: 'The API is starting; retry shortly.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  NOT_FOUND: { status: 404, message: 'Nothing here: the GraphQL API is at /graphql.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Use GET or POST on /graphql.' },
  PERSISTED_QUERY_NOT_ALLOWED: { status: 400, message: 'This operation is not in the persisted-operation allowlist.' },
  SUBSCRIPTION_OVER_HTTP: { status: 400, message: 'Subscriptions are served over WebSocket (graphql-ws protocol) at /graphql.' },
  /** A subgraph could not be reached; the rest of the response may still be there. */
  SUBGRAPH_UNAVAILABLE: { status: 503, message: 'Part of the API is temporarily unavailable; retry shortly.' },
  INTERNAL_SERVER_ERROR: { status: 500, message: 'Internal server error.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/**
 * Codes a client caused and may see with their message. Anything else (no code, internal codes,
 * DOWNSTREAM_SERVICE_ERROR for a subgraph's unhandled failure) is masked.
 */
export const INTERNAL_ERROR_CODES: ReadonlySet<string> = new Set(['INTERNAL_SERVER_ERROR', 'DOWNSTREAM_SERVICE_ERROR', 'GRAPHQL_EXECUTION_FAILED']);
