import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { createConsoleLogger } from './logger';
import type { StartedSubgraph, SubgraphRuntime } from './runtime';

export type { StartedSubgraph, SubgraphRuntime } from './runtime';

export interface RunSubgraphOptions {
  /** The subgraph's name: the logger is `subgraph-<name>`, internal tokens must be for `subgraph:<name>`. */
  name: string;
  config: {
    DATABASE_URL: string;
    DATABASE_TENANT_URL?: string | undefined;
    REDIS_URL?: string | undefined;
    REDIS_KEY_PREFIX?: string | undefined;
    INTERNAL_TOKEN_PUBLIC_JWK: Record<string, unknown>;
  };
  port: number;
  host: string;
  /** Logged once the server listens, e.g. "cost subgraph listening on /graphql". */
  listeningMessage: string;
  /** Where a subgraph with metrics serves them: the operator metrics listener (METRICS_*), never its own port. */
  metrics?: { port: number; host: string; token: string | undefined };
  start(runtime: SubgraphRuntime): StartedSubgraph | Promise<StartedSubgraph>;
}

/**
 * Runs one subgraph on its own (the platform launcher embeds them instead): opens the database and the bus
 * (Redis when configured, in-process otherwise), verifies internal tokens with the gateway's key, listens,
 * and closes everything in order on SIGINT/SIGTERM.
 */
export async function runSubgraph(options: RunSubgraphOptions): Promise<void> {
  const { config } = options;
  const logger = createConsoleLogger(`subgraph-${options.name}`);
  const db = await createDatabase({ url: config.DATABASE_URL, tenantUrl: config.DATABASE_TENANT_URL });
  const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
  const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
  const verifyInternalToken = createInternalTokenVerifier(publicKey, `subgraph:${options.name}`);
  const subgraph = await options.start({ db, bus, verifyInternalToken, logger });

  subgraph.server.listen(options.port, options.host, () => {
    logger.info({ port: options.port, host: options.host, ...subgraph.listeningDetails }, options.listeningMessage);
  });
  const source = subgraph.metrics;
  const metricsListener = source && options.metrics ? createMetricsListener({ sources: () => [source], token: options.metrics.token }) : undefined;
  if (metricsListener && options.metrics) {
    const { port, host, token } = options.metrics;
    metricsListener.listen(port, host, () => logger.info({ port, host, token: token !== undefined }, 'operator metrics listening on /metrics'));
  }

  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    if (metricsListener?.listening) await new Promise<void>((resolve) => metricsListener.close(() => resolve()));
    await subgraph.close();
    await bus.close();
    await db.close();
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: String(error) }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
