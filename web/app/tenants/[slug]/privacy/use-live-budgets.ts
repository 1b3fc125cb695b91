'use client';

import { createClient, type Client } from 'graphql-ws';
import { useEffect, useRef, useState } from 'react';
import { reconnectDelayMs } from '../../../../lib/backoff';
import { callConsoleApi, fetchAccessToken } from '../../../../lib/browser-api';
import { interpretGraphQLResponse } from '../../../../lib/graphql-response';
import { dpBudgetChangedSubscription, dpBudgetsQuery, type DpBudget } from '../../../../lib/operations';

export type LiveStatus = 'live' | 'reconnecting';

/** While the socket is down the page still refreshes over HTTP at this pace. */
const FALLBACK_POLL_MS = 15_000;
const KEEP_ALIVE_MS = 10_000;
/** Subscription errors that a reconnect cannot fix. */
const PERMANENT_ERROR_CODES: ReadonlySet<string> = new Set(['FORBIDDEN', 'NOT_FOUND', 'BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Subscribes to `dpBudgetChanged` over graphql-ws, straight to the gateway (same approach as the
 * live cost page): reconnects forever with jittered backoff and a fresh access token per attempt.
 * `refresh()` re-reads over HTTP (after a local change, before the event arrives).
 */
export function useLiveBudgets(options: { wsUrl: string; tenantId: string; initialBudgets: DpBudget[] | null }) {
  const { wsUrl, tenantId } = options;
  const [client, setClient] = useState<Client | null>(null);
  const [generation, setGeneration] = useState(0);
  const [connected, setConnected] = useState(false);
  const [budgets, setBudgets] = useState<DpBudget[] | null>(options.initialBudgets);
  const [error, setError] = useState<string | null>(null);
  const failures = useRef(0);

  const accept = (next: DpBudget[]) => {
    if (next.every((budget) => budget.tenantId === tenantId)) setBudgets(next);
  };

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
      { query: dpBudgetChangedSubscription.document, variables: { tenantId }, operationName: dpBudgetChangedSubscription.name },
      {
        next: (message) => {
          const outcome = interpretGraphQLResponse(200, message, dpBudgetChangedSubscription.data);
          if (outcome.ok) {
            lastErrorCode = undefined;
            setError(null);
            accept(outcome.data.dpBudgetChanged);
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

  const refresh = async () => {
    const result = await callConsoleApi(dpBudgetsQuery, { tenantId });
    if (result.ok) accept(result.data.dpBudgets);
  };

  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => void refresh(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, tenantId]);

  return { budgets, status: (live ? 'live' : 'reconnecting') as LiveStatus, error, refresh };
}
