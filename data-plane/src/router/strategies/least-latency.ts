import type { RankableCandidate, Strategy } from './strategy';

/**
 * Power of two choices over peak-EWMA load cost (Finagle's balancer): draw two distinct
 * candidates at random and put the cheaper first. Sampling two instead of taking the global
 * minimum stops every gateway instance from stampeding the same "fastest" upstream. The rest
 * follow by ascending cost, so fail-over also prefers fast upstreams.
 */
export function createLeastLatencyStrategy(): Strategy {
  return {
    kind: 'least-latency',
    rank(candidates, { random, now, latency }) {
      const cost = (c: RankableCandidate): number => latency.loadCost(c.key, now);
      if (candidates.length < 2) return [...candidates];
      const first = Math.floor(random() * candidates.length);
      let second = Math.floor(random() * (candidates.length - 1));
      if (second >= first) second += 1;
      const a = candidates[first]!;
      const b = candidates[second]!;
      const winner = cost(b) < cost(a) ? b : a;
      const rest = candidates.filter((c) => c !== winner).sort((x, y) => cost(x) - cost(y));
      return [winner, ...rest];
    },
  };
}
