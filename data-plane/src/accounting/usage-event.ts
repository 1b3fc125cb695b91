import { z } from 'zod';

/** Durable stream carrying one entry per completed request (consumed by the cost domain). */
export const USAGE_STREAM = 'switchyard:usage';
/** Pub/sub channel: key-only notification after usage for a tenant was written. Message: JSON `{ tenantId }`. */
export const COST_UPDATED_CHANNEL = 'switchyard:cost.updated';
/** Pub/sub channel: an API key was revoked or changed. Message: JSON `{ keyHash }`. */
export const API_KEY_CHANGED_CHANNEL = 'switchyard:api-key.changed';

export const usageEventSchema = z.object({
  requestId: z.string().min(1).max(200),
  tenantId: z.string().uuid(),
  apiKeyId: z.string().uuid().nullable(),
  model: z.string().min(1),
  provider: z.string().min(1),
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
  priceBookVersion: z.number().int().positive(),
  /** Integer micro-USD, as a decimal string (JSON has no bigint). */
  costMicros: z.string().regex(/^\d+$/),
  latencyMs: z.number().int().nonnegative(),
  status: z.enum(['ok', 'error']),
  /** ISO-8601 time the request completed. */
  createdAt: z.string().datetime(),
  /**
   * PII found and redacted in the prompt, by type (e.g. `{ email: 1 }`). Optional and absent when
   * nothing was redacted; keys are open strings so a new detector type does not break consumers.
   */
  piiRedactions: z.record(z.string().min(1).max(64), z.number().int().nonnegative()).optional(),
});

export type UsageEvent = z.infer<typeof usageEventSchema>;
