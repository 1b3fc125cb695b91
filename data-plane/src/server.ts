import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { composeDataPlane } from './composition/compose-data-plane';
import { openDataPlaneBackends } from './composition/open-backends';
import type { DataPlaneConfig } from './config';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';
import { registerTracing } from '@switchyard/tracing';

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/**
 * The standalone data plane: opens the backends its configuration picks, composes the data plane,
 * listens on the public port, and serves its metrics on the operator listener (METRICS_HOST:METRICS_PORT).
 */
export interface RunningDataPlane {
  url: string;
  /** The operator metrics listener (METRICS_HOST:METRICS_PORT), never the public port. */
  metricsUrl: string;
  /** Stops at once (in-flight requests still finish, usage events are flushed). */
  close(): Promise<void>;
  /**
   * SIGTERM: drain (readiness false, `Connection: close`, new requests refused after
   * SHUTDOWN_GRACE_MS, in-flight ones given SHUTDOWN_TIMEOUT_MS), then close (flush usage events).
   */
  shutdown(options?: { graceMs?: number }): Promise<void>;
}

export async function startDataPlaneServer(config: DataPlaneConfig): Promise<RunningDataPlane> {
  const logger = pino({ level: config.logLevel, base: { service: 'data-plane' } });
  // First: spans started before the provider exists would be no-ops. One provider per process.
  const tracing = registerTracing(config.tracing, { serviceName: 'switchyard-data-plane' });
  const opened = await openDataPlaneBackends(config, logger);
  const dataPlane = await composeDataPlane(config, opened.backends).catch(async (error: unknown) => {
    await opened.close();
    throw error;
  });
  const metricsListener = createMetricsListener({ sources: () => [dataPlane.metrics], token: config.metrics.token });
  const close = async () => {
    await closeServer(metricsListener);
    await dataPlane.close();
    await opened.close();
    await tracing.shutdown();
  };
  const metricsListening = listen(metricsListener, config.metrics.port, config.metrics.host).catch((error: unknown) => {
    throw new Error(
      `operator metrics listener: cannot listen on ${config.metrics.host}:${config.metrics.port} (${error instanceof Error ? error.message : String(error)}); set METRICS_PORT / METRICS_HOST`,
    );
  });
  const [port, metricsPort] = await Promise.all([listen(dataPlane.server, config.port, config.host), metricsListening]).catch(
    async (error: unknown) => {
      await close();
      throw error;
    },
  );
  const url = `http://${config.host}:${port}`;
  const metricsUrl = `http://${config.metrics.host}:${metricsPort}/metrics`;
  logger.info(
    { url, metricsUrl, traces: config.tracing.endpoint ?? 'off', metricsToken: config.metrics.token !== undefined, backends: opened.sharedState.kind, database: opened.db.kind, masterKeys: opened.keyring.source, routes: config.routes.map((route) => route.name) },
    'data plane listening',
  );
  const shutdown = async (options: { graceMs?: number } = {}) => {
    const bounds = { graceMs: options.graceMs ?? config.shutdown.graceMs, timeoutMs: config.shutdown.timeoutMs };
    logger.info(bounds, 'draining: readiness off, new requests refused after the grace');
    const { timedOut } = await dataPlane.drain(bounds);
    if (timedOut) logger.warn({ timeoutMs: config.shutdown.timeoutMs }, 'requests still in flight after the shutdown timeout were cut');
    await close();
    logger.info({}, 'drained; usage events flushed');
  };
  return { url, metricsUrl, close, shutdown };
}
