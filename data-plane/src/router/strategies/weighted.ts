import type { Random } from '../random';
import type { RankableCandidate, Strategy } from './strategy';

/**
 * Weighted random order without replacement (Efraimidis–Spirakis): the first pick has
 * probability weight / Σweights, and the fail-over order is drawn the same way from the rest.
 */
export function createWeightedStrategy(): Strategy {
  return {
    kind: 'weighted',
    rank(candidates, { random }) {
      return orderByWeight(candidates, random);
    },
  };
}

function orderByWeight(candidates: readonly RankableCandidate[], random: Random): RankableCandidate[] {
  return candidates
    .map((candidate) => ({ candidate, score: Math.pow(1 - random(), 1 / candidate.weight) }))
    .sort((a, b) => b.score - a.score)
    .map((entry) => entry.candidate);
}
