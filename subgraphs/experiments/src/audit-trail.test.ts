import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createInProcessBus } from '@switchyard/bus';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { createBusAuditTrail } from './audit-trail';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('route audit trail', () => {
  it('appends a valid event whose idempotency key is the route version it produced', async () => {
    const bus = createInProcessBus();
    const tenantId = randomUUID();
    const routeId = randomUUID();
    await bus.ensureGroup(AUDIT_STREAM, 'test');
    await createBusAuditTrail(bus, silent).record({ tenantId, actor: 'user:alice', action: 'route.update', routeId, version: 3, payload: { name: 'smart' } });
    const [entry] = await bus.readGroup(AUDIT_STREAM, 'test', 'c', { count: 10, blockMs: 0 });
    const event = auditEventSchema.parse(JSON.parse(entry?.payload ?? '{}'));
    expect(event).toMatchObject({ tenantId, actor: 'user:alice', action: 'route.update', idempotencyKey: `route.update:${routeId}:3`, payload: { routeId, version: 3, name: 'smart' } });
    await bus.close();
  });

  it('logs instead of throwing when the append fails (the change itself already committed)', async () => {
    const bus = createInProcessBus();
    await bus.close();
    const errors: string[] = [];
    await createBusAuditTrail(bus, { ...silent, error: (_details, message) => void errors.push(message) }).record({
      tenantId: randomUUID(),
      actor: 'user:a',
      action: 'route.create',
      routeId: randomUUID(),
      version: 1,
      payload: {},
    });
    expect(errors).toEqual(['could not append a route audit event']);
  });
});
