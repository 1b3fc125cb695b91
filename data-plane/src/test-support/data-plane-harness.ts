import { randomUUID } from 'node:crypto';
import type { BanditPriorSource } from '../router/bandit-priors';
import type { AddressInfo } from 'node:net';
import { generateApiKeySecret } from '@switchyard/identity';
import { createStaticPriceBookSource, type PriceBook, type PriceBookSource } from '../accounting/price-book';
import { USAGE_STREAM, usageEventSchema, type UsageEvent } from '@switchyard/events/usage';
import type { ProviderConfig } from '../adapters/provider-registry';
import type { DataPlane, DataPlaneDeps } from '../app';
import { type Bus, createInProcessBus } from '@switchyard/bus';
import { composeDataPlane } from '../composition/compose-data-plane';
import { loadDataPlaneConfig } from '../config';
import type { ApiKeyRecord, ApiKeyResolver } from '@switchyard/identity/api-keys';
import { createInProcessRateLimiter } from '../ingress/rate-limit/in-process-rate-limiter';
import type { RateLimiter } from '../ingress/rate-limit/rate-limiter';
import { parseRoutes } from '../router/route';
import { inMemoryStores } from './in-memory-stores';
import type { SessionDocumentStore } from '@switchyard/session-documents';
import type { SessionSnapshotStore, SessionWindow, SessionWindowLimits } from '@switchyard/memory/session';
import type { TenantSettingsSource } from '../tenant-settings/settings-cache';
import { DEFAULT_TENANT_SETTINGS, type TenantSettings } from '@switchyard/db/tenant-settings';
import type { VectorMemory } from '@switchyard/vector-memory';

export const TEST_PRICE_BOOK: PriceBook = {
  version: 3,
  prices: [
    { model: 'mock-gpt', inputPer1kMicros: 500n, outputPer1kMicros: 1500n },
    { model: 'mock-large', inputPer1kMicros: 3000n, outputPer1kMicros: 15000n },
    { model: 'mock-mini', inputPer1kMicros: 150n, outputPer1kMicros: 600n },
    { model: 'mock-embed-1', inputPer1kMicros: 20n, outputPer1kMicros: 0n },
  ],
};

export class FakeApiKeyStore implements ApiKeyResolver {
  readonly records = new Map<string, ApiKeyRecord>();
  lookups = 0;

  /** Adds a key and returns its secret. */
  add(overrides: Partial<ApiKeyRecord> = {}): { secret: string; hash: string; record: ApiKeyRecord } {
    const { secret, hash } = generateApiKeySecret();
    const record: ApiKeyRecord = { id: randomUUID(), tenantId: randomUUID(), scopes: ['inference'], expiresAt: null, revokedAt: null, ...overrides };
    this.records.set(hash, record);
    return { secret, hash, record };
  }

  async resolve(hash: string): Promise<ApiKeyRecord | null> {
    this.lookups += 1;
    return this.records.get(hash) ?? null;
  }
}

export interface HarnessOptions {
  providers?: ProviderConfig[];
  requestsPerMinutePerKey?: number;
  maxBodyBytes?: number;
  apiKeys?: ApiKeyResolver;
  priceBook?: PriceBookSource;
  bus?: Bus;
  rateLimiter?: RateLimiter;
  routes?: DataPlaneDeps['routes'];
  routing?: DataPlaneDeps['routing'];
  redaction?: DataPlaneDeps['redaction'];
  /** Extra limits (merged over `requestsPerMinutePerKey`). */
  limits?: DataPlaneDeps['limits'];
  qos?: DataPlaneDeps['qos'];
  requestLog?: DataPlaneDeps['requestLog'];
  accessTokens?: DataPlaneDeps['accessTokens'];
  apiKeyLastUsed?: DataPlaneDeps['apiKeyLastUsed'];
  feedbackLog?: DataPlaneDeps['feedbackLog'];
  /** METRICS_TENANT_LABELS=on (default off). */
  metricsTenantLabels?: boolean;
  /** The cost optimizer's priors (loaded at start, reloaded on bandit-priors.changed). */
  banditPriors?: BanditPriorSource;
  /** Session documents' store (replicas share one as they share the database). */
  sessionDocuments?: SessionDocumentStore;
  /** Session document bounds (DATA_PLANE_SESSION_DOCUMENT_*). */
  sessionDocumentLimits?: { maxUpdateBytes: number; maxDocumentBytes: number; maxDocumentsPerTenant: number };
  replicaId?: string;
  /** The session window (default: in-process) and its limits (default: the memory package's). */
  sessionWindow?: SessionWindow;
  memoryLimits?: SessionWindowLimits;
  /** The session window's durable snapshot (default: none). */
  sessionSnapshot?: SessionSnapshotStore;
  /** The harness tenant's settings (allowed regions, …); default: the defaults. */
  tenantSettings?: Partial<TenantSettings>;
  /** The vector memory (default: the app's in-process one). */
  vectorMemory?: VectorMemory;
}

export interface Harness {
  url: string;
  baseUrl: string;
  keys: FakeApiKeyStore;
  secret: string;
  record: ApiKeyRecord;
  bus: Bus;
  dataPlane: DataPlane;
  /** What the operator metrics listener serves for this data plane (the public `url` serves no /metrics). */
  metricsText(): Promise<string>;
  finish(): Promise<UsageEvent[]>;
}

/** A settings source where `tenantId` has `settings` (and no other tenant exists). */
function settingsOf(tenantId: string, settings: TenantSettings): TenantSettingsSource {
  return { loadAll: async () => new Map([[tenantId, settings]]), load: async (id) => (id === tenantId ? settings : null) };
}

export const MOCK_PROVIDER: ProviderConfig = { name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-large', 'mock-mini'] };

/**
 * Starts the data plane on port 0, composed as every deployable composes it (composeDataPlane),
 * over in-process backends: a fake key store, a static price book, the in-process bus and limiter.
 * `finish()` closes the app (which drains usage recording) and returns every usage event
 * written, so "exactly one event" can be asserted without waiting on timers.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const keys = new FakeApiKeyStore();
  const { secret, record } = keys.add();
  const bus = options.bus ?? createInProcessBus();
  const rateLimiter = options.rateLimiter ?? createInProcessRateLimiter();
  // The production defaults, then what this test sets.
  const defaults = loadDataPlaneConfig({});
  const dataPlane = await composeDataPlane(
    {
      providers: options.providers ?? [MOCK_PROVIDER],
      routes: Array.isArray(options.routes) ? parseRoutes(options.routes) : [],
      limits: { requestsPerMinutePerKey: options.requestsPerMinutePerKey ?? 1_000, ...options.limits },
      maxBodyBytes: options.maxBodyBytes ?? defaults.maxBodyBytes,
      oidc: undefined,
      metrics: { tenantLabels: options.metricsTenantLabels ?? false },
      ...(options.sessionDocumentLimits ? { sessionDocuments: options.sessionDocumentLimits } : {}),
      ...(options.memoryLimits ? { memory: options.memoryLimits } : {}),
    },
    {
      stores: {
        ...inMemoryStores({
        apiKeys: options.apiKeys ?? keys,
        priceBook: options.priceBook ?? createStaticPriceBookSource(TEST_PRICE_BOOK),
        ...(options.routes && !Array.isArray(options.routes) ? { routes: options.routes } : {}),
        ...(options.banditPriors ? { banditPriors: options.banditPriors } : {}),
        ...(options.sessionDocuments ? { sessionDocuments: options.sessionDocuments } : {}),
        ...(options.sessionSnapshot ? { sessionSnapshot: options.sessionSnapshot } : {}),
        ...(options.tenantSettings ? { tenantSettings: settingsOf(record.tenantId, { ...DEFAULT_TENANT_SETTINGS, ...options.tenantSettings }) } : {}),
        }),
        ...(options.vectorMemory ? { vectorMemory: () => Promise.resolve(options.vectorMemory!) } : {}),
      },
      bus,
      rateLimiter,
      feedbackLog: options.feedbackLog,
      sessionWindow: options.sessionWindow,
    },
    {
      ...(options.routing ? { routing: options.routing } : {}),
      ...(options.redaction ? { redaction: options.redaction } : {}),
      ...(options.qos ? { qos: options.qos } : {}),
      ...(options.requestLog ? { requestLog: options.requestLog } : {}),
      ...(options.accessTokens ? { accessTokens: options.accessTokens } : {}),
      ...(options.apiKeyLastUsed ? { apiKeyLastUsed: options.apiKeyLastUsed } : {}),
      ...(options.replicaId ? { replicaId: options.replicaId } : {}),
    },
  );
  await new Promise<void>((resolve) => dataPlane.server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = dataPlane.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  let finished: Promise<UsageEvent[]> | undefined;

  async function drainAndRead(): Promise<UsageEvent[]> {
    await dataPlane.close();
    const group = `test-${randomUUID()}`;
    await bus.ensureGroup(USAGE_STREAM, group);
    const entries = await bus.readGroup(USAGE_STREAM, group, 'test', { count: 10_000, blockMs: 0 });
    const events = entries.map((entry) => usageEventSchema.parse(JSON.parse(entry.payload)));
    if (!options.bus) await bus.close();
    if (!options.rateLimiter) await rateLimiter.close();
    return events;
  }

  return {
    url,
    baseUrl: `${url}/v1`,
    keys,
    secret,
    record,
    bus,
    dataPlane,
    metricsText: () => dataPlane.metrics.metrics(),
    finish() {
      finished ??= drainAndRead();
      return finished;
    },
  };
}

/** Reads a whole SSE response into its `data:` payloads. */
export async function readSse(response: Response): Promise<string[]> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const line = block.split('\n').find((l) => l.startsWith('data: '));
      if (!line) throw new Error(`SSE block without data: ${block}`);
      return line.slice('data: '.length);
    });
}
