/**
 * API keys' `lastUsedAt`, recorded off the request path. `record()` is a map lookup; a key is
 * queued at most once per `perKeyIntervalMs` on this replica, and queued keys are written in one
 * batch every `flushEveryMs` (the store only ever moves a key's time forward, so replicas and
 * retries cannot move it back). The cost: `lastUsedAt` lags by up to interval + flush period.
 */
export interface ApiKeyLastUsedSink {
  touchApiKeys(uses: ReadonlyArray<{ id: string; usedAt: Date }>): Promise<number>;
}

export interface ApiKeyLastUsedRecorder {
  record(apiKeyId: string): void;
  /** Writes what is queued now (also called by the timer and by close()). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is queued. */
  close(): Promise<void>;
}

export interface ApiKeyLastUsedOptions {
  /** A key is written at most once per this interval per replica. Default 60 s. */
  perKeyIntervalMs?: number;
  /** How often queued keys are written. Default 5 s; 0 = only on flush()/close(). */
  flushEveryMs?: number;
  /** Bound on queued keys between flushes (beyond it, new keys wait for the next interval). Default 10,000. */
  maxPending?: number;
  clock?: () => number;
  onError?: (error: unknown) => void;
}

export function createApiKeyLastUsedRecorder(sink: ApiKeyLastUsedSink, options: ApiKeyLastUsedOptions = {}): ApiKeyLastUsedRecorder {
  const intervalMs = options.perKeyIntervalMs ?? 60_000;
  const maxPending = options.maxPending ?? 10_000;
  const clock = options.clock ?? Date.now;
  /** When each key was last queued: the coalescing window. */
  const queuedAt = new Map<string, number>();
  let pending = new Map<string, number>();
  let flushing: Promise<void> = Promise.resolve();

  const flushEveryMs = options.flushEveryMs ?? 5_000;
  const timer = flushEveryMs > 0 ? setInterval(() => void flush(), flushEveryMs) : undefined;
  timer?.unref();

  async function writeBatch(): Promise<void> {
    if (pending.size === 0) return;
    const batch = pending;
    pending = new Map();
    try {
      await sink.touchApiKeys([...batch].map(([id, at]) => ({ id, usedAt: new Date(at) })));
    } catch (error) {
      // Put the batch back (keeping any newer use) so the next flush retries it.
      for (const [id, at] of batch) if ((pending.get(id) ?? -Infinity) < at) pending.set(id, at);
      options.onError?.(error);
    }
    // Forget windows that have closed, so the map holds only recently used keys.
    const cutoff = clock() - intervalMs;
    for (const [id, at] of queuedAt) if (at <= cutoff) queuedAt.delete(id);
  }

  function flush(): Promise<void> {
    flushing = flushing.then(writeBatch);
    return flushing;
  }

  return {
    record(apiKeyId) {
      const now = clock();
      const last = queuedAt.get(apiKeyId);
      if (last !== undefined && now - last < intervalMs) return;
      if (pending.size >= maxPending && !pending.has(apiKeyId)) return;
      queuedAt.set(apiKeyId, now);
      pending.set(apiKeyId, now);
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      await flush();
    },
  };
}
