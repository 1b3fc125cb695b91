'use client';

import { useEffect, useRef, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { costSummaryQuery, costUpdatedSubscription, type CostSummary, type CostWindow } from '../../../../lib/operations';
import { FALLBACK_POLL_MS, useLiveSubscription, type LiveStatus } from '../../../../lib/use-live-subscription';

interface LiveCost {
  summary: CostSummary | null;
  status: LiveStatus;
  error: string | null;
}

/** The cost summary of one window, pushed by `costUpdated`; polled over HTTP while the socket is down. */
export function useLiveCost(options: {
  wsUrl: string;
  tenantId: string;
  window: CostWindow;
  initialSummary: CostSummary | null;
}): LiveCost {
  const { wsUrl, tenantId, window } = options;
  const [summary, setSummary] = useState<CostSummary | null>(options.initialSummary);
  const windowRef = useRef(window);
  useEffect(() => {
    windowRef.current = window;
  }, [window]);

  const accept = (next: CostSummary) => {
    // Drop late frames from a window the user has already switched away from.
    if (next.window === windowRef.current && next.tenantId === tenantId) setSummary(next);
  };

  const { live, status, error } = useLiveSubscription({
    wsUrl,
    operation: costUpdatedSubscription,
    variables: { tenantId, window },
    variablesKey: `${tenantId}/${window}`,
    onData: (data) => accept(data.costUpdated),
  });

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

  return { summary, status, error };
}
