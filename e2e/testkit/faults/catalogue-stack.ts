import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import {
  composeDataPlane,
  createStaticPriceBookSource,
  databaseStores,
  openSharedState,
  type ComposedDataPlane,
  type DataPlaneTuning,
  type SharedState,
} from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig, type LimitsConfigInput, type ProviderConfig } from '@switchyard/data-plane/config';
import { createRedisBus } from '@switchyard/bus';
import { parseRoutes, type RouteConfig } from '@switchyard/data-plane/routes';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { USAGE_STREAM, usageEventSchema, type UsageEvent } from '@switchyard/events/usage';
import { createAuditLedger, createPrismaAuditStore, databaseAnchor, generateAuditKeys, startAuditConsumer, type AuditConsumer, type AuditLedger } from '@switchyard/subgraph-audit';
import { listen } from '@switchyard/platform/listen';

/**
 * The fault catalogue's world: a real data plane (in-process, real HTTP) on a real Redis (own key
 * prefix) with a real Postgres (own database) holding the API key and the audit log, and the real
 * audit consumer turning usage events into audit entries. Every row reads back what the request
 * left: its usage event from the stream and its `inference.request` audit entry from Postgres.
 */
export const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface AuditEntryView {
  action: string;
  actor: string;
  tenantId: string | null;
  payload: Record<string, unknown>;
}

export interface CatalogueWorld {
  db: Database;
  databaseUrl: string;
  prefix: string;
  tenantId: string;
  apiKey: string;
  /** Creates another key of the same tenant (returns its secret). */
  newKey(): Promise<string>;
  /**
   * A data plane composed as every deployable composes it. `sharedState`: its bus, rate limiter and
   * feedback log as `openSharedState` opens them (the caller closes it); default: opened on the
   * world's Redis and prefix, closed with the world. `metricsText()`: what the operator metrics
   * listener would serve for this data plane (its public port serves no /metrics).
   */
  startDataPlane(options: { providers: ProviderConfig[]; routes?: RouteConfig[]; routing?: DataPlaneTuning['routing']; limits?: LimitsConfigInput; sharedState?: SharedState }): Promise<{ app: ComposedDataPlane; url: string; client: OpenAI; metricsText(): Promise<string> }>;
  /** The one usage event of the request sent with x-request-id `requestId` (waits for the fire-and-forget append). */
  usageEvent(requestId: string): Promise<UsageEvent>;
  /** Every usage event seen so far for `requestId` (to assert "exactly one"). */
  usageEventsSeen(requestId: string): UsageEvent[];
  /** The audit entries of `requestId` (waits until at least one exists). */
  auditEntries(requestId: string): Promise<AuditEntryView[]>;
  close(): Promise<void>;
}

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function eventually<T>(read: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export async function startCatalogueWorld(): Promise<CatalogueWorld> {
  const testDatabase: TestDatabase = await createTestDatabase();
  const { db } = testDatabase;
  const { demoTenantId } = await seed(db);
  const newKey = async (): Promise<string> => {
    const key = generateApiKeySecret();
    await db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: `faults-${randomUUID().slice(0, 8)}`, prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
    return key.secret;
  };
  const apiKey = await newKey();
  const prefix = `sy-test-faults-${randomUUID()}:`;
  const readerBus = createRedisBus(REDIS_URL, { keyPrefix: prefix });
  const auditBus = createRedisBus(REDIS_URL, { keyPrefix: prefix });
  const store = createPrismaAuditStore(db);
  const ledger: AuditLedger = createAuditLedger({ store, keys: generateAuditKeys(), anchors: [databaseAnchor(store)], checkpointEvery: 10_000, checkpointIntervalMs: 0 });
  const consumer: AuditConsumer = startAuditConsumer({ ledger, bus: auditBus, logger: silent, blockMs: 50, retryDelayMs: 50, consumerName: 'faults' });
  const readerGroup = `faults-${randomUUID()}`;
  await readerBus.ensureGroup(USAGE_STREAM, readerGroup);
  const seen = new Map<string, UsageEvent[]>();
  const apps: ComposedDataPlane[] = [];
  const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });
  const defaults = loadDataPlaneConfig({});
  const ownSharedStates: SharedState[] = [];

  const pull = async (): Promise<void> => {
    const entries = await readerBus.readGroup(USAGE_STREAM, readerGroup, 'reader', { count: 1000, blockMs: 0 });
    for (const entry of entries) {
      const event = usageEventSchema.parse(JSON.parse(entry.payload));
      // Tests name requests by the x-request-id they sent (the event's requestId is the data plane's own).
      const id = event.clientRequestId ?? event.requestId;
      seen.set(id, [...(seen.get(id) ?? []), event]);
    }
    if (entries.length > 0) await readerBus.ack(USAGE_STREAM, readerGroup, entries.map((entry) => entry.id));
  };

  return {
    db,
    databaseUrl: testDatabase.url,
    prefix,
    tenantId: demoTenantId,
    apiKey,
    newKey,
    async startDataPlane(options) {
      const sharedState = options.sharedState ?? openSharedState({ redisUrl: REDIS_URL, redisKeyPrefix: prefix });
      if (!options.sharedState) ownSharedStates.push(sharedState);
      // Composed as every deployable composes it; only the price book is the catalogue's own.
      const app = await composeDataPlane(
        { providers: options.providers, routes: parseRoutes(options.routes ?? []), limits: options.limits ?? {}, maxBodyBytes: defaults.maxBodyBytes, oidc: undefined },
        {
          stores: {
            ...databaseStores(db, { kms }),
            priceBook: createStaticPriceBookSource({
              version: 1,
              prices: ['healthy', 'slow-drip', 'cut-after-3', 'stall-after-2', 'malformed-after-2', 'flaky', 'mock-gpt'].map((model) => ({ model, inputPer1kMicros: 1000n, outputPer1kMicros: 2000n })),
            }),
          },
          bus: sharedState.bus,
          rateLimiter: sharedState.rateLimiter,
          feedbackLog: sharedState.feedbackLog,
        },
        options.routing ? { routing: options.routing } : {},
      );
      apps.push(app);
      const port = await listen(app.server, 0, '127.0.0.1');
      const url = `http://127.0.0.1:${port}`;
      return { app, url, client: new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 }), metricsText: () => app.metrics.metrics() };
    },
    async usageEvent(requestId) {
      return eventually(async () => {
        await pull();
        return seen.get(requestId)?.[0];
      }, `the usage event of ${requestId}`);
    },
    usageEventsSeen: (requestId) => seen.get(requestId) ?? [],
    async auditEntries(requestId) {
      return eventually(async () => {
        const stored = await store.listEntries('platform', { action: 'inference.request' }, -1, 10_000);
        const readable = await ledger.readable(stored);
        const mine = readable
          .map((entry) => ({ action: entry.action, actor: entry.actor, tenantId: entry.tenantId, payload: (entry.payload ? JSON.parse(entry.payload) : {}) as Record<string, unknown> }))
          .filter((entry) => (entry.payload.clientRequestId ?? entry.payload.requestId) === requestId);
        return mine.length > 0 ? mine : undefined;
      }, `the audit entry of ${requestId}`);
    },
    async close() {
      for (const app of apps) await app.close();
      await consumer.stop();
      await ledger.close();
      for (const sharedState of ownSharedStates) await sharedState.close();
      await Promise.all([readerBus.close(), auditBus.close()]);
      await testDatabase.drop();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}


