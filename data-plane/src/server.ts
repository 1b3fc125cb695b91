import type { AddressInfo } from 'node:net';
import { createDatabase, loadDbConfig } from '@switchyard/db';
import { pino } from 'pino';
import { createDatabasePriceBookSource } from './accounting/price-book';
import { createDataPlane } from './app';
import { createDatabaseTenantSettingsSource } from './tenant-settings/database-settings-source';
import { createTenantSettingsCache } from './tenant-settings/settings-cache';
import { createInProcessBus, createRedisBus } from '@switchyard/bus';
import type { DataPlaneConfig } from './config';
import { createDatabaseApiKeyResolver } from './ingress/api-keys';
import { createApiKeyLastUsedRecorder } from './ingress/api-key-last-used';
import { createOidcAuthentication } from './ingress/oidc-authentication';
import { createInProcessRateLimiter } from './ingress/rate-limit/in-process-rate-limiter';
import { createRedisRateLimiter } from './ingress/rate-limit/redis-rate-limiter';
import { createRedisFeedbackLog } from './router/redis-feedback-log';

/** Wiring only: picks the backends from config, builds the app, listens. */
export async function startDataPlaneServer(config: DataPlaneConfig): Promise<{ url: string; close(): Promise<void> }> {
  const logger = pino({ level: config.logLevel, base: { service: 'data-plane' } });
  const dbConfig = loadDbConfig();
  const db = await createDatabase(dbConfig.databaseUrl ? { url: dbConfig.databaseUrl } : { dataDir: dbConfig.pgliteDataDir });
  await db.migrate();
  const bus = config.redisUrl ? createRedisBus(config.redisUrl, { keyPrefix: config.redisKeyPrefix }) : createInProcessBus();
  const rateLimiter = config.redisUrl
    ? createRedisRateLimiter(config.redisUrl, { keyPrefix: `${config.redisKeyPrefix}switchyard:rl:` })
    : createInProcessRateLimiter();
  // Shared by every replica, so feedback may reach any of them; without Redis, this process only.
  const feedbackLog = config.redisUrl ? createRedisFeedbackLog(config.redisUrl, { keyPrefix: config.redisKeyPrefix }) : undefined;

  const apiKeyLastUsed = createApiKeyLastUsedRecorder(db, { onError: (error) => logger.warn({ err: error }, 'API key last use not recorded yet; retrying') });
  const oidc = config.oidc ? await createOidcAuthentication(config.oidc, db, bus, logger) : undefined;
  // Tenants' allowed regions, default classification and quotas: in memory before serving, one
  // tenant reloaded per tenant-settings.changed.
  const tenantSettings = createTenantSettingsCache({
    source: createDatabaseTenantSettingsSource(db),
    onReloadError: (tenantId, error, attempt) => logger.warn({ err: error, tenantId, attempt }, 'tenant settings not reloaded'),
  });
  const unsubscribeSettings = await tenantSettings.subscribe(bus);
  await tenantSettings.loadAll();
  const dataPlane = createDataPlane({
    apiKeys: createDatabaseApiKeyResolver(db),
    priceBook: createDatabasePriceBookSource(db),
    bus,
    rateLimiter,
    providers: config.providers,
    routes: config.routes,
    limits: config.limits,
    maxBodyBytes: config.maxBodyBytes,
    logger,
    apiKeyLastUsed,
    tenantSettings,
    ...(feedbackLog ? { feedbackLog } : {}),
    ...(oidc ? { accessTokens: oidc.authentication } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    dataPlane.server.once('error', reject);
    dataPlane.server.listen(config.port, config.host, () => resolve());
  });
  const address = dataPlane.server.address() as AddressInfo;
  const url = `http://${config.host}:${address.port}`;
  logger.info({ url, backends: config.redisUrl ? 'redis' : 'in-process', database: db.kind }, 'data plane listening');

  return {
    url,
    async close() {
      await dataPlane.close();
      await unsubscribeSettings();
      await oidc?.close();
      await apiKeyLastUsed.close();
      await Promise.all([bus.close(), rateLimiter.close(), feedbackLog?.close()]);
      await db.close();
    },
  };
}
