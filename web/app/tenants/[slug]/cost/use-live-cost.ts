'use client';

import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import { reconnectDelayMs } from '../../../../lib/backoff';
import { callConsoleApi, fetchAccessToken } from '../../../../lib/browser-api';
import { interpretGraphQLResponse } from '../../../../lib/graphql-response';
import {
  costSummaryQuery,
  costUpdatedSubscription,
  type CostSummary,
  type CostWindow,
} from '../../../../lib/operations';

export type LiveStatus = 'live' | 'reconnecting';

/** While the socket is down the dashboard still refreshes over HTTP at this pace. */
const FALLBACK_POLL_MS = 15_000;
const KEEP_ALIVE_MS = 10_000;
/** Subscription errors that a reconnect cannot fix. */
const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

interface LiveCost {
  summary: CostSummary | null;
  status: LiveStatus;
  error: string | null;
}

/**
 * Subscribes to `costUpdated` over graphql-ws, straight to the gateway. The socket reconnects
 * forever with jittered exponential backoff, fetching a fresh access token for every attempt.
 */
export function useLiveCost(options: {
  wsUrl: string;
  tenantId: string;
  window: CostWindow;
  initialSummary: CostSummary | null;
}): LiveCost {
  const { wsUrl, tenantId, window } = options;
  const [client, setClient] = useState<Client | null>(null);
  const [generation, setGeneration] = useState(0);
  const [connected, setConnected] = useState(false);
  const [summary, setSummary] = useState<CostSummary | null>(options.initialSummary);
  const [error, setError] = useState<string | null>(null);
  const windowRef = useRef(window);
  useEffect(() => {
    windowRef.current = window;
  }, [window]);
  const failures = useRef(0);

  const accept = (next: CostSummary) => {
    // Drop late frames from a window the user has already switched away from.
    if (next.window === windowRef.current && next.tenantId === tenantId) setSummary(next);
  };

  useEffect(() => {
    const created = createClient({
      url: wsUrl,
      // Lazy: the socket lives exactly as long as the dashboard's subscription.
      lazy: true,
      keepAlive: KEEP_ALIVE_MS,
      retryAttempts: Number.POSITIVE_INFINITY,
      // Also retry when the token request fails (console restarting, network blip).
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
    // Rebuild the socket (with a fresh token) after a backoff.
    const reconnectLater = () => {
      setConnected(false);
      const delay = reconnectDelayMs(failures.current);
      failures.current += 1;
      retryTimer = setTimeout(() => setGeneration((value) => value + 1), delay);
    };
    const unsubscribe = client.subscribe(
      { query: costUpdatedSubscription.document, variables: { tenantId, window }, operationName: costUpdatedSubscription.name },
      {
        next: (message) => {
          const outcome = interpretGraphQLResponse(200, message, costUpdatedSubscription.data);
          if (outcome.ok) {
            lastErrorCode = undefined;
            setError(null);
            accept(outcome.data.costUpdated);
          } else {
            lastErrorCode = outcome.error.code;
            setError(outcome.error.message);
          }
        },
        error: (reason) => {
          if (Array.isArray(reason)) {
            // Rejected up front (validation, authorization): retrying will not help, say why.
            const first: unknown = reason[0];
            const message =
              typeof first === 'object' && first !== null && 'message' in first && typeof first.message === 'string'
                ? first.message
                : 'The subscription was rejected.';
            setError(message);
            return;
          }
          // The socket gave up (a close code graphql-ws treats as fatal, e.g. 4401 for an expired token).
          reconnectLater();
        },
        complete: () => {
          if (closedByUs) return;
          // The server ended the stream. Only a permission problem is final; anything else
          // (expired token, a restarting bus) is worth a new subscription.
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
  }, [client, tenantId, window]);

  const live = connected && error === null;

  useEffect(() => {
    if (live) return;
    let cancelled = false;
    const poll = async () => {
      const result = await callConsoleApi(costSummaryQuery, { tenantId, window });
      if (!cancelled && result.ok) accept(result.data.costSummary);
    };
    // Switching windows while disconnected should not wait a whole poll interval.
    if (summary?.window !== window) void poll();
    const timer = setInterval(() => void poll(), FALLBACK_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [live, tenantId, window]);

  return { summary, status: live ? 'live' : 'reconnecting', error };
}
