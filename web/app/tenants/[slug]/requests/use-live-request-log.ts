'use client';

import { useEffect, useRef } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { requestLogQuery, requestLogUpdatedSubscription, type RequestLogFilter, type RequestLogPage } from '../../../../lib/request-log-operations';
import { FALLBACK_POLL_MS, useLiveSubscription, type LiveStatus } from '../../../../lib/use-live-subscription';

/**
 * The newest page of the request log for the filter in use, pushed by `requestLogUpdated` after
 * each write of the tenant's log; polled over HTTP while the socket is down. `onNewest` merges it.
 */
export function useLiveRequestLog(options: {
  wsUrl: string;
  tenantId: string;
  filter: RequestLogFilter;
  first: number;
  onNewest: (page: RequestLogPage) => void;
}): { status: LiveStatus; error: string | null } {
  const { wsUrl, tenantId, filter, first } = options;
  const filterKey = JSON.stringify(filter);
  const onNewest = useRef(options.onNewest);
  useEffect(() => {
    onNewest.current = options.onNewest;
  });

  const { live, status, error } = useLiveSubscription({
    wsUrl,
    operation: requestLogUpdatedSubscription,
    variables: { tenantId, filter, first },
    variablesKey: `${tenantId}/${first}/${filterKey}`,
    onData: (data) => onNewest.current(data.requestLogUpdated),
  });

  useEffect(() => {
    if (live) return;
    let cancelled = false;
    const timer = setInterval(() => {
      void callConsoleApi(requestLogQuery, { tenantId, filter, first, after: null }).then((result) => {
        if (!cancelled && result.ok) onNewest.current(result.data.requestLog);
      });
    }, FALLBACK_POLL_MS);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, [live, tenantId, first, filterKey]);

  return { status, error };
}
