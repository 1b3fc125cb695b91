/**
 * Which route and upstream served each recent request, so a later POST /v1/feedback can credit
 * the right bandit arm. Bounded (oldest entries are forgotten first) and per process: feedback
 * must reach the replica that served the request.
 */
export interface ServedRequest {
  tenantId: string;
  route: string;
  upstream: string;
}

export interface FeedbackLog {
  remember(requestId: string, served: ServedRequest): void;
  /** Takes the entry (feedback counts once); undefined when unknown, forgotten, or another tenant's. */
  take(requestId: string, tenantId: string): ServedRequest | undefined;
}

export function createFeedbackLog(capacity = 100_000): FeedbackLog {
  const entries = new Map<string, ServedRequest>();
  return {
    remember(requestId, served) {
      entries.delete(requestId);
      entries.set(requestId, served);
      if (entries.size > capacity) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    take(requestId, tenantId) {
      const served = entries.get(requestId);
      // Another tenant's request looks exactly like an unknown one.
      if (!served || served.tenantId !== tenantId) return undefined;
      entries.delete(requestId);
      return served;
    },
  };
}
