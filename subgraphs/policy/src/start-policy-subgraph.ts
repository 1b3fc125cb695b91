import type { StartedSubgraph, SubgraphRuntime } from '@switchyard/subgraph-kit/runtime';
import { createPolicySubgraph } from './policy-subgraph';

export interface PolicySubgraphOptions {
  introspection?: boolean;
}

/** The policy subgraph as every process runs it (its own, or `npm start`); it publishes policy.changed on the runtime's bus. */
export function startPolicySubgraph(runtime: SubgraphRuntime, options: PolicySubgraphOptions = {}): StartedSubgraph {
  const subgraph = createPolicySubgraph({ ...runtime, introspection: options.introspection ?? false });
  return { server: subgraph.server, close: subgraph.close };
}
