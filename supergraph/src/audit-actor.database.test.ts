import { createDatabaseApiKeyResolver } from '@switchyard/identity/api-keys';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { seed } from '@switchyard/db';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type Principal } from '@switchyard/identity';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { createBusAuditTrail as createRouteAuditTrail, createPriceBookModelCatalog, createRoutesService } from '@switchyard/subgraph-experiments';
import { apiKeyIdentity } from '@switchyard/subgraph-kit/audit-actor';
import { createBusAuditTrail as createPolicyAuditTrail, createPolicyService } from '@switchyard/subgraph-policy';
import { createTenantsService } from '@switchyard/subgraph-tenants';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCallerAuthenticator } from './http/caller-authenticator';
import { silentLogger } from './logger';

/**
 * One integration, one identity: an API key that changes things through several subgraphs is
 * recorded under the same actor by each (the audit log and createdBy / proposedBy alike).
 */
const PLATFORM: Principal = { subject: 'root', email: null, tenantId: null, roles: ['platform_admin'], service: 'gateway' };
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

let testDb: MemoryTestDatabase;
let bus: Bus;

beforeAll(async () => {
  testDb = await createMemoryTestDatabase();
  await seed(testDb.db); // price book: the models a route may name
  bus = createInProcessBus();
  await bus.ensureGroup(AUDIT_STREAM, 'actors');
});

afterAll(async () => {
  await bus?.close();
  await testDb?.drop();
});

/** The principal a subgraph verifies from the internal token the gateway signs for this API key. */
async function principalOfApiKey(secret: string, audience: string): Promise<Principal> {
  const authenticate = createCallerAuthenticator({
    verifyAccessToken: () => Promise.reject(new Error('no access tokens here')),
    apiKeys: createDatabaseApiKeyResolver(testDb.db),
  });
  const keys = await generateInternalKeyPair();
  const token = await createInternalTokenSigner(keys.privateKey).sign(await authenticate(secret), audience);
  return createInternalTokenVerifier(keys.publicKey, audience)(token);
}

describe('the audit actor of an API key', () => {
  it('is the same string whichever subgraph the key acts through', async () => {
    const db = testDb.db;
    const tenants = createTenantsService({ db, bus });
    const tenantId = (await tenants.createTenant({ slug: 'actors', name: 'Actors' }, PLATFORM)).id;
    const { apiKey, secret } = await tenants.createApiKey({ tenantId, name: 'integration', scopes: ['admin:write'] }, PLATFORM);

    const throughTenants = await principalOfApiKey(secret, 'subgraph:tenants');
    await tenants.createApiKey({ tenantId, name: 'made by the integration', scopes: ['inference'] }, throughTenants);

    const policies = createPolicyService({ db, bus, audit: createPolicyAuditTrail(bus, quiet), logger: quiet });
    const allowAll = '@id("allow-all") permit (principal, action, resource);';
    const proposed = await policies.proposePolicy(tenantId, allowAll, await principalOfApiKey(secret, 'subgraph:policy'));

    const routes = createRoutesService({ db, bus, audit: createRouteAuditTrail(bus, silentLogger), catalog: createPriceBookModelCatalog(db), logger: silentLogger });
    const definition = JSON.stringify({ candidates: [{ model: 'mock-gpt' }], strategy: { kind: 'priority' } });
    const route = await routes.createRoute({ tenantId, name: 'by-key', definition }, await principalOfApiKey(secret, 'subgraph:experiments'));

    const entries = await bus.readGroup(AUDIT_STREAM, 'actors', 'reader', { count: 100, blockMs: 0 });
    const events = entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
    const byKey = events.filter((event) => event.action !== 'tenant.create' && !(event.action === 'api_key.create' && event.payload?.['apiKeyId'] === apiKey.id));
    expect(byKey.map((event) => event.action).sort()).toEqual(['api_key.create', 'policy.propose', 'route.create']);
    const actor = apiKeyIdentity(apiKey.id);
    expect(new Set(byKey.map((event) => event.actor))).toEqual(new Set([actor]));
    expect(proposed.proposedBy).toBe(actor);
    expect(route.createdBy).toBe(actor);
  });
});
