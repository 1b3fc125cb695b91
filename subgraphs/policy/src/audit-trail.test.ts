import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { createBusAuditTrail } from './audit-trail';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('bus audit trail', () => {
  it('appends a valid audit event per step to the audit stream', async () => {
    const bus = createInProcessBus();
    const tenantId = randomUUID();
    await bus.ensureGroup(AUDIT_STREAM, 'test');
    await createBusAuditTrail(bus, silent).record({ tenantId, principal: { subject: 'alice', service: 'gateway' }, action: 'policy.approve', payload: { version: 2 } });
    const [entry] = await bus.readGroup(AUDIT_STREAM, 'test', 'c', { count: 10, blockMs: 0 });
    const event = auditEventSchema.parse(JSON.parse(entry?.payload ?? '{}'));
    expect(event).toMatchObject({ tenantId, actor: 'user:alice', action: 'policy.approve', payload: { version: 2 } });
    await bus.close();
  });

  it('logs instead of throwing when the append fails', async () => {
    const bus = createInProcessBus();
    await bus.close();
    const errors: string[] = [];
    await createBusAuditTrail(bus, { ...silent, error: (_details, message) => void errors.push(message) }).record({ tenantId: randomUUID(), principal: { subject: 'a', service: 'gateway' }, action: 'policy.propose', payload: {} });
    expect(errors).toEqual(['could not append a policy audit event']);
  });
});
