/**
 * The session window of the memory fabric: per tenant and session, the recent turns of a
 * conversation and the responses a client asked the gateway to store (POST /v1/responses with
 * `store`). One port, several implementations (in-process, Redis with TTL, and either behind a
 * durable Postgres snapshot); every one passes `./session-window.contract.ts`.
 *
 * Everything here is already redacted: the data plane stores only what it sent to a provider.
 * Every id is the caller's tenant's: implementations key everything by tenant, so another
 * tenant's response id is simply not found.
 */

export type TurnRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool';

/** One message of a conversation, as text (non-text parts are not kept in memory). */
export interface SessionTurn {
  readonly role: TurnRole;
  readonly content: string;
  /** An assistant turn that called tools: the calls (a provider needs them before the tool results). */
  readonly toolCalls?: readonly { readonly id: string; readonly name: string; readonly arguments: string }[];
  /** A tool turn: the call it answers. */
  readonly toolCallId?: string;
}

/** A response the client asked to store: what `GET /v1/responses/{id}` shows and `previous_response_id` continues. */
export interface StoredResponse {
  /** The data plane's id (`resp_…`). */
  readonly id: string;
  /** The conversation it belongs to: the first response of its `previous_response_id` chain, or the client's session header. */
  readonly sessionId: string;
  readonly previousResponseId: string | null;
  /** Unix seconds. */
  readonly createdAt: number;
  /** The model that answered (a route answers under the model that served it). */
  readonly model: string;
  readonly instructions: string | null;
  readonly status: 'completed' | 'incomplete';
  /** This request's own input turns (redacted), without the earlier conversation. */
  readonly input: readonly SessionTurn[];
  readonly outputText: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number };
  /**
   * The conversation up to and including this answer (the earlier context, the input, the
   * answer), bounded by the window's `maxTurns` and `maxWindowBytes`: what a later request that
   * names this response as `previous_response_id` is answered with, read in one lookup.
   */
  readonly context: readonly SessionTurn[];
  readonly metadata: Readonly<Record<string, string>> | null;
  /** The client's own id for its end user (`user`), when it sent one: who a data-subject request can find it by. */
  readonly user?: string | null;
}

export interface SessionWindowLimits {
  /** How long a session window and a stored response live after their last write. */
  readonly ttlSeconds: number;
  /** Turns kept per session window (and per stored response's context), newest kept. */
  readonly maxTurns: number;
  /** Bytes (UTF-8 of the JSON turns) kept per session window, newest kept; the newest turn always stays. */
  readonly maxWindowBytes: number;
  /** Stored responses per tenant at once (expired ones do not count). */
  readonly maxResponsesPerTenant: number;
  /** Bytes of stored responses per tenant at once (expired ones do not count). */
  readonly maxBytesPerTenant: number;
}

/** Defaults: a day of memory, 100 turns / 256 KiB per window, 10,000 responses / 64 MiB per tenant. */
export const DEFAULT_SESSION_WINDOW_LIMITS: SessionWindowLimits = {
  ttlSeconds: 24 * 60 * 60,
  maxTurns: 100,
  maxWindowBytes: 256 * 1024,
  maxResponsesPerTenant: 10_000,
  maxBytesPerTenant: 64 * 1024 * 1024,
};

export interface TenantMemoryUsage {
  readonly responses: number;
  readonly bytes: number;
}

/** Storing a response would take the tenant past its quota; nothing was stored. */
export class SessionQuotaExceededError extends Error {
  override readonly name = 'SessionQuotaExceededError';
  constructor(
    readonly limit: 'responses' | 'bytes',
    readonly usage: TenantMemoryUsage,
    readonly limits: Pick<SessionWindowLimits, 'maxResponsesPerTenant' | 'maxBytesPerTenant'>,
  ) {
    super(
      limit === 'responses'
        ? `this tenant already stores ${usage.responses} responses, its limit (${limits.maxResponsesPerTenant})`
        : `storing this response would take this tenant past its ${limits.maxBytesPerTenant} bytes of stored responses (${usage.bytes} in use)`,
    );
  }
}

export interface SessionWindow {
  readonly kind: string;
  /**
   * Stores a response (idempotent by id: storing the same id again replaces it and counts once).
   * Throws SessionQuotaExceededError, storing nothing, when the tenant's quota would be exceeded.
   */
  putResponse(tenantId: string, response: StoredResponse): Promise<void>;
  /** The tenant's response, or null (unknown, expired, deleted, or another tenant's). */
  getResponse(tenantId: string, id: string): Promise<StoredResponse | null>;
  /** Deletes the tenant's response; false when it had none by that id. */
  deleteResponse(tenantId: string, id: string): Promise<boolean>;
  /** Appends turns to the session's window (trimmed to the limits, oldest first out) and returns the window. */
  appendTurns(tenantId: string, sessionId: string, turns: readonly SessionTurn[]): Promise<SessionTurn[]>;
  /** The session's newest `count` turns, oldest first; empty for an unknown session. */
  recentTurns(tenantId: string, sessionId: string, count: number): Promise<SessionTurn[]>;
  /**
   * Forgets the session: its window and every response stored under it (the console's delete).
   * False when the tenant had neither.
   */
  deleteSession(tenantId: string, sessionId: string): Promise<boolean>;
  /** What the tenant stores now (expired responses not counted). */
  usage(tenantId: string): Promise<TenantMemoryUsage>;
  close(): Promise<void>;
}
