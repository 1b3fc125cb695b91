import type { Strategy } from './strategy';

/**
 * Cheapest blended price first (constraints were applied before ranking); candidates without a
 * price go last, since their cost is unknown. Ties keep configuration order.
 */
export function createCheapestStrategy(): Strategy {
  return {
    kind: 'cheapest',
    rank(candidates) {
      return candidates
        .map((candidate, index) => ({ candidate, index, price: candidate.pricePer1kMicros ?? Number.POSITIVE_INFINITY }))
        .sort((a, b) => a.price - b.price || a.index - b.index)
        .map((entry) => entry.candidate);
    },
  };
}
