import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import { createInternalTokenVerifier, importInternalPublicKey } from '@switchyard/identity';
import { register as processRegistry } from 'prom-client';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { registerTracing, tracingConfigOf, type TracingEnv } from '@switchyard/tracing';
import { attachHttpDrain } from './drain';
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
    /** SIGTERM: new requests served (with `Connection: close`) this long, then refused (default 5000). */
    SHUTDOWN_GRACE_MS?: number | undefined;
    /** SIGTERM: in-flight requests get this long after the grace (default 20000). */
    SHUTDOWN_TIMEOUT_MS?: number | undefined;
    /** The region this admin plane runs in; unset: one-region deployment. */
    SWITCHYARD_REGION?: string | undefined;
    /** When a surviving consumer takes over a dead one's pending entries (default: each consumer's own, 30 s). */
    STREAM_CLAIM_IDLE_MS?: number | undefined;
  } & TracingEnv;
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
 * and on SIGINT/SIGTERM drains (attachHttpDrain: readiness off, `Connection: close`, new requests refused
 * after SHUTDOWN_GRACE_MS, in-flight ones given SHUTDOWN_TIMEOUT_MS), then closes everything in order.
 */
export async function runSubgraph(options: RunSubgraphOptions): Promise<void> {
  const { config } = options;
  const logger = createConsoleLogger(`subgraph-${options.name}`);
  // Before anything starts spans: one provider per process, off (sending nothing) without an OTLP endpoint.
  const tracing = registerTracing(tracingConfigOf(config), { serviceName: `switchyard-subgraph-${options.name}` });
  const db = await createDatabase({ url: config.DATABASE_URL, tenantUrl: config.DATABASE_TENANT_URL });
  const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : createInProcessBus();
  const publicKey = await importInternalPublicKey(config.INTERNAL_TOKEN_PUBLIC_JWK);
  const verifyInternalToken = createInternalTokenVerifier(publicKey, `subgraph:${options.name}`);
  const subgraph = await options.start({ db, bus, verifyInternalToken, logger, region: config.SWITCHYARD_REGION, ...(config.STREAM_CLAIM_IDLE_MS !== undefined ? { streamClaimIdleMs: config.STREAM_CLAIM_IDLE_MS } : {}) });

  const drain = attachHttpDrain(subgraph.server);
  subgraph.server.listen(options.port, options.host, () => {
    logger.info({ port: options.port, host: options.host, ...subgraph.listeningDetails }, options.listeningMessage);
  });
  // The process registry (what runs beside the subgraph: stream consumer lag and failures) and the subgraph's own.
  const sources = [processRegistry, ...(subgraph.metrics ? [subgraph.metrics] : [])];
  const metricsListener = options.metrics ? createMetricsListener({ sources: () => sources, token: options.metrics.token }) : undefined;
  if (metricsListener && options.metrics) {
    const { port, host, token } = options.metrics;
    metricsListener.listen(port, host, () => logger.info({ port, host, token: token !== undefined }, 'operator metrics listening on /metrics'));
  }

  const graceMs = config.SHUTDOWN_GRACE_MS ?? 5_000;
  const timeoutMs = config.SHUTDOWN_TIMEOUT_MS ?? 20_000;
  let stopping = false;
  async function shutdown(signal: string): Promise<void> {
    // Ctrl-C: no load balancer to wait for.
    const grace = signal === 'SIGINT' ? 0 : graceMs;
    logger.info({ signal, graceMs: grace, timeoutMs }, 'draining: readiness off, new requests refused after the grace');
    const { timedOut } = await drain.drain({ graceMs: grace, timeoutMs });
    if (timedOut) logger.warn({ timeoutMs }, 'requests still in flight after the shutdown timeout were cut');
    if (metricsListener?.listening) await new Promise<void>((resolve) => metricsListener.close(() => resolve()));
    // Then what runs beside the subgraph (consumers finish their round, ledgers flush), the bus, the database.
    await subgraph.close();
    await bus.close();
    await db.close();
    await tracing.shutdown();
    logger.info({}, 'stopped');
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      // A second signal, or a drain 10 s past its bound, exits at once.
      if (stopping) process.exit(1);
      stopping = true;
      setTimeout(() => process.exit(1), graceMs + timeoutMs + 10_000).unref();
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
