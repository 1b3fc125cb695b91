import { runSubgraph } from '@switchyard/subgraph-kit/main';
import { loadConfig } from './config';
import { startPolicySubgraph } from './start-policy-subgraph';
import { subgraphName } from './type-defs';

/** Runs the policy subgraph on its own (the platform launcher embeds it instead). */
const config = loadConfig();
await runSubgraph({
  name: subgraphName,
  config,
  port: config.POLICY_SUBGRAPH_PORT,
  host: config.POLICY_SUBGRAPH_HOST,
  listeningMessage: 'policy subgraph listening on /graphql',
  start: (runtime) => startPolicySubgraph(runtime, { introspection: config.SUBGRAPH_INTROSPECTION }),
});
