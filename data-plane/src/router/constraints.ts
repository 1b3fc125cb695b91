import type { Route } from './route';
import type { RankableCandidate } from './strategies/strategy';

/**
 * Applies a route's constraints before any strategy ranks. The price ceiling is hard: a
 * candidate over budget (or without a known price) is never used. The p99 ceiling is soft: it
 * is measured, may be stale, and refusing every request because all upstreams are slow would be
 * worse than serving slowly, so when every candidate fails it, all are kept.
 */
export function applyConstraints(
  candidates: readonly RankableCandidate[],
  constraints: Route['constraints'],
  p99Of: (key: string) => number | undefined,
): RankableCandidate[] {
  let kept = [...candidates];
  const maxCost = constraints?.maxCostPer1kMicros;
  if (maxCost !== undefined) kept = kept.filter((c) => c.pricePer1kMicros !== undefined && c.pricePer1kMicros <= maxCost);
  const maxP99 = constraints?.maxP99Ms;
  if (maxP99 !== undefined) {
    const fast = kept.filter((c) => (p99Of(c.key) ?? 0) <= maxP99);
    if (fast.length > 0) kept = fast;
  }
  return kept;
}
