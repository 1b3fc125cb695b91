import { randomUUID } from 'node:crypto';
import type { UsageEvent } from '@switchyard/events/usage';

/** A valid usage event; override what the test cares about. */
export function usageEvent(tenantId: string, overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req-${randomUUID()}`,
    tenantId,
    apiKeyId: null,
    model: 'mock-gpt',
    provider: 'mock',
    promptTokens: 100,
    completionTokens: 50,
    priceBookVersion: 1,
    costMicros: '125',
    latencyMs: 12,
    status: 'ok',
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}
