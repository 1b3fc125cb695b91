import type { FederatedEvidence } from './federated-prior';
import type { LatencyView } from './strategies/strategy';

/**
 * Latency as a latency-aware strategy sees it on a platform route: this replica's own peak-EWMA
 * load cost wherever it has measured the upstream, and the other regions' mean latency for an
 * upstream it has not (instead of 0, which ranks an unknown upstream as the fastest). Local
 * measurement wins the moment there is one: it includes this region's network path and load.
 */
export function withFederatedLatency(local: LatencyView, evidenceOf: (upstream: string) => FederatedEvidence | undefined): LatencyView {
  return {
    loadCost(key, now) {
      const own = local.loadCost(key, now);
      if (own > 0) return own;
      return evidenceOf(key)?.latencyMs ?? 0;
    },
  };
}
