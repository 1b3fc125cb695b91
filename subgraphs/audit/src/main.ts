import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { auditLedgerOptionsFromEnv, loadConfig } from './config';
import { startAuditSubgraph } from './start-audit-subgraph';
import { subgraphName } from './type-defs';

/** Runs the audit subgraph and its stream consumers on their own (the platform embeds them instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.AUDIT_SUBGRAPH_PORT,
  host: config.AUDIT_SUBGRAPH_HOST,
  listeningMessage: 'audit subgraph listening on /graphql',
  start: (runtime) => startAuditSubgraph(runtime, { ...auditLedgerOptionsFromEnv(config), consumer: config.AUDIT_CONSUMER, introspection: config.SUBGRAPH_INTROSPECTION }),
});
