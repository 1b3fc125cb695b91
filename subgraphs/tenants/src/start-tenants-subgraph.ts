import type { KeyManagementService } from '@switchyard/identity/envelope';
import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import type { PeopleDirectory } from './people-directory';
import type { QuotaDefaults } from './settings-types';
import { createTenantsSubgraph } from './tenants-subgraph';

export interface TenantsSubgraphOptions {
  /** The data plane's tenant limits (DATA_PLANE_* variables): tenant admins may set quotas up to them. */
  quotaDefaults: QuotaDefaults;
  /** Master keys for tenant secrets; absent: secrets answer NOT_CONFIGURED and alert webhooks are not delivered. */
  kms?: KeyManagementService | undefined;
  introspection?: boolean;
  /** ALERT_WEBHOOK_ALLOWED_CIDRS: non-public addresses alert webhooks may reach (default none). */
  webhookAllowedNetworks?: readonly string[];
  /** The identity provider's people, to add members by e-mail (`npm start`: the bundled issuer's accounts). */
  people?: PeopleDirectory;
}

/**
 * The tenants subgraph as every process runs it (its own, or `npm start`): the GraphQL API and,
 * beside it, the alert webhook dispatcher (the alerts stream to tenants' webhooks).
 */
export function startTenantsSubgraph(runtime: SubgraphRuntime, options: TenantsSubgraphOptions): StartedSubgraph {
  const subgraph = createTenantsSubgraph({
    ...runtime,
    quotaDefaults: options.quotaDefaults,
    introspection: options.introspection ?? false,
    alertWebhooks: true,
    webhookAllowedNetworks: options.webhookAllowedNetworks ?? [],
    ...(options.kms ? { kms: options.kms } : {}),
    ...(options.people ? { people: options.people } : {}),
  });
  return { server: subgraph.server, close: subgraph.close, listeningDetails: { alertWebhooks: options.kms !== undefined } };
}
