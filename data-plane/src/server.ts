import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { composeDataPlane } from './composition/compose-data-plane';
import { openDataPlaneBackends } from './composition/open-backends';
import type { DataPlaneConfig } from './config';
import { createMetricsListener } from '@switchyard/http-edge/metrics-listener';

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
export async function startDataPlaneServer(config: DataPlaneConfig): Promise<{ url: string; metricsUrl: string; close(): Promise<void> }> {
  const logger = pino({ level: config.logLevel, base: { service: 'data-plane' } });
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
    { url, metricsUrl, metricsToken: config.metrics.token !== undefined, backends: opened.sharedState.kind, database: opened.db.kind, masterKeys: opened.keyring.source, routes: config.routes.map((route) => route.name) },
    'data plane listening',
  );
  return { url, metricsUrl, close };
}
