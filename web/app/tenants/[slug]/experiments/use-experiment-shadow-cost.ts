'use client';

import { useEffect, useRef, useState } from 'react';
import { callConsoleApi } from '../../../../lib/browser-api';
import { experimentShadowCostQuery } from '../../../../lib/experiment-operations';
import { shadowCostByExperiment, type ExperimentShadowCost } from '../../../../lib/experiment-shadow-cost';

/** experimentUpdated fires per sample: ask the cost subgraph at most this often. */
const THROTTLE_MS = 2_000;
/** Usage reaches the cost subgraph by its own consumer, a little after the experiment's: catch up. */
const CATCH_UP_MS = 10_000;

/**
 * Each experiment's shadow cost (last 24 h), fetched when the experiments change (throttled) and
 * every few seconds. Null while unknown or when the cost subgraph does not answer.
 */
export function useExperimentShadowCost(tenantId: string, trigger: unknown): Map<string, ExperimentShadowCost> | null {
  const [byExperiment, setByExperiment] = useState<Map<string, ExperimentShadowCost> | null>(null);
  const scheduled = useRef(false);
  const mounted = useRef(true);

  const fetchNow = async () => {
    const result = await callConsoleApi(experimentShadowCostQuery, { tenantId });
    if (mounted.current && result.ok) setByExperiment(shadowCostByExperiment(result.data.costSummary.shadowByExperiment));
  };

  useEffect(() => {
    mounted.current = true;
    const timer = setInterval(() => void fetchNow(), CATCH_UP_MS);
    return () => {
      mounted.current = false;
      clearInterval(timer);
    };
  }, [tenantId]);

  useEffect(() => {
    if (scheduled.current) return;
    scheduled.current = true;
    // Trailing fetch: updates arriving meanwhile are covered by this one.
    setTimeout(() => {
      scheduled.current = false;
      void fetchNow();
    }, byExperiment === null ? 0 : THROTTLE_MS);
  }, [tenantId, trigger]);

  return byExperiment;
}
