import type { ExperimentShadowCostRow } from './experiment-operations';

export interface ExperimentShadowCost {
  costUsd: number;
  requests: number;
}

/** Shadow cost per experiment id, summed over its challenger models (normally one). */
export function shadowCostByExperiment(rows: readonly ExperimentShadowCostRow[]): Map<string, ExperimentShadowCost> {
  const byExperiment = new Map<string, ExperimentShadowCost>();
  for (const row of rows) {
    const existing = byExperiment.get(row.experimentId) ?? { costUsd: 0, requests: 0 };
    byExperiment.set(row.experimentId, { costUsd: existing.costUsd + row.costUsd, requests: existing.requests + row.requests });
  }
  return byExperiment;
}
