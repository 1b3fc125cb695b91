'use client';

import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import { reconnectDelayMs } from './backoff';
import { fetchAccessToken } from './browser-api';
import { interpretGraphQLResponse } from './graphql-response';
import { reconnectCannotFix } from './subscription-errors';
import type { Operation } from './operations';

export type LiveStatus = 'live' | 'reconnecting';

/** While a socket is down, pages that poll over HTTP instead do it at this pace. */
export const FALLBACK_POLL_MS = 15_000;
const KEEP_ALIVE_MS = 10_000;

export interface LiveSubscription {
  /** Connected and the last frame was not an error: callers poll over HTTP while this is false. */
  live: boolean;
  status: LiveStatus;
  error: string | null;
}

/**
 * One graphql-ws subscription straight to the gateway, for as long as the component lives.
 * The socket reconnects forever with jittered exponential backoff and a fresh access token per
 * attempt; a subscription the server rejects for good (permissions, validation) stays down and
 * says why. `variablesKey` must change exactly when `variables` do (it keys the subscription).
 */
export function useLiveSubscription<TData, TVariables>(options: {
  wsUrl: string;
  operation: Operation<TData, TVariables>;
  variables: TVariables;
  variablesKey: string;
  onData: (data: TData) => void;
}): LiveSubscription {
  const { wsUrl, operation, variablesKey } = options;
  const [client, setClient] = useState<Client | null>(null);
  const [generation, setGeneration] = useState(0);
  const [connected, setConnected] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const failures = useRef(0);
  // Latest callbacks and variables without resubscribing on every render.
  const latest = useRef(options);
  useEffect(() => {
    latest.current = options;
  });

  useEffect(() => {
    const created = createClient({
      url: wsUrl,
      // Lazy: the socket lives exactly as long as the page's subscription.
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
      { query: operation.document, variables: latest.current.variables as Record<string, unknown>, operationName: operation.name },
      {
        next: (message) => {
          const outcome = interpretGraphQLResponse(200, message, operation.data);
          if (outcome.ok) {
            lastErrorCode = undefined;
            setError(null);
            latest.current.onData(outcome.data);
          } else {
            lastErrorCode = outcome.error.code;
            setError(outcome.error.message);
          }
        },
        error: (reason) => {
          if (Array.isArray(reason)) {
            // Rejected up front (validation, authorization): retrying will not help, say why.
            const first: unknown = reason[0];
            setError(
              typeof first === 'object' && first !== null && 'message' in first && typeof first.message === 'string' ? first.message : 'The subscription was rejected.',
            );
            return;
          }
          // The socket gave up (a close code graphql-ws treats as fatal, e.g. 4401 for an expired token).
          reconnectLater();
        },
        complete: () => {
          if (closedByUs) return;
          // The server ended the stream. Only an error a reconnect cannot fix (permissions, input) is
          // final here; anything else (expired token, a restarting bus) is worth a new subscription.
          if (reconnectCannotFix(lastErrorCode)) return;
          reconnectLater();
        },
      },
    );
    return () => {
      closedByUs = true;
      if (retryTimer) clearTimeout(retryTimer);
      unsubscribe();
    };
  }, [client, operation, variablesKey]);

  const live = connected && error === null;
  return { live, status: live ? 'live' : 'reconnecting', error };
}
