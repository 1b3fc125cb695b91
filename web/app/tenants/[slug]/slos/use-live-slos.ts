'use client';

import { useEffect, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { sloOverviewQuery, slosUpdatedSubscription, type SloOverview } from '../../../../lib/slo-operations';
import { FALLBACK_POLL_MS, useLiveSubscription, type LiveStatus } from '../../../../lib/use-live-subscription';

/** The tenant's SLO overview, pushed by `slosUpdated` (writes, evaluation rounds, transitions); polled while the socket is down. */
export function useLiveSlos(options: { wsUrl: string; tenantId: string; initial: SloOverview | null }): {
  overview: SloOverview | null;
  status: LiveStatus;
  error: string | null;
  refresh: () => Promise<void>;
} {
  const { wsUrl, tenantId } = options;
  const [overview, setOverview] = useState<SloOverview | null>(options.initial);
  const { live, status, error } = useLiveSubscription({
    wsUrl,
    operation: slosUpdatedSubscription,
    variables: { tenantId },
    variablesKey: tenantId,
    onData: (data) => {
      if (data.slosUpdated.tenantId === tenantId) setOverview(data.slosUpdated);
    },
  });
  const refresh = async () => {
    const result = await callConsoleApi(sloOverviewQuery, { tenantId });
    if (result.ok) setOverview(result.data.sloOverview);
  };

  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => void refresh(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, tenantId]);

  return { overview, status, error, refresh };
}
