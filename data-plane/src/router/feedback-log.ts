/**
 * Which route and upstream served each recent request, so a later POST /v1/feedback can credit
 * the right bandit arm. Implementations: in-memory (one process, bounded) and Redis (shared by
 * every replica, so feedback may reach any of them); both pass feedback-log.contract.ts.
 */
export interface ServedRequest {
  tenantId: string;
  route: string;
  upstream: string;
  /** The other id the same request is remembered under (its x-request-id, or the data plane's id): taken with it, so feedback counts once. */
  alias?: string;
  /** The experiment arm that served it, when the route ran one: its feedback is also a quality observation of that arm. */
  experiment?: { experimentId: string; arm: 'champion' | 'challenger' };
}

export interface FeedbackLog {
  remember(requestId: string, served: ServedRequest): Promise<void>;
  /** Takes the entry (feedback counts once); undefined when unknown, forgotten, or another tenant's. */
  take(requestId: string, tenantId: string): Promise<ServedRequest | undefined>;
}

/** The embedded default: bounded, oldest entries forgotten first; per process; keyed by tenant and request id. */
export function createInMemoryFeedbackLog(capacity = 100_000): FeedbackLog {
  const entries = new Map<string, ServedRequest>();
  // The tenant is part of the key: two tenants using the same (client-chosen) id keep separate entries.
  const keyOf = (tenantId: string, requestId: string): string => `${tenantId}\n${requestId}`;
  return {
    async remember(requestId, served) {
      const key = keyOf(served.tenantId, requestId);
      entries.delete(key);
      entries.set(key, served);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    async take(requestId, tenantId) {
      const key = keyOf(tenantId, requestId);
      const served = entries.get(key);
      // Another tenant's request looks exactly like an unknown one (and stays ratable by its owner).
      if (!served) return undefined;
      entries.delete(key);
      return served;
    },
  };
}
