/**
 * Which route and upstream served each recent request, so a later POST /v1/feedback can credit
 * the right bandit arm. Implementations: in-memory (one process, bounded) and Redis (shared by
 * every replica, so feedback may reach any of them); both pass feedback-log.contract.ts.
 */
export interface ServedRequest {
  tenantId: string;
  route: string;
  upstream: string;
}

export interface FeedbackLog {
  remember(requestId: string, served: ServedRequest): Promise<void>;
  /** Takes the entry (feedback counts once); undefined when unknown, forgotten, or another tenant's. */
  take(requestId: string, tenantId: string): Promise<ServedRequest | undefined>;
}

/** The embedded default: bounded, oldest entries forgotten first; per process. */
export function createInMemoryFeedbackLog(capacity = 100_000): FeedbackLog {
  const entries = new Map<string, ServedRequest>();
  return {
    async remember(requestId, served) {
      entries.delete(requestId);
      entries.set(requestId, served);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    async take(requestId, tenantId) {
      const served = entries.get(requestId);
      // Another tenant's request looks exactly like an unknown one (and stays ratable by its owner).
      if (!served || served.tenantId !== tenantId) return undefined;
      entries.delete(requestId);
      return served;
    },
  };
}
