import type { Strategy } from './strategy';

/** Lowest priority number first; ties keep configuration order. The order is the fallback chain. */
export function createPriorityStrategy(): Strategy {
  return {
    kind: 'priority',
    rank(candidates) {
      return candidates
        .map((candidate, index) => ({ candidate, index }))
        .sort((a, b) => a.candidate.priority - b.candidate.priority || a.index - b.index)
        .map((entry) => entry.candidate);
    },
  };
}
