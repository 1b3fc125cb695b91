import type { FeatureRow } from '../store/optimizer-store';

/**
 * One tenant's window features over several regions, per (route, upstream): counts, tokens and cost
 * add up; quality is the mean over every region's feedback samples; latency percentiles are the
 * request-weighted mean of the regions' percentiles (an approximation: exact percentiles would need
 * every latency in one place, i.e. the tenant's rows copied out of their region). Pure.
 */
export function mergeRegionFeatures(perRegion: readonly (readonly FeatureRow[])[]): FeatureRow[] {
  const merged = new Map<string, { row: FeatureRow; qualitySum: number; modelRequests: number }>();
  for (const rows of perRegion) {
    for (const row of rows) {
      const key = JSON.stringify([row.route, row.upstream]);
      const current = merged.get(key);
      const qualitySum = row.quality === null ? 0 : row.quality * row.qualitySamples;
      if (!current) {
        merged.set(key, { row: { ...row }, qualitySum, modelRequests: row.requests });
        continue;
      }
      const total = current.row.requests + row.requests;
      const weighted = (a: number, b: number) => (total === 0 ? a : (a * current.row.requests + b * row.requests) / total);
      current.row = {
        ...current.row,
        model: row.requests > current.modelRequests ? row.model : current.row.model,
        latencyP50Ms: weighted(current.row.latencyP50Ms, row.latencyP50Ms),
        latencyP95Ms: weighted(current.row.latencyP95Ms, row.latencyP95Ms),
        latencyP99Ms: weighted(current.row.latencyP99Ms, row.latencyP99Ms),
        requests: total,
        successes: current.row.successes + row.successes,
        qualitySamples: current.row.qualitySamples + row.qualitySamples,
        promptTokens: current.row.promptTokens + row.promptTokens,
        completionTokens: current.row.completionTokens + row.completionTokens,
        costMicros: current.row.costMicros + row.costMicros,
      };
      current.modelRequests = Math.max(current.modelRequests, row.requests);
      current.qualitySum += qualitySum;
    }
  }
  return [...merged.values()]
    .map(({ row, qualitySum }) => ({ ...row, quality: row.qualitySamples > 0 ? qualitySum / row.qualitySamples : null }))
    .sort((a, b) => (a.route === b.route ? a.upstream.localeCompare(b.upstream) : a.route.localeCompare(b.route)));
}
