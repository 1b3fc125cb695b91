import type { StoredResponse } from './session-window';

/**
 * What an operator sees of a tenant's sessions (the admin plane's list and inspect): read from the
 * durable snapshot, which holds every session the fast store holds (writes go through to it). A
 * session is its window (turns) and the responses stored under its id; either may be absent.
 */
export interface SessionSummary {
  readonly sessionId: string;
  /** Turns in the window now (0 when only stored responses exist). */
  readonly turns: number;
  readonly responses: number;
  /** The window's and the stored responses' bytes. */
  readonly bytes: number;
  readonly updatedAt: Date;
  readonly expiresAt: Date;
}

/** Keyset position: the last row of the previous page (newest first). */
export interface SessionCursor {
  readonly updatedAt: Date;
  readonly sessionId: string;
}

export interface SessionDirectory {
  /** The tenant's live sessions, most recently written first, at most `limit`, after `before` when given. */
  listSessions(tenantId: string, options: { limit: number; before?: SessionCursor }): Promise<SessionSummary[]>;
  /** Null when the tenant has no live session by this id (another tenant's id is simply not found). */
  getSession(tenantId: string, sessionId: string): Promise<SessionSummary | null>;
  /** The session's live stored responses, newest first, at most `limit`. */
  sessionResponses(tenantId: string, sessionId: string, limit: number): Promise<StoredResponse[]>;
}
