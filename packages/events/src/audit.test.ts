import { describe, expect, it } from 'vitest';
import { auditEventSchema, MAX_PAYLOAD_BYTES } from './audit';

const event = { idempotencyKey: 'k1', tenantId: null, actor: 'service:test', action: 'test.append' };

describe('audit events', () => {
  it('fills the defaults a producer may leave out', () => {
    expect(auditEventSchema.parse(event)).toMatchObject({ subjectId: null, dataClassification: 'internal', payload: {} });
  });

  it('measures the payload limit in UTF-8 bytes of its JSON, not in characters', () => {
    // Each "é" is two bytes: half as many characters as the limit already exceed it.
    const overhead = JSON.stringify({ text: '' }).length;
    const fits = { text: 'é'.repeat(Math.floor((MAX_PAYLOAD_BYTES - overhead) / 2)) };
    const tooLarge = { text: 'é'.repeat(Math.floor((MAX_PAYLOAD_BYTES - overhead) / 2) + 1) };
    expect(auditEventSchema.safeParse({ ...event, payload: fits }).success).toBe(true);
    expect(auditEventSchema.safeParse({ ...event, payload: tooLarge }).success).toBe(false);
  });

  it('refuses actions that are not dotted lower-case words', () => {
    expect(auditEventSchema.safeParse({ ...event, action: 'Tenant Create' }).success).toBe(false);
  });
});
