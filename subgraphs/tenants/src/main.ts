import { createLocalKms } from '@switchyard/identity/envelope';
import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { createTenantsSubgraph } from './tenants-subgraph';
import { subgraphName } from './type-defs';

/** Runs the tenants subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.TENANTS_SUBGRAPH_PORT,
  host: config.TENANTS_SUBGRAPH_HOST,
  listeningMessage: 'tenants subgraph listening on /graphql',
  start: ({ db, bus, verifyInternalToken, logger }) =>
    createTenantsSubgraph({
      db,
      bus,
      verifyInternalToken,
      logger,
      introspection: config.SUBGRAPH_INTROSPECTION,
      alertWebhooks: true,
      ...(config.masterKeys ? { kms: createLocalKms(config.masterKeys) } : {}),
    }),
});
