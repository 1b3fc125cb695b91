/**
 * Every error a data-plane client can see, in one registry: stable code → HTTP status,
 * OpenAI error `type`, and a default message a person can act on. ERRORS.md is generated from
 * this table (`npm run -w @switchyard/data-plane errors:doc`) and a test keeps them in step.
 * Wire shape is OpenAI's: `{ "error": { "message", "type", "param", "code" } }`.
 */
export const ERROR_REGISTRY = {
  invalid_json: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request body is not valid JSON. Send a JSON object.',
  },
  invalid_request: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request body does not match the API schema; see `param` for the offending field.',
  },
  duplicate_authorization: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request carries more than one Authorization header. Send exactly one: `Authorization: Bearer <key or token>`.',
  },
  malformed_request: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The request is not valid HTTP/1.1 (request line, header syntax or message framing). Fix the client, or the proxy in front of it; the connection is closed.',
  },
  missing_api_key: {
    status: 401,
    type: 'authentication_error',
    message: 'No API key provided. Send it as `Authorization: Bearer sk-sy-...`.',
  },
  invalid_api_key: {
    status: 401,
    type: 'authentication_error',
    message: 'The API key is not valid or has expired. Create a new key in the console.',
  },
  api_key_revoked: {
    status: 401,
    type: 'authentication_error',
    message: 'The API key has been revoked. Create a new key in the console.',
  },
  insufficient_scope: {
    status: 403,
    type: 'permission_error',
    message: 'This API key lacks the scope this endpoint needs. Create a key with the scope named in the message.',
  },
  invalid_token: {
    status: 401,
    type: 'authentication_error',
    message: 'The bearer token is neither an API key (`sk-sy-...`) nor a valid access token from the configured OIDC issuer. Sign in again.',
  },
  token_expired: {
    status: 401,
    type: 'authentication_error',
    message: 'The access token has expired. Refresh it or sign in again.',
  },
  invalid_token_signature: {
    status: 401,
    type: 'authentication_error',
    message: "The access token's signature does not verify against the issuer's published keys. Use a token issued by the configured OIDC issuer, unmodified.",
  },
  invalid_token_audience: {
    status: 401,
    type: 'authentication_error',
    message: 'The access token was issued for another audience. Request a token for this API (its resource indicator).',
  },
  unknown_tenant: {
    status: 403,
    type: 'permission_error',
    message: 'The signed-in user is not a member of the tenant this request is for. Ask a tenant admin to add you, or name a tenant you belong to.',
  },
  identity_provider_unavailable: {
    status: 503,
    type: 'api_error',
    message: "The OIDC issuer's keys cannot be fetched to check this access token. Retry after the number of seconds in the Retry-After header.",
  },
  policy_denied: {
    status: 403,
    type: 'permission_error',
    message: "The tenant's policy does not allow this request. The message names the deciding policies; ask a tenant admin to change the policy.",
  },
  tool_not_permitted: {
    status: 403,
    type: 'permission_error',
    message: "The tenant's policy does not allow calling a tool this request names (in `tools` or a forced `tool_choice`). The message names the tool and the deciding policies; remove the tool or ask a tenant admin to change the policy.",
  },
  response_storage_quota_exceeded: {
    status: 403,
    type: 'insufficient_quota',
    message:
      "This tenant stores as many responses (or bytes of them) as its quota allows. Delete stored responses with DELETE /v1/responses/{id}, send `store: false`, or ask an operator to raise the quota; retrying as is will not help.",
  },
  no_permitted_upstream: {
    status: 403,
    type: 'permission_error',
    message: "The tenant's egress or data-locality policy, or its allowed regions, allow none of the providers that serve this model or route. The message lists each provider, its region and why it was refused.",
  },
  not_found: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No such route. See GET /v1/models, POST /v1/chat/completions, POST /v1/responses and POST /v1/completions.',
  },
  model_not_found: {
    status: 404,
    type: 'invalid_request_error',
    message: 'The model does not exist or is not available. List available models with GET /v1/models.',
  },
  response_not_found: {
    status: 404,
    type: 'invalid_request_error',
    message:
      "No stored response with that id exists for this API key's tenant (it was never stored, was deleted, expired, or belongs to another tenant). Send the `id` of a response created with `store` left on.",
  },
  memory_not_found: {
    status: 404,
    type: 'invalid_request_error',
    message: 'No memory with that id exists for this tenant. List memories with GET /v1/memories?collection=<name>.',
  },
  too_many_embedding_inputs: {
    status: 400,
    type: 'invalid_request_error',
    message: 'An embeddings request takes at most 2048 inputs. Split the inputs over several requests.',
  },
  embedding_input_too_large: {
    status: 400,
    type: 'invalid_request_error',
    message: 'An input is longer than 8192 tokens (about 32,768 characters), the most an embedding takes. Split the text into smaller pieces.',
  },
  embeddings_not_supported: {
    status: 400,
    type: 'invalid_request_error',
    message: "No provider of this model or route has an embeddings API. Name an embedding model (GET /v1/models), e.g. 'mock-embed-1'.",
  },
  memory_dimension_mismatch: {
    status: 400,
    type: 'invalid_request_error',
    message: "The collection holds embeddings of another dimension than this embedding model's. Use the collection's embedding model, or another collection.",
  },
  memory_quota_exceeded: {
    status: 403,
    type: 'permission_error',
    message: "This tenant stores as many memories as its quota allows. Delete memories (DELETE /v1/memories/{id}) before adding more.",
  },
  feedback_request_not_found: {
    status: 404,
    type: 'invalid_request_error',
    message:
      'No recent request with that request_id was served to this API key\'s tenant (or it was already rated). Send the x-request-id of a completed chat completion, once, soon after it ended.',
  },
  invalid_session_id: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The session id in the path is not valid. Use 1 to 128 letters, digits, `_`, `.`, `:` or `-`.',
  },
  invalid_document_update: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'The session document update is not a Yjs update: send `{"update": "<base64 of Y.encodeStateAsUpdate or an update event (v1 encoding)>"}`, one that changes something. Nothing was stored.',
  },
  session_document_not_found: {
    status: 404,
    type: 'invalid_request_error',
    message: "This tenant has no document for that session (it was never written, was deleted, or expired under the tenant's retention). POST an update to create it.",
  },
  session_document_update_too_large: {
    status: 413,
    type: 'invalid_request_error',
    message: 'The session document update is larger than the limit for one update (the message names it). Send it in smaller updates.',
  },
  session_document_too_large: {
    status: 413,
    type: 'invalid_request_error',
    message: 'With this update the session document would exceed its size limit (the message names it). Delete content from the document, or start a new session. Nothing was stored.',
  },
  session_document_quota_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    message:
      'This tenant already holds as many session documents as its quota allows, so a new one cannot be created; retrying will not help until documents are deleted (DELETE /v1/sessions/{id}/document) or expire. Existing documents can still be written.',
  },
  method_not_allowed: {
    status: 405,
    type: 'invalid_request_error',
    message: 'This route does not support that HTTP method.',
  },
  request_timeout: {
    status: 408,
    type: 'invalid_request_error',
    message: "The request's headers did not arrive in time. Send the whole request promptly; the connection is closed.",
  },
  request_too_large: {
    status: 413,
    type: 'invalid_request_error',
    message: 'The request body is larger than the limit. Send fewer or shorter messages.',
  },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request_error',
    message: 'Send the body as `Content-Type: application/json`.',
  },
  request_headers_too_large: {
    status: 431,
    type: 'invalid_request_error',
    message: "The request's headers are larger than this server accepts (16 KiB in total by default). Send smaller headers (cookies, tokens); the connection is closed.",
  },
  rate_limit_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    message: 'Too many requests for this API key. Retry after the number of seconds in the Retry-After header.',
  },
  token_quota_exceeded: {
    status: 429,
    type: 'rate_limit_error',
    message: 'The token quota of this API key or its tenant is exhausted. Lower max_tokens or retry after the number of seconds in the Retry-After header.',
  },
  request_exceeds_token_limit: {
    status: 400,
    type: 'invalid_request_error',
    message:
      'This request may use more tokens (prompt plus max_tokens) than a token limit allows at all, so it can never be admitted; retrying will not help. Lower max_tokens or shorten the prompt; the message names the limit and what remains of it.',
  },
  internal_error: {
    status: 500,
    type: 'server_error',
    message: 'The gateway failed unexpectedly. Retry; if it persists, report the x-request-id.',
  },
  upstream_error: {
    status: 502,
    type: 'upstream_error',
    message: 'The model provider returned an invalid or failed response. Retry, or choose another model.',
  },
  upstream_unavailable: {
    status: 503,
    type: 'upstream_error',
    message: 'The model provider is unavailable or overloaded. Retry after the number of seconds in the Retry-After header.',
  },
  route_not_served: {
    status: 503,
    type: 'server_error',
    message:
      "No provider on this data plane serves any model of this route (or of its fallbacks). Retrying will not help: ask an administrator to point the route at models listed by GET /v1/models.",
  },
  region_not_allowed: {
    status: 503,
    type: 'server_error',
    message:
      "The tenant's data-locality setting lets only its home region serve it, and this is another region (its home region is down or the request was routed here). Nothing was recorded here. Retry after the number of seconds in the Retry-After header; the request is served again once the home region is.",
  },
  slo_throttled: {
    status: 503,
    type: 'server_error',
    message:
      "This route's SLO is burning its error budget fast, so its batch requests are paused to protect interactive traffic. Retry after the number of seconds in the Retry-After header, or send the request as interactive.",
  },
  overloaded: {
    status: 503,
    type: 'server_error',
    message: 'Every model for this request is at its concurrency limit and queue. Retry after the number of seconds in the Retry-After header.',
  },
  feedback_unavailable: {
    status: 503,
    type: 'server_error',
    message: 'The store that remembers which model served each request (Redis) is unreachable, so the score was not recorded. Retry after the number of seconds in the Retry-After header.',
  },
  shutting_down: {
    status: 503,
    type: 'server_error',
    message: 'This gateway replica is shutting down and takes no new requests. Retry (on a new connection) after the number of seconds in the Retry-After header.',
  },
  database_unavailable: {
    status: 503,
    type: 'server_error',
    message:
      'The database this request needs (here: to look up a key not yet cached on this replica) is unreachable or dropped the connection. Retry after the number of seconds in the Retry-After header.',
  },
  memory_unavailable: {
    status: 503,
    type: 'server_error',
    message: 'The session memory this request needs (stored responses, recent turns) is unreachable. Retry after the number of seconds in the Retry-After header.',
  },
  rate_limiter_unavailable: {
    status: 503,
    type: 'server_error',
    message: 'The rate limiter is unreachable and this limit is configured to fail closed. Retry after the number of seconds in the Retry-After header.',
  },
  upstream_timeout: {
    status: 504,
    type: 'upstream_error',
    message: 'The model provider did not answer in time. Retry, or choose another model.',
  },
} as const satisfies Record<string, { status: number; type: string; message: string }>;

export type ErrorCode = keyof typeof ERROR_REGISTRY;

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: ErrorCode };
}

export interface ApiErrorOptions {
  /** Replaces the registry's default message with a more specific one. */
  message?: string;
  /** The offending request field (OpenAI `param`), e.g. `messages` or `temperature`. */
  param?: string;
  /** Sets Retry-After (seconds, rounded up). */
  retryAfterSeconds?: number;
}

/** A client-facing failure: the handler turns it into the registry's status and body. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, options: ApiErrorOptions = {}) {
    const entry = ERROR_REGISTRY[code];
    super(options.message ?? entry.message);
    this.name = 'ApiError';
    this.code = code;
    this.status = entry.status;
    this.type = entry.type;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfterSeconds));
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
