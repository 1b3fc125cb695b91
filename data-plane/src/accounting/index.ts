export { USAGE_STREAM, COST_UPDATED_CHANNEL, API_KEY_CHANGED_CHANNEL, usageEventSchema } from './usage-event';
export type { UsageEvent } from './usage-event';
