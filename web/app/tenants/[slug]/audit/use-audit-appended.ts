'use client';

import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import { reconnectDelayMs } from '../../../../lib/backoff';
import { fetchAccessToken } from '../../../../lib/browser-api';
import { interpretGraphQLResponse } from '../../../../lib/graphql-response';
import { auditAppendedSubscription } from '../../../../lib/operations';

export type LiveStatus = 'live' | 'reconnecting';

/** While the socket is down the explorer still looks for new entries over HTTP at this pace. */
export const FALLBACK_POLL_MS = 15_000;
const KEEP_ALIVE_MS = 10_000;
/** Subscription errors that a reconnect cannot fix. */
const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Subscribes to `auditAppended` over graphql-ws, straight to the gateway (the live cost page's
 * approach: reconnect forever with jittered backoff, a fresh access token per attempt).
 * The server coalesces appends and pushes only the tenant's newest entry, so this hook reports
 * the newest seq seen; the explorer reads the entries in between over HTTP.
 */
export function useAuditAppended(options: { wsUrl: string; tenantId: string }) {
  const { wsUrl, tenantId } = options;
  const [client, setClient] = useState<Client | null>(null);
  const [generation, setGeneration] = useState(0);
  const [connected, setConnected] = useState(false);
  const [newestSeq, setNewestSeq] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const failures = useRef(0);

  useEffect(() => {
    const created = createClient({
      url: wsUrl,
      lazy: true,
      keepAlive: KEEP_ALIVE_MS,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: () => true,
      retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
      connectionParams: async () => ({ authorization: `Bearer ${await fetchAccessToken()}` }),
      on: {
        connected: () => {
          failures.current = 0;
          setConnected(true);
        },
        closed: () => setConnected(false),
      },
    });
    setClient(created);
    return () => {
      setClient(null);
      setConnected(false);
      void created.dispose();
    };
  }, [wsUrl, generation]);

  useEffect(() => {
    if (!client) return;
    setError(null);
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let closedByUs = false;
    let lastErrorCode: string | undefined;
    const reconnectLater = () => {
      setConnected(false);
      const delay = reconnectDelayMs(failures.current);
      failures.current += 1;
      retryTimer = setTimeout(() => setGeneration((value) => value + 1), delay);
    };
    const unsubscribe = client.subscribe(
      { query: auditAppendedSubscription.document, variables: { tenantId }, operationName: auditAppendedSubscription.name },
      {
        next: (message) => {
          const outcome = interpretGraphQLResponse(200, message, auditAppendedSubscription.data);
          if (outcome.ok) {
            lastErrorCode = undefined;
            setError(null);
            const entry = outcome.data.auditAppended;
            if (entry && entry.tenantId === tenantId) setNewestSeq((previous) => (previous === null || entry.seq > previous ? entry.seq : previous));
          } else {
            lastErrorCode = outcome.error.code;
            setError(outcome.error.message);
          }
        },
        error: (reason) => {
          if (Array.isArray(reason)) {
            const first: unknown = reason[0];
            setError(
              typeof first === 'object' && first !== null && 'message' in first && typeof first.message === 'string' ? first.message : 'The subscription was rejected.',
            );
            return;
          }
          reconnectLater();
        },
        complete: () => {
          if (closedByUs) return;
          if (lastErrorCode && PERMANENT_ERROR_CODES.has(lastErrorCode)) return;
          reconnectLater();
        },
      },
    );
    return () => {
      closedByUs = true;
      if (retryTimer) clearTimeout(retryTimer);
      unsubscribe();
    };
  }, [client, tenantId]);

  const live = connected && error === null;
  return { newestSeq, status: (live ? 'live' : 'reconnecting') as LiveStatus, error };
}
