import { z } from 'zod';

/** Pub/sub channel: a key or tenant passed the soft share of one of its limits. Message: JSON {@link LimitWarning}. */
export const LIMIT_WARNING_CHANNEL = 'switchyard:limit.warning';

export const LIMIT_NAMES = [
  'requests_per_minute_per_key',
  'requests_per_minute_per_tenant',
  'tokens_per_minute_per_key',
  'tokens_per_minute_per_tenant',
  'tokens_per_day_per_key',
  'tokens_per_day_per_tenant',
] as const;
export type LimitName = (typeof LIMIT_NAMES)[number];

export const limitWarningSchema = z.object({
  tenantId: z.string().min(1).max(100),
  apiKeyId: z.string().min(1).max(200),
  limit: z.enum(LIMIT_NAMES),
  /** Share of the allowance in use after this request, 0..1. */
  used: z.number().min(0).max(1),
});
export type LimitWarning = z.output<typeof limitWarningSchema>;
