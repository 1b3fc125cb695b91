import type http from 'node:http';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { KeyManagementService } from '@switchyard/identity/envelope';
import type { TenantsContext } from './context';
import { createSubgraphHttpServer } from './http-server';
import { createTenantsLoaders } from './loaders';
import { createConsoleLogger } from './logger';
import type { Logger } from './logger';
import { createMembersService } from './members-service';
import type { PeopleDirectory } from './people-directory';
import { resolvers } from './resolvers/index';
import { createSecretsService } from './secrets-service';
import { startAlertWebhookDispatcher, type AlertWebhookDispatcherDeps } from './alert-webhook-dispatcher';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createWebhookAddressPolicy } from './webhook-address-policy';
import { createSettingsService } from './settings-service';
import type { QuotaDefaults } from './settings-types';
import { limitsFromEnv } from '@switchyard/data-plane/config';
import { createTenantsService } from './tenants-service';
import { tenantHomedElsewhere } from './errors';
import { createHomeRegionGuard } from '@switchyard/subgraph-kit/home-region';
import { subgraphName, typeDefs } from './type-defs';

export interface TenantsSubgraphDeps {
  db: Database;
  bus: Bus;
  /** Verifies the gateway's internal token for audience `subgraph:tenants`. */
  verifyInternalToken: InternalTokenVerifier;
  logger?: Logger;
  introspection?: boolean;
  /** Master keys for tenant secrets (provider credentials, webhook secrets); absent: those answer NOT_CONFIGURED. */
  kms?: KeyManagementService;
  /** The data plane's limits for a tenant without overrides (default: the data plane's defaults). */
  quotaDefaults?: QuotaDefaults;
  /**
   * Deliver the alerts stream to tenants' webhooks from this process (needs `kms` to decrypt the
   * signing secrets). The processes that serve the tenants domain turn it on; tests that do not
   * exercise it leave it off.
   */
  alertWebhooks?: boolean | Omit<AlertWebhookDispatcherDeps, 'bus' | 'webhooks' | 'logger' | 'addressPolicy'>;
  /**
   * Addresses alert webhooks may reach although they are not public (`ALERT_WEBHOOK_ALLOWED_CIDRS`:
   * CIDRs or single addresses, e.g. `127.0.0.1/32` for a receiver on loopback). Default: none.
   */
  webhookAllowedNetworks?: readonly string[];
  /** Resolves e-mail addresses when members are added by e-mail; absent: only by subject. */
  people?: PeopleDirectory;
  /** SWITCHYARD_REGION: keys and settings of tenants homed in another region are refused here. Undefined: one region. */
  region?: string | undefined;
}

/** The tenant limits the data plane applies when nothing overrides them. */
export function quotaDefaultsOf(limits: { requestsPerMinutePerTenant: number; tokensPerMinutePerTenant: number; tokensPerDayPerTenant: number }): QuotaDefaults {
  return { requestsPerMinute: limits.requestsPerMinutePerTenant, tokensPerMinute: limits.tokensPerMinutePerTenant, tokensPerDay: limits.tokensPerDayPerTenant };
}

export interface TenantsSubgraph {
  /** Not listening yet; serves `POST /graphql`. */
  server: http.Server;
  close(): Promise<void>;
}

export function createTenantsSubgraph(deps: TenantsSubgraphDeps): TenantsSubgraph {
  const homeGuard = createHomeRegionGuard({ db: deps.db, region: deps.region, refuse: tenantHomedElsewhere });
  const service = createTenantsService({ db: deps.db, bus: deps.bus, homeGuard });
  const members = createMembersService({ db: deps.db, bus: deps.bus, ...(deps.people ? { people: deps.people } : {}) });
  const schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
  const logger = deps.logger ?? createConsoleLogger(`subgraph-${subgraphName}`);
  const addressPolicy = createWebhookAddressPolicy(deps.webhookAllowedNetworks ?? []);
  const secrets = createSecretsService({ db: deps.db, bus: deps.bus, logger, addressPolicy, ...(deps.kms ? { kms: deps.kms } : {}) });
  const settings = createSettingsService({ db: deps.db, bus: deps.bus, logger, quotaDefaults: deps.quotaDefaults ?? quotaDefaultsOf(limitsFromEnv({})), region: deps.region });
  const subgraph = createSubgraphHttpServer<TenantsContext>({
    schema,
    verifyInternalToken: deps.verifyInternalToken,
    logger,
    introspection: deps.introspection ?? false,
    createContext: (principal) => ({ principal, service, members, secrets, settings, loaders: createTenantsLoaders(service, members, principal) }),
  });
  const withSecrets = {
    server: subgraph.server,
    async close() {
      await subgraph.close();
      await secrets.close();
    },
  };
  if (!deps.alertWebhooks) return withSecrets;
  if (!deps.kms) {
    logger.warn({}, 'alert webhooks are not delivered: no master keys to decrypt their signing secrets');
    return withSecrets;
  }
  const dispatcher = startAlertWebhookDispatcher({
    bus: deps.bus,
    webhooks: createSecretVault({ db: deps.db, kms: deps.kms }),
    logger,
    addressPolicy,
    ...(typeof deps.alertWebhooks === 'object' ? deps.alertWebhooks : {}),
  });
  return {
    server: subgraph.server,
    async close() {
      await dispatcher.stop();
      await withSecrets.close();
    },
  };
}
