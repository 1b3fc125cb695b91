/** A bucket resolution of the SLI counters: its length and how long its buckets are kept. */
export interface BucketTier {
  seconds: number;
  retainSeconds: number;
}

/**
 * Minutes for the short windows (5 min, 1 h: at most 60 buckets to read), hours for a day and for
 * SLO windows under 24 days (at most 23 × 24 buckets), days for longer ones (30 d: 30 buckets), each
 * kept a little longer than its longest use. The dashboard and the evaluator read every SLO's
 * windows each round, so reads stay in the tens to hundreds of buckets per SLO.
 */
export const DEFAULT_TIERS: readonly BucketTier[] = [
  { seconds: 60, retainSeconds: 26 * 3_600 },
  { seconds: 3_600, retainSeconds: 25 * 86_400 },
  { seconds: 86_400, retainSeconds: 33 * 86_400 },
];

export interface BucketRef {
  tierSeconds: number;
  index: number;
}

/** The bucket of every tier a count at `atMs` lands in. */
export function bucketsAt(atMs: number, tiers: readonly BucketTier[]): BucketRef[] {
  return tiers.map((tier) => ({ tierSeconds: tier.seconds, index: Math.floor(atMs / 1000 / tier.seconds) }));
}

/**
 * The buckets whose sum stands for the window of `windowSeconds` ending at `nowMs`: the coarsest
 * tier that still splits the window into 24 or more buckets (else the finest), its last
 * ceil(window / bucket) buckets including the current, partial one. The window is therefore up to
 * one bucket longer than asked: the price of shared counters that are cheap to read.
 */
export function bucketsForWindow(nowMs: number, windowSeconds: number, tiers: readonly BucketTier[]): BucketRef[] {
  const sorted = [...tiers].sort((a, b) => a.seconds - b.seconds);
  const finest = sorted[0];
  if (finest === undefined) throw new Error('at least one bucket tier is needed');
  const tier = [...sorted].reverse().find((t) => t.seconds * 24 <= windowSeconds) ?? finest;
  const last = Math.floor(nowMs / 1000 / tier.seconds);
  const count = Math.ceil(windowSeconds / tier.seconds);
  return Array.from({ length: count }, (_, i) => ({ tierSeconds: tier.seconds, index: last - count + 1 + i }));
}
