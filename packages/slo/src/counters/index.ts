export type { SliAdd, SliCounters } from './sli-counters';
export { EVENT_ID_TTL_SECONDS, sloSeries } from './sli-counters';
export { createInMemorySliCounters } from './in-memory-sli-counters';
export { createRedisSliCounters } from './redis-sli-counters';
export type { RedisSliCountersOptions } from './redis-sli-counters';
export { DEFAULT_TIERS } from './bucket-plan';
export type { BucketTier } from './bucket-plan';
