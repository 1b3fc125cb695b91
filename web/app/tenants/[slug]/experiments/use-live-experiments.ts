'use client';

import { useEffect, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { experimentsQuery, experimentUpdatedSubscription, type ConsoleExperiment } from '../../../../lib/experiment-operations';
import { FALLBACK_POLL_MS, useLiveSubscription, type LiveStatus } from '../../../../lib/use-live-subscription';

/** One point of an experiment's confidence sequence, as the page saw it arrive. */
export interface IntervalPoint {
  samples: number;
  estimate: number;
  lower: number;
  upper: number;
}

/**
 * The tenant's experiments, pushed by `experimentUpdated` (polled over HTTP while the socket is
 * down), and per experiment the confidence-sequence points seen so far: the chart shows the
 * interval narrowing as samples arrive (points are kept in the page only, per sample count).
 */
export function useLiveExperiments(options: { wsUrl: string; tenantId: string; initial: ConsoleExperiment[] }): {
  experiments: ConsoleExperiment[];
  history: Record<string, IntervalPoint[]>;
  status: LiveStatus;
  error: string | null;
  refresh: () => Promise<void>;
} {
  const { wsUrl, tenantId } = options;
  const [experiments, setExperiments] = useState(options.initial);
  const [history, setHistory] = useState<Record<string, IntervalPoint[]>>({});

  const accept = (next: ConsoleExperiment[]) => {
    setExperiments(next);
    setHistory((previous) => {
      const updated = { ...previous };
      for (const experiment of next) {
        const { lower, upper, estimate, challengerSamples, championSamples } = experiment.statistics;
        if (lower === null || upper === null) continue;
        const samples = Math.min(challengerSamples, championSamples);
        const points = updated[experiment.id] ?? [];
        if (points.length > 0 && points[points.length - 1]!.samples >= samples) continue;
        updated[experiment.id] = [...points, { samples, estimate, lower, upper }].slice(-500);
      }
      return updated;
    });
  };

  const refresh = async () => {
    const result = await callConsoleApi(experimentsQuery, { tenantId });
    if (result.ok) accept(result.data.experiments);
  };

  const { live, status, error } = useLiveSubscription({
    wsUrl,
    operation: experimentUpdatedSubscription,
    variables: { tenantId },
    variablesKey: tenantId,
    onData: (data) => accept(data.experimentUpdated),
  });

  useEffect(() => {
    if (live) return;
    const timer = setInterval(() => void refresh(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [live, tenantId]);

  return { experiments, history, status, error, refresh };
}
