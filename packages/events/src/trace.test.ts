import { describe, expect, it } from 'vitest';
import { auditEventSchema } from './audit';
import { traceparentSchema } from './trace';
import { usageEventSchema } from './usage';

const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent on events', () => {
  it('accepts a W3C traceparent and refuses malformed or all-zero ones', () => {
    expect(traceparentSchema.safeParse(valid).success).toBe(true);
    for (const bad of ['', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', `${valid}-extra`, '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01']) {
      expect(traceparentSchema.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('is optional on usage and audit events: events without it stay valid', () => {
    const audit = { idempotencyKey: 'k', tenantId: null, actor: 'service:t', action: 'x.y' };
    expect(auditEventSchema.parse({ ...audit, traceparent: valid }).traceparent).toBe(valid);
    expect(auditEventSchema.parse(audit).traceparent).toBeUndefined();
    expect(auditEventSchema.safeParse({ ...audit, traceparent: 'nope' }).success).toBe(false);
    const usage = {
      requestId: 'r1', tenantId: '00000000-0000-4000-8000-000000000001', apiKeyId: null, model: 'm', provider: 'p', promptTokens: 1, completionTokens: 1,
      priceBookVersion: 1, costMicros: '1', latencyMs: 1, status: 'ok', createdAt: new Date(0).toISOString(),
    };
    expect(usageEventSchema.parse({ ...usage, traceparent: valid }).traceparent).toBe(valid);
    expect(usageEventSchema.safeParse(usage).success).toBe(true);
  });
});
