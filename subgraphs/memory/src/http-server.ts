import type { BaseContext } from '@apollo/server';
import {
  createSubgraphHttpServer as createSharedSubgraphHttpServer,
  type SubgraphHttpServer,
  type SubgraphHttpServerOptions as SharedOptions,
} from '@switchyard/subgraph-kit/http-server';
import { isClientError } from './errors';

export type { SubgraphHttpServer };
export type SubgraphHttpServerOptions<TContext extends BaseContext> = Omit<SharedOptions<TContext>, 'isClientError'>;

/** The shared transport, passing this subgraph's own error codes through unmasked. */
export function createSubgraphHttpServer<TContext extends BaseContext>(options: SubgraphHttpServerOptions<TContext>): SubgraphHttpServer {
  return createSharedSubgraphHttpServer({ ...options, isClientError });
}
