import type { TenantsService } from '@switchyard/subgraph-tenants';
import { OPERATOR_PRINCIPAL } from './operator-principal';

/** On fresh data the demo tenant has no key: create one so `npm start` can print it (shown once). */
export async function createDemoKeyIfFresh(tenants: TenantsService, demoTenantId: string): Promise<string | null> {
  const existing = await tenants.listApiKeys(demoTenantId, OPERATOR_PRINCIPAL);
  if (existing.length > 0) return null;
  const created = await tenants.createApiKey({ tenantId: demoTenantId, name: 'demo' }, OPERATOR_PRINCIPAL);
  return created.secret;
}
