import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { createTenantsService } from '../src/tenants-service';
import { PLATFORM_ADMIN } from './harness';

describe('tenants mutations emit audit events', () => {
  let test: MemoryTestDatabase;
  let bus: Bus;

  beforeAll(async () => {
    test = await createMemoryTestDatabase();
    bus = createInProcessBus();
  });
  afterAll(async () => {
    await bus.close();
    await test.drop();
  });

  it('appends tenant.create, api_key.create and api_key.revoke to the audit stream, with idempotency keys', async () => {
    const service = createTenantsService({ db: test.db, bus });
    const tenant = await service.createTenant({ slug: 'audited', name: 'Audited' }, PLATFORM_ADMIN);
    const { apiKey, secret } = await service.createApiKey({ tenantId: tenant.id, name: 'ci' }, PLATFORM_ADMIN);
    await service.revokeApiKey(apiKey.id, PLATFORM_ADMIN);

    await bus.ensureGroup(AUDIT_STREAM, 'test');
    const entries = await bus.readGroup(AUDIT_STREAM, 'test', 'reader', { count: 10, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
    expect(events.map((event) => [event.action, event.idempotencyKey, event.tenantId])).toEqual([
      ['tenant.create', `tenant.create:${tenant.id}`, tenant.id],
      ['api_key.create', `api_key.create:${apiKey.id}`, tenant.id],
      ['api_key.revoke', `api_key.revoke:${apiKey.id}`, tenant.id],
    ]);
    expect(events.every((event) => event.actor === `user:${PLATFORM_ADMIN.subject}` && event.subjectId === PLATFORM_ADMIN.subject)).toBe(true);
    expect(JSON.stringify(events)).not.toContain(secret);
  });
});
