import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { createClient, type Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { renderReplicaSetConfig, REPLICA_SET_BOXES, SUBGRAPH_BOXES, type ReplicaSetBox } from '@switchyard/deploy/haproxy/replica-set';
import { exportInternalKeyPair, generateApiKeySecret, generateInternalKeyPair } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { generateAuditKeysDocument } from '@switchyard/subgraph-audit';
import { bundledEntry } from '../../testkit/faults/bundled-entry';
import { startChild, type ChildUnderTest } from '../../testkit/faults/child-process';
import { REDIS_URL } from '../../testkit/faults/catalogue-stack';
import { freePorts } from '../../testkit/ports';

/**
 * Issue 14, replicas: every box runs as two replicas behind one HAProxy (the renderer the shipped
 * deploy/haproxy/replica-set.cfg comes from): two data planes, two gateways, and two processes
 * holding the eight subgraphs and their stream consumers (`npm start` with SWITCHYARD_COMPONENTS,
 * each subgraph reached by the gateways only through the balancer). Under continuous load (the
 * official openai client on the data plane, GraphQL queries and two graphql-ws subscriptions on the
 * gateway) one replica of each box is killed with SIGKILL, in turn. Then:
 * - every chat completion the client saw answered 200 is billed exactly once (usage row, cost
 *   roll-up, audit entry by the data plane's request id), and no client request failed for good
 *   (what never reached a replica HAProxy retried; what a dying replica held the client retried);
 * - GraphQL queries keep answering;
 * - the subscription whose gateway died reconnects (graphql-ws retry, as the console does) and
 *   both subscriptions receive the next live update;
 * - what the killed subgraph replica's consumers had read but not acked is claimed by the
 *   surviving member (STREAM_CLAIM_IDLE_MS), and nothing is left pending.
 */
const CLAIM_IDLE_MS = 2_000;
const SUBGRAPH_COMPONENTS = SUBGRAPH_BOXES.join(',');
const PORT_VARIABLES: Record<(typeof SUBGRAPH_BOXES)[number], string> = {
  tenants: 'TENANTS_SUBGRAPH_PORT',
  cost: 'COST_SUBGRAPH_PORT',
  dp: 'DP_SUBGRAPH_PORT',
  audit: 'AUDIT_SUBGRAPH_PORT',
  policy: 'POLICY_SUBGRAPH_PORT',
  experiments: 'EXPERIMENTS_SUBGRAPH_PORT',
  slo: 'SLO_SUBGRAPH_PORT',
  memory: 'MEMORY_SUBGRAPH_PORT',
};

const prefix = `sy-test-replicas-${randomUUID()}:`;
const children: ChildUnderTest[] = [];
const cleanups: Array<() => Promise<void>> = [];
let database: TestDatabase | undefined;
let haproxy: ChildProcess | undefined;
let workDir: string | undefined;

afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((resolve) => haproxy?.once('exit', resolve));
    haproxy.kill('SIGTERM');
    await exited;
  }
  await Promise.all(children.map((child) => child.stop()));
  await database?.drop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, boundMs: number, probe: () => T | undefined | Promise<T | undefined>, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${boundMs} ms ${detail()}`);
    await sleep(50);
  }
}

/** HAProxy's `show stat` over its runtime socket: current sessions and state of every server. */
async function serverStats(socket: string): Promise<Array<{ backend: string; server: string; sessions: number; status: string }>> {
  const text = await new Promise<string>((resolve, reject) => {
    let out = '';
    const connection = createConnection(socket, () => connection.end('show stat\n'));
    connection.on('data', (chunk: Buffer) => (out += chunk.toString()));
    connection.once('end', () => resolve(out));
    connection.once('error', reject);
  });
  const [header, ...rows] = text.trim().split('\n');
  const columns = (header ?? '').replace(/^# /, '').split(',');
  const at = (name: string) => columns.indexOf(name);
  return rows
    .map((row) => row.split(','))
    .filter((cells) => cells[at('svname')] !== 'FRONTEND' && cells[at('svname')] !== 'BACKEND')
    .map((cells) => ({ backend: cells[at('pxname')] ?? '', server: cells[at('svname')] ?? '', sessions: Number(cells[at('scur')]), status: cells[at('status')] ?? '' }));
}

interface Completion {
  at: number;
  status: number;
  /** The data plane's own request id (x-switchyard-request-id): what billing is keyed by. */
  requestId: string | null;
  error?: string;
}
interface QueryOutcome {
  at: number;
  ok: boolean;
  error?: string;
}
interface LiveUpdate {
  at: number;
  totalRequests: number;
}

describe('replicas behind HAProxy: one of each box killed mid-load', () => {
  it('loses no accepted request, bills none twice, keeps GraphQL answering, reconnects subscriptions, and leaves no consumer message behind', async () => {
    // ---- the three deployables as production runs them (bundled, plain node), built while the stores are prepared
    const bundles = Promise.all([
      bundledEntry('platform/src/start.ts', 'replicas-platform'),
      bundledEntry('data-plane/src/index.ts', 'replicas-data-plane'),
      bundledEntry('supergraph/src/main.ts', 'replicas-gateway'),
    ]);
    // ---- stores, tenant, keys
    database = await createTestDatabase();
    const { db } = database;
    await seed(db);
    const tenantId = randomUUID();
    const key = generateApiKeySecret();
    await db.withPlatform((tx) => tx.tenant.create({ data: { id: tenantId, slug: `replicas-${tenantId.slice(0, 8)}`, name: 'replicas' } }));
    await db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: 'replicas', prefix: key.prefix, hash: key.hash, scopes: ['inference', 'admin:read'] } }));

    // One installation's shared secrets: the internal token key pair (the gateways sign, the subgraphs verify), audit and master keys.
    workDir = await mkdtemp(path.join(tmpdir(), 'sy-replicas-'));
    const dataDir = path.join(workDir, 'data');
    const internalKeys = await exportInternalKeyPair(await generateInternalKeyPair());
    await mkdir(path.join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
    await writeFile(path.join(dataDir, 'keys', 'internal-token.jwk.json'), JSON.stringify(internalKeys), { mode: 0o600 });
    const shared = {
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: prefix,
      SWITCHYARD_MASTER_KEYS: `replicas:${generateMasterKey()}`,
    };

    // ---- ports: the balancer's frontends, then each replica's
    const ports = await freePorts(REPLICA_SET_BOXES.length * 3 + 4);
    const take = () => ports.shift() as number;
    const lb = Object.fromEntries(REPLICA_SET_BOXES.map((box) => [box, take()])) as Record<ReplicaSetBox, number>;
    const replicaPorts = [1, 2].map(() => Object.fromEntries(REPLICA_SET_BOXES.map((box) => [box, take()])) as Record<ReplicaSetBox, number>);
    const metricsPorts = [take(), take(), take(), take()];

    const configFile = path.join(workDir, 'haproxy.cfg');
    const runtimeSocket = path.join(workDir, 'haproxy.sock');
    await writeFile(configFile, renderReplicaSetConfig({ replicas: 2, bind: (box) => `127.0.0.1:${lb[box]}`, server: (box, i) => `127.0.0.1:${replicaPorts[i - 1]![box]}`, runtimeSocket }));
    haproxy = spawn('haproxy', ['-db', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    let haproxyErrors = '';
    haproxy.stderr?.on('data', (chunk: Buffer) => (haproxyErrors = (haproxyErrors + chunk.toString()).slice(-5_000)));

    // ---- the replicas, all at once
    const [platformBundle, dataPlaneBundle, gatewayBundle] = await bundles;
    const auditKeys = JSON.stringify(generateAuditKeysDocument());
    const subgraphReplica = (i: 0 | 1) =>
      startChild(
        platformBundle,
        {
          ...shared,
          SWITCHYARD_COMPONENTS: SUBGRAPH_COMPONENTS,
          SWITCHYARD_DATA_DIR: dataDir,
          AUDIT_KEYS: auditKeys,
          AUDIT_WITNESS_FILE: path.join(workDir as string, `audit-witness-${i + 1}.jsonl`),
          STREAM_CLAIM_IDLE_MS: String(CLAIM_IDLE_MS),
          METRICS_PORT: String(metricsPorts[i]),
          ...Object.fromEntries(SUBGRAPH_BOXES.map((name) => [PORT_VARIABLES[name], String(replicaPorts[i]![`${name}_subgraph`])])),
        },
        /(Switchyard is running)/,
        `subgraphs-${i + 1}`,
      );
    const dataPlane = (i: 0 | 1) =>
      startChild(
        dataPlaneBundle,
        {
          ...shared,
          // A few clients in a tight loop: limits must not be what answers.
          DATA_PLANE_REQUESTS_PER_MINUTE: '1000000',
          DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: '1000000',
          DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '100000000',
          DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: '100000000',
          DATA_PLANE_PORT: String(replicaPorts[i]!.data_plane),
          METRICS_PORT: String(metricsPorts[2 + i]),
        },
        /data plane: (http:\/\/\S+)\/v1/,
        `data-plane-${i + 1}`,
      );
    const gateway = (i: 0 | 1) =>
      startChild(
        gatewayBundle,
        {
          ...shared,
          SUPERGRAPH_PORT: String(replicaPorts[i]!.gateway),
          INTERNAL_TOKEN_PRIVATE_JWK: JSON.stringify(internalKeys.privateJwk),
          PERSISTED_QUERIES: 'allow',
          // Every subgraph only through the balancer.
          ...Object.fromEntries(SUBGRAPH_BOXES.map((name) => [`${name.toUpperCase()}_SUBGRAPH_URL`, `http://127.0.0.1:${lb[`${name}_subgraph`]}/graphql`])),
        },
        /(supergraph listening)/,
        `gateway-${i + 1}`,
        { readyOn: 'stderr' },
      );
    const startingAt = Date.now();
    const started = await Promise.all([subgraphReplica(0), subgraphReplica(1), dataPlane(0), dataPlane(1), gateway(0), gateway(1)]);
    children.push(...started);
    const [subgraphs1, , dataPlane1, , gateway1, gateway2] = started;
    // Every replica passed its checks (rise 2): the balancer spreads over both from the first request.
    await until('HAProxy sees every replica up', 30_000, async () => ((await serverStats(runtimeSocket)).every((s) => s.status === 'UP') ? true : undefined), () => haproxyErrors.slice(-1_000));
    const startupMs = Date.now() - startingAt;

    // ---- load: chat completions through the balancer with the official client (its retries on)
    let loading = true;
    const completions: Completion[] = [];
    const failedAttempts: string[] = [];
    const openai = new OpenAI({
      apiKey: key.secret,
      baseURL: `http://127.0.0.1:${lb.data_plane}/v1`,
      maxRetries: 4,
      timeout: 15_000,
      // Counts the attempts the client retried: what failed before acceptance.
      fetch: async (url: string | URL | Request, init?: RequestInit) => {
        try {
          const response = await fetch(url, init);
          if (response.status !== 200) failedAttempts.push(String(response.status));
          return response;
        } catch (error) {
          failedAttempts.push('network');
          throw error;
        }
      },
    });
    const chatWorkers = Array.from({ length: 4 }, async () => {
      while (loading) {
        try {
          const { response } = await openai.chat.completions.create({ model: 'mock-mini', messages: [{ role: 'user', content: 'count me once' }], max_tokens: 8 }).withResponse();
          completions.push({ at: Date.now(), status: response.status, requestId: response.headers.get('x-switchyard-request-id') });
        } catch (error) {
          completions.push({ at: Date.now(), status: error instanceof OpenAI.APIError ? (error.status ?? 0) : 0, requestId: null, error: String(error) });
          await sleep(50);
        }
      }
    });

    // ---- GraphQL queries through the balancer
    const queries: QueryOutcome[] = [];
    const graphqlUrl = `http://127.0.0.1:${lb.gateway}/graphql`;
    const runQueries = async () => {
      while (loading) {
        try {
          const response = await fetch(graphqlUrl, {
            method: 'POST',
            headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
            body: JSON.stringify({ query: 'query ($t: ID!) { costSummary(tenantId: $t, window: LAST_15_MINUTES) { totalRequests } }', variables: { t: tenantId } }),
            signal: AbortSignal.timeout(10_000),
          });
          const body = (await response.json().catch(() => null)) as { data?: { costSummary?: { totalRequests: number } }; errors?: Array<{ message: string }> } | null;
          const ok = response.status === 200 && !body?.errors && typeof body?.data?.costSummary?.totalRequests === 'number';
          queries.push({ at: Date.now(), ok, ...(ok ? {} : { error: `${response.status} ${JSON.stringify(body?.errors ?? body).slice(0, 200)}` }) });
        } catch (error) {
          queries.push({ at: Date.now(), ok: false, error: String(error) });
        }
        await sleep(100);
      }
    };

    // ---- two subscriptions, as the console holds them: retry forever, new socket per attempt
    const subscriptions = [0, 1].map(() => ({ updates: [] as LiveUpdate[], connects: 0, errors: [] as string[], client: undefined as Client | undefined }));
    const subscribe = async (index: number) => {
      const state = subscriptions[index]!;
      const client = createClient({
        url: `ws://127.0.0.1:${lb.gateway}/graphql`,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: Number.POSITIVE_INFINITY,
        shouldRetry: () => true,
        retryWait: async () => void (await sleep(250)),
        keepAlive: 2_000,
        connectionParams: { authorization: `Bearer ${key.secret}` },
        on: { connected: () => (state.connects += 1) },
      });
      state.client = client;
      cleanups.push(async () => void (await client.dispose()));
      client.subscribe<{ costUpdated: { totalRequests: number } }>(
        { query: 'subscription ($t: ID!) { costUpdated(tenantId: $t, window: LAST_15_MINUTES) { totalRequests } }', variables: { t: tenantId } },
        {
          next: (message) => {
            const total = message.data?.costUpdated?.totalRequests;
            if (typeof total === 'number') state.updates.push({ at: Date.now(), totalRequests: total });
            else state.errors.push(JSON.stringify(message.errors ?? message).slice(0, 300));
          },
          error: (error) => state.errors.push(String(error instanceof Error ? error.message : JSON.stringify(error)).slice(0, 300)),
          complete: () => state.errors.push('completed by the server'),
        },
      );
      await until(`subscription ${index + 1} connected`, 30_000, () => (state.connects > 0 ? true : undefined), () => state.errors.join('; '));
    };
    // One after the other, before any query: HAProxy's leastconn puts the second socket on the other gateway.
    await subscribe(0);
    await subscribe(1);
    const socketsPerGateway = (await serverStats(runtimeSocket)).filter((s) => s.backend === 'gateway').map((s) => `${s.server}: ${s.sessions}`);
    const queryWorker = runQueries();

    const ok200 = (after: number) => completions.filter((c) => c.at > after && c.status === 200).length;
    const stateOfLoad = () =>
      `chat: ${completions.length} answers, ${completions.filter((c) => c.status !== 200).length} failed, attempts retried ${failedAttempts.length}; queries: ${queries.length} (${queries.filter((q) => !q.ok).length} failed, last ${queries.filter((q) => !q.ok).at(-1)?.error ?? '-'}); subscriptions: ${subscriptions.map((s) => `${s.updates.length} updates/${s.connects} connects/${s.errors.slice(-1).join('')}`).join(', ')}; haproxy: ${haproxyErrors.slice(-500)}`;
    const queriesOkAfter = (after: number, count: number) => (queries.filter((q) => q.at > after && q.ok).length >= count ? true : undefined);
    const updatedAfter = (after: number) => (subscriptions.every((s) => s.updates.some((u) => u.at > after)) ? true : undefined);

    try {
      // Warm: answers, queries and live updates flow through the balancer.
      await until('warm-up: 40 answers, 5 queries, a live update on both subscriptions', 60_000, () => (ok200(0) >= 40 && queriesOkAfter(0, 5) && updatedAfter(0) ? true : undefined), stateOfLoad);

      // 1. A data plane dies mid-load.
      const dpKilledAt = Date.now();
      await dataPlane1!.kill();
      await until('answers after the data plane was killed', 30_000, () => (ok200(dpKilledAt) >= 40 ? true : undefined), stateOfLoad);

      // 2. A gateway holding a subscription's socket dies: that subscription reconnects to the other gateway.
      const holding = (await serverStats(runtimeSocket)).find((s) => s.backend === 'gateway' && s.sessions > 0);
      expect(holding, `a gateway holding a WebSocket (${socketsPerGateway.join(', ')})`).toBeDefined();
      const connectsBefore = subscriptions.reduce((sum, s) => sum + s.connects, 0);
      const gwKilledAt = Date.now();
      await (holding?.server === 'gw2' ? gateway2 : gateway1)!.kill();
      await until('a subscription reconnected after its gateway died', 30_000, () => (subscriptions.reduce((sum, s) => sum + s.connects, 0) > connectsBefore ? true : undefined), stateOfLoad);
      const reconnectMs = Date.now() - gwKilledAt;
      await until('both subscriptions receive the next live update after the gateway died', 30_000, () => updatedAfter(gwKilledAt + reconnectMs), stateOfLoad);
      await until('queries answer after the gateway died', 30_000, () => queriesOkAfter(gwKilledAt, 5), stateOfLoad);

      // 3. A subgraph replica dies while its consumers hold unacked entries (killed as soon as they do).
      const redis = new Redis(REDIS_URL);
      cleanups.push(async () => void (await redis.quit()));
      const usageStream = `${prefix}switchyard:usage`;
      const killedConsumers = [`cost-writer-${hostname()}-${subgraphs1!.pid}`, `audit-${hostname()}-${subgraphs1!.pid}`];
      const pendingOf = async (group: string, consumer: string) => {
        const rows = (await redis.xpending(usageStream, group, '-', '+', 1_000, consumer)) as unknown[];
        return rows.length;
      };
      const heldByVictim = async () => (await pendingOf('cost-writer', killedConsumers[0]!)) + (await pendingOf('audit-usage', killedConsumers[1]!));
      // The consumers read continuously under load; take the first moment they hold something (bounded: else kill anyway).
      await until('the victim holding unacked usage entries', 5_000, async () => ((await heldByVictim()) > 0 ? true : undefined)).catch(() => undefined);
      const sgKilledAt = Date.now();
      await subgraphs1!.kill();
      const pendingAtKill = await heldByVictim();
      await until('queries answer after the subgraph replica died', 30_000, () => queriesOkAfter(sgKilledAt, 5), stateOfLoad);
      await until('both subscriptions updated after the subgraph replica died', 30_000, () => updatedAfter(sgKilledAt), stateOfLoad);
      await until('answers after the subgraph replica died', 30_000, () => (ok200(sgKilledAt) >= 40 ? true : undefined), stateOfLoad);

      // ---- stop the load; let the surviving consumers drain the stream
      loading = false;
      await Promise.all([...chatWorkers, queryWorker]);
      const groupsOnUsage = ['cost-writer', 'audit-usage'];
      await until(
        'the surviving members consumed everything (no lag, nothing pending)',
        30_000,
        async () => {
          const groups = (await redis.xinfo('GROUPS', usageStream)) as unknown[][];
          const settled = groupsOnUsage.every((name) => {
            const row = groups.find((g) => g[1] === name);
            if (!row) return false;
            const field = (f: string) => row[row.indexOf(f) + 1];
            return field('pending') === 0 && field('lag') === 0;
          });
          return settled ? true : undefined;
        },
        stateOfLoad,
      );
      for (const consumer of killedConsumers) {
        expect(await pendingOf('cost-writer', consumer)).toBe(0);
        expect(await pendingOf('audit-usage', consumer)).toBe(0);
      }

      // ---- billing: every 200 exactly once, by the data plane's request id
      const answered = completions.filter((c) => c.status === 200);
      const answeredIds = answered.map((c) => c.requestId);
      expect(answeredIds.every((id) => typeof id === 'string')).toBe(true);
      expect(new Set(answeredIds).size).toBe(answered.length);
      // No client request failed for good: what failed before acceptance was retried (HAProxy or the client).
      expect(completions.filter((c) => c.status !== 200)).toEqual([]);
      const usageRows = await db.withTenant(tenantId, (tx) => tx.usageEvent.findMany({ where: { tenantId }, select: { requestId: true } }));
      const billed = new Set(usageRows.map((row) => row.requestId));
      const unbilled = answeredIds.filter((id) => !billed.has(id as string));
      expect(unbilled).toEqual([]);
      // Rows the client never saw a 200 for: requests a dying replica had served but could not answer (retried by the client).
      const billedNotAnswered = usageRows.length - answered.length;
      expect(billedNotAnswered).toBeGreaterThanOrEqual(0);
      expect(billedNotAnswered).toBeLessThanOrEqual(failedAttempts.length);
      const rollups = await db.withTenant(tenantId, (tx) => tx.costRollup.findMany({ where: { tenantId } }));
      expect(rollups.reduce((sum, row) => sum + row.requests, 0)).toBe(usageRows.length);
      // One entry per request, keyed `inference:<request id>` (the payload is encrypted).
      const audited = await db.withPlatform((tx) => tx.auditEntry.findMany({ where: { tenantId, action: 'inference.request' }, select: { idempotencyKey: true } }));
      const auditedIds = audited.map((row) => row.idempotencyKey.replace(/^inference:/, ''));
      expect(new Set(auditedIds).size).toBe(audited.length);
      expect(audited.length).toBe(usageRows.length);
      const auditedSet = new Set(auditedIds);
      expect(answeredIds.filter((id) => !auditedSet.has(id as string))).toEqual([]);

      // ---- GraphQL: failed queries only around a kill, and the last ones all answered
      const failedQueries = queries.filter((q) => !q.ok);
      expect(queries.slice(-5).every((q) => q.ok)).toBe(true);

      console.log(
        `replica kill: ${answered.length} chat completions answered 200, each billed once (usage, roll-up, audit); ${failedAttempts.length} attempts failed before acceptance and were retried (${[...new Set(failedAttempts)].join(', ') || 'none'}); ` +
          `${billedNotAnswered} billed requests whose answer a dying replica could not deliver; ${queries.length} GraphQL queries, ${failedQueries.length} failed (${failedQueries.map((q) => q.error).slice(0, 3).join(' | ')}); ` +
          `start-up of six replicas ${startupMs} ms; WebSockets per gateway ${socketsPerGateway.join(', ')}, killed ${holding?.server}; subscription reconnected ${reconnectMs} ms after its gateway died, updates per subscription ${subscriptions.map((s) => s.updates.length).join('/')}; ` +
          `the killed subgraph replica held ${pendingAtKill} unacked usage entries, all claimed by the survivor (claim idle ${CLAIM_IDLE_MS} ms)`,
      );
    } finally {
      loading = false;
      await Promise.all([...chatWorkers, queryWorker]);
    }
  });
});
