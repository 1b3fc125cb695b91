'use client';

import { useState } from 'react';
import { auditAppendedSubscription } from '../../../../lib/operations';
import { useLiveSubscription } from '../../../../lib/use-live-subscription';

export { FALLBACK_POLL_MS } from '../../../../lib/use-live-subscription';

/**
 * The newest audit seq of the tenant, pushed by `auditAppended`. The server coalesces appends
 * and pushes only the tenant's newest entry, so this hook reports the newest seq seen; the
 * explorer reads the entries in between over HTTP.
 */
export function useAuditAppended(options: { wsUrl: string; tenantId: string }) {
  const { wsUrl, tenantId } = options;
  const [newestSeq, setNewestSeq] = useState<number | null>(null);

  const { status, error } = useLiveSubscription({
    wsUrl,
    operation: auditAppendedSubscription,
    variables: { tenantId },
    variablesKey: tenantId,
    onData: (data) => {
      const entry = data.auditAppended;
      if (entry && entry.tenantId === tenantId) setNewestSeq((previous) => (previous === null || entry.seq > previous ? entry.seq : previous));
    },
  });

  return { newestSeq, status, error };
}
