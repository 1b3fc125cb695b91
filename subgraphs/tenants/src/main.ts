import { createLocalKms } from '@switchyard/identity/envelope';
import { limitsFromEnv } from '@switchyard/data-plane/config';
import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startTenantsSubgraph } from './start-tenants-subgraph';
import { quotaDefaultsOf } from './tenants-subgraph';
import { subgraphName } from './type-defs';

/** Runs the tenants subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.TENANTS_SUBGRAPH_PORT,
  host: config.TENANTS_SUBGRAPH_HOST,
  listeningMessage: 'tenants subgraph listening on /graphql',
  start: (runtime) =>
    startTenantsSubgraph(runtime, {
      quotaDefaults: quotaDefaultsOf(limitsFromEnv(config)),
      kms: config.masterKeys ? createLocalKms(config.masterKeys) : undefined,
      introspection: config.SUBGRAPH_INTROSPECTION,
      webhookAllowedNetworks: config.ALERT_WEBHOOK_ALLOWED_CIDRS,
    }),
});
