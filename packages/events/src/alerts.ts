import { z } from 'zod';

/**
 * Alerts for a tenant's webhook, on a durable stream so that exactly one dispatcher replica
 * delivers each (consumer group `alert-webhooks`), at least once: receivers dedupe by `id`.
 */
export const ALERTS_STREAM = 'switchyard:alerts';

const dpBudgetThresholdCrossed = z.object({
  /** Stable for this occurrence: the same alert redelivered carries the same id. */
  id: z.string().min(1).max(200),
  type: z.literal('dp.budget.threshold_crossed'),
  tenantId: z.string().min(1).max(100),
  occurredAt: z.iso.datetime(),
  data: z.object({
    budgetId: z.string().min(1).max(100),
    dataset: z.string().max(500),
    /** The alert thresholds (percent of the cap) this change crossed, ascending. */
    thresholdsPercent: z.array(z.number().int().min(1).max(100)).min(1).max(100),
    /** Integer micro-units as decimal strings (budgets are bigint). */
    capMicros: z.string().regex(/^\d+$/),
    usedMicros: z.string().regex(/^\d+$/),
  }),
});

const quotaSoftLimitReached = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('quota.soft_limit_reached'),
  tenantId: z.string().min(1).max(100),
  occurredAt: z.iso.datetime(),
  data: z.object({
    /** Day quotas only: a per-minute limit running hot is a burst, shown in the response header and event. */
    limit: z.enum(['tokens_per_day_per_key', 'tokens_per_day_per_tenant']),
    /** The key (or `user:<subject>` caller) for a per-key quota; null for the tenant's. */
    callerId: z.string().min(1).max(200).nullable(),
    /** Share of the allowance in use after the request that crossed the soft limit, 0..1. */
    usedShare: z.number().min(0).max(1),
    /** The UTC day the quota counts (YYYY-MM-DD): at most one such alert per quota and day. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
});

/** Sent on demand by a tenant admin (console: Secrets → Send test alert) to check the receiver. */
const webhookTest = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('webhook.test'),
  tenantId: z.string().min(1).max(100),
  occurredAt: z.iso.datetime(),
  data: z.object({ requestedBy: z.string().min(1).max(300) }),
});

const burnRateState = z.enum(['ok', 'ticket', 'page']);

/**
 * An SLO's multi-window burn-rate alert changed state (the SLO subgraph's evaluator): `page` a
 * fast burn (the auto-throttle engaged), `ticket` a slow one, `ok` resolved. One per transition;
 * the id carries the transition's number, so replicas and redeliveries share it.
 */
const sloBurnRate = z.object({
  id: z.string().min(1).max(200),
  type: z.literal('slo.burn_rate'),
  tenantId: z.string().min(1).max(100),
  occurredAt: z.iso.datetime(),
  data: z.object({
    sloId: z.string().min(1).max(100),
    route: z.string().min(1).max(256),
    kind: z.enum(['latency', 'availability', 'quality', 'cost']),
    objective: z.number().gt(0).lt(1),
    windowDays: z.number().int().positive(),
    state: burnRateState,
    previous: burnRateState,
    /** Long-window burn rates of the fast (1 h) and slow (24 h) pairs when it changed. */
    fastBurnRate: z.number().nonnegative(),
    slowBurnRate: z.number().nonnegative(),
    /** What the auto-throttle did: engaged on a page, released when the page ended. */
    throttle: z.enum(['engage', 'release']).nullable(),
  }),
});

export const alertEventSchema = z.discriminatedUnion('type', [dpBudgetThresholdCrossed, quotaSoftLimitReached, webhookTest, sloBurnRate]);
export type AlertEvent = z.infer<typeof alertEventSchema>;
