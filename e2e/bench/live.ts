// `npm run bench -- --live`: live updates (issue 16) on Postgres + Redis, as production runs them.
// The platform (every subgraph, the usage consumers, the data plane, the issuer and gateway A) is one
// bundled process pinned to core 0; gateway B is the standalone gateway bundled (`supergraph/src/main.ts`,
// the image's entry), a second replica over the same subgraphs, database and Redis bus. Subscribers
// hold the console's `ConsoleCostUpdated` subscription (window LAST_HOUR) over bare graphql-ws sockets,
// each with its own admin:read API key (the per-principal caps stay at their defaults).
//   1. Two replicas: subscribers split across A and B; one chat completion through the data plane per
//      round; latency from the answer (its usage event is written after the turn) to each subscriber's frame.
//   2. 10,000 subscribers on gateway B alone, few tenants (1,000 each) then many (10 each); usage events
//      appended to the usage stream as the data plane appends them; latency from the append to every
//      subscriber's frame; gateway B's RSS and CPU time.
// Flags: --quick (fewer subscribers and rounds), --live-only=replicas,few,many (a subset),
// --cpu-prof (V8 profile of gateway B in bench-results/profiles/, written when it stops),
// --platform-cpu-prof (the same for the platform process: the usage consumer and the subgraphs' refresh queries),
// --gateway-source=<dir> (gateway B bundled from <dir>/supergraph/src/main.ts, e.g. an older commit's
// tree extracted with `git archive`, for a same-sitting baseline; the platform stays this tree's).
import { randomBytes, randomUUID } from 'node:crypto';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createRedisBus } from '@switchyard/bus';
import { createTestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { loginWithPassword } from '@switchyard/identity/testing';
import { bundleService } from '@switchyard/service-bundle';
import { freePort } from '../testkit/ports';
import { postGraphQL, round } from './admin-load';
import { measureRound, openSubscribers, type Subscriber, type SubscriberSpec } from './live-subscribers';
import { cpuMs, percentile, rssMb } from './measure';
import { startPlatformProcess } from './platform-process';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench-results');
const log = (line: string) => process.stderr.write(`[bench live ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const quick = process.argv.includes('--quick');
const cpuProfile = process.argv.includes('--cpu-prof');
const platformCpuProfile = process.argv.includes('--platform-cpu-prof');
const only = process.argv.find((a) => a.startsWith('--live-only='))?.slice('--live-only='.length).split(',');
const wanted = (name: string) => !only || only.includes(name);

const COMPONENTS = 'oidc,tenants,cost,dp,audit,policy,experiments,slo,memory,gateway,data-plane';
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The gateway's default per-principal caps (SUBSCRIPTIONS_MAX_*): each API key holds at most 10 sockets per replica. */
const SOCKETS_PER_KEY = 10;
const SUBSCRIBERS = quick ? 2000 : 10_000;
const FEW_TENANTS = quick ? 4 : 10;
const MANY_TENANTS = SUBSCRIBERS / 10;
const REPLICA_TENANTS = 5;
const REPLICA_SUBSCRIBERS_PER_TENANT = 20;
const REPLICA_ROUNDS = quick ? 15 : 40;
const LOAD_ROUNDS = quick ? 8 : 20;
const CONNECT_CONCURRENCY = 100;

const COST_SUBSCRIPTION = `subscription ConsoleCostUpdated($tenantId: ID!, $window: CostWindow!) {
  costUpdated(tenantId: $tenantId, window: $window) {
    tenantId
    window
    totalCostUsd
    totalRequests
    promptTokens
    completionTokens
    series { bucketStart costUsd requests tokens shadowCostUsd shadowRequests }
    byModel { model costUsd requests promptTokens completionTokens }
    shadowCostUsd
    shadowRequests
    shadowByExperiment { experimentId model costUsd requests promptTokens completionTokens }
  }
}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function summarize(latencies: number[]): { n: number; p50: number; p99: number; max: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { n: sorted.length, p50: round(percentile(sorted, 50), 1), p99: round(percentile(sorted, 99), 1), max: round(sorted.at(-1) ?? Number.NaN, 1) };
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
async function pool<T, R>(items: readonly T[], concurrency: number, task: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next;
        next += 1;
        results[index] = await task(items[index] as T, index);
      }
    }),
  );
  return results;
}

/** One chat completion through the data plane (the mock model); resolves at the answer's last byte. */
function chat(port: string, apiKey: string): Promise<number> {
  const body = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'bench' }] });
  return new Promise((resolve, reject) => {
    request(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve(performance.now()) : reject(new Error(`chat: HTTP ${response.statusCode}`))));
    })
      .on('error', reject)
      .end(body);
  });
}

await mkdir(RESULTS_DIR, { recursive: true });
const platformBundle = path.join(RESULTS_DIR, 'platform.mjs');
const gatewayBundle = path.join(RESULTS_DIR, 'supergraph.mjs');
log('bundling the platform and the standalone gateway');
await bundleService(path.join(REPO_ROOT, 'platform', 'src', 'start.ts'), platformBundle);
const gatewaySource = process.argv.find((a) => a.startsWith('--gateway-source='))?.slice('--gateway-source='.length) ?? REPO_ROOT;
await bundleService(path.join(gatewaySource, 'supergraph', 'src', 'main.ts'), gatewayBundle);

const database = await createTestDatabase({ migrate: false });
await database.db.close();
const keyPrefix = `sy-bench-live-${randomBytes(4).toString('hex')}:`;
const platform = await startPlatformProcess({
  script: platformBundle,
  components: COMPONENTS,
  env: { DATABASE_URL: database.url, REDIS_URL, REDIS_KEY_PREFIX: keyPrefix },
  logFile: path.join(RESULTS_DIR, 'live-platform.log'),
  core: 0,
  cwd: REPO_ROOT,
  ...(platformCpuProfile ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles', 'platform')}`] } : {}),
});
const bus = createRedisBus(REDIS_URL, { keyPrefix });
const lines: string[] = [];
let stopGatewayB: (() => Promise<void>) | undefined;
try {
  const ports = platform.ports;
  const gatewayAUrl = `http://127.0.0.1:${ports.SUPERGRAPH_PORT}/graphql`;
  const { accessToken } = await loginWithPassword({
    issuer: `http://127.0.0.1:${ports.OIDC_PORT}`,
    clientId: 'switchyard-console',
    redirectUri: `http://127.0.0.1:${ports.CONSOLE_PORT}/auth/callback`,
    login: 'admin',
    password: 'switchyard-admin',
    resource: 'urn:switchyard:api',
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  const gql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(agent, gatewayAUrl, `Bearer ${accessToken}`, JSON.stringify({ query, variables }));

  // ---------------------------------------------------------------- tenants and keys
  const tenantCount = Math.max(MANY_TENANTS, FEW_TENANTS, REPLICA_TENANTS);
  log(`creating ${tenantCount} tenants and their admin:read keys`);
  const tenants = await pool(
    Array.from({ length: tenantCount }, (_, i) => i),
    8,
    async (i) => ((await gql('mutation($input: CreateTenantInput!) { createTenant(input: $input) { id } }', { input: { slug: `live-${i}`, name: `Live ${i}` } })) as { createTenant: { id: string } }).createTenant.id,
  );
  const createKey = async (tenantId: string, scopes: string[]) =>
    ((await gql('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', { input: { tenantId, name: 'live', scopes } })) as { createApiKey: { secret: string } }).createApiKey.secret;
  // Few tenants: 1,000 subscribers each on one replica need 100 keys (10 sockets per key).
  const fewKeysPerTenant = Math.ceil(SUBSCRIBERS / FEW_TENANTS / SOCKETS_PER_KEY);
  const adminKeys = new Map<string, string[]>();
  const keyJobs = tenants.flatMap((tenantId, i) => Array.from({ length: i < FEW_TENANTS ? fewKeysPerTenant : 1 }, () => tenantId));
  const secrets = await pool(keyJobs, 8, (tenantId) => createKey(tenantId, ['admin:read']));
  keyJobs.forEach((tenantId, i) => adminKeys.set(tenantId, [...(adminKeys.get(tenantId) ?? []), secrets[i] as string]));
  const inferenceKeys = await pool(tenants.slice(0, REPLICA_TENANTS), 4, (tenantId) => createKey(tenantId, ['inference']));
  log(`created ${keyJobs.length} admin keys`);

  // ---------------------------------------------------------------- gateway B
  const stored = JSON.parse(await readFile(path.join(platform.dataDir, 'keys', 'internal-token.jwk.json'), 'utf8')) as { privateJwk: unknown };
  const gatewayBPort = String(await freePort());
  const subgraph = (port: string) => `http://127.0.0.1:${port}/graphql`;
  const gatewayB = await startGateway({
    SUPERGRAPH_PORT: gatewayBPort,
    TENANTS_SUBGRAPH_URL: subgraph(ports.TENANTS_SUBGRAPH_PORT),
    COST_SUBGRAPH_URL: subgraph(ports.COST_SUBGRAPH_PORT),
    DP_SUBGRAPH_URL: subgraph(ports.DP_SUBGRAPH_PORT),
    AUDIT_SUBGRAPH_URL: subgraph(ports.AUDIT_SUBGRAPH_PORT),
    POLICY_SUBGRAPH_URL: subgraph(ports.POLICY_SUBGRAPH_PORT),
    EXPERIMENTS_SUBGRAPH_URL: subgraph(ports.EXPERIMENTS_SUBGRAPH_PORT),
    SLO_SUBGRAPH_URL: subgraph(ports.SLO_SUBGRAPH_PORT),
    MEMORY_SUBGRAPH_URL: subgraph(ports.MEMORY_SUBGRAPH_PORT),
    OIDC_ISSUER: `http://127.0.0.1:${ports.OIDC_PORT}`,
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    INTERNAL_TOKEN_PRIVATE_JWK: JSON.stringify(stored.privateJwk),
    LOG_LEVEL: 'warn',
  });
  stopGatewayB = gatewayB.stop;
  const wsA = `ws://127.0.0.1:${ports.SUPERGRAPH_PORT}/graphql`;
  const wsB = `ws://127.0.0.1:${gatewayBPort}/graphql`;

  const spec = (url: string, secret: string, tenantId: string): SubscriberSpec => ({
    url,
    authorization: `Bearer ${secret}`,
    tenantId,
    query: COST_SUBSCRIPTION,
    operationName: 'ConsoleCostUpdated',
    variables: { tenantId, window: 'LAST_HOUR' },
    valueOf: (frame) => {
      const match = /"totalRequests":(\d+)/.exec(frame);
      return match ? Number(match[1]) : undefined;
    },
  });
  const byTenant = (subscribers: readonly Subscriber[]) => {
    const map = new Map<string, Subscriber[]>();
    for (const subscriber of subscribers) map.set(subscriber.tenantId, [...(map.get(subscriber.tenantId) ?? []), subscriber]);
    return map;
  };
  /** `count` subscribers of `tenantId` on `url`, 10 per key (the cap), keys taken from `keyOffset`. */
  const specsFor = (url: string, tenantId: string, count: number, keyOffset = 0) =>
    Array.from({ length: count }, (_, i) => spec(url, adminKeys.get(tenantId)?.[keyOffset + Math.floor(i / SOCKETS_PER_KEY)] as string, tenantId));

  // ---------------------------------------------------------------- 1. two replicas
  if (wanted('replicas')) {
    log(`two replicas: ${REPLICA_TENANTS} tenants × ${REPLICA_SUBSCRIBERS_PER_TENANT} subscribers, half on each gateway`);
    const half = REPLICA_SUBSCRIBERS_PER_TENANT / 2;
    // A tenant with several keys uses different ones on each replica; a single-key tenant stays within the cap (10 per replica).
    const replicaSpecs = tenants.slice(0, REPLICA_TENANTS).flatMap((tenantId) => [...specsFor(wsA, tenantId, half), ...specsFor(wsB, tenantId, half, (adminKeys.get(tenantId)?.length ?? 1) > 1 ? 1 : 0)]);
    const replicaSubscribers = await openSubscribers(replicaSpecs, 20);
    const replicaByTenant = byTenant(replicaSubscribers);
    // Warm-up: JIT and caches on both replicas (not measured).
    for (let i = 0; i < 5; i += 1) await measureRound(replicaByTenant, [tenants[i % REPLICA_TENANTS] as string], (tenantId) => chat(ports.DATA_PLANE_PORT, inferenceKeys[tenants.indexOf(tenantId)] as string));
    const replicaLatencies: number[] = [];
    let replicaMissed = 0;
    for (let i = 0; i < REPLICA_ROUNDS; i += 1) {
      const tenantId = tenants[i % REPLICA_TENANTS] as string;
      const { latencies, missed } = await measureRound(replicaByTenant, [tenantId], () => chat(ports.DATA_PLANE_PORT, inferenceKeys[tenants.indexOf(tenantId)] as string));
      replicaLatencies.push(...latencies);
      replicaMissed += missed;
      await sleep(250);
    }
    const replicaFailures = replicaSubscribers.flatMap((s) => s.failures);
    for (const subscriber of replicaSubscribers) subscriber.close();
    const replica = summarize(replicaLatencies);
    log(`two replicas: p50 ${replica.p50} ms, p99 ${replica.p99} ms (${replica.n} frames, ${replicaMissed} missed)`);
    lines.push(
      '### Two gateway replicas (A in the platform process, B standalone), Postgres + Redis',
      '',
      `${REPLICA_TENANTS} tenants × ${REPLICA_SUBSCRIBERS_PER_TENANT} subscribers (half on each replica), ${REPLICA_ROUNDS} rounds of one chat completion through the data plane;`,
      `latency from the answer's last byte (its usage event is appended after the turn) to each subscriber's \`costUpdated\` frame with the new total:`,
      '',
      `| frames | p50 | p99 | max | missed (no frame in 5 s) | failures |`,
      `|---|---|---|---|---|---|`,
      `| ${replica.n} | ${replica.p50} ms | ${replica.p99} ms | ${replica.max} ms | ${replicaMissed} | ${replicaFailures.length} |`,
      '',
    );
    await sleep(1000);
  }

  // ---------------------------------------------------------------- 2. 10,000 subscribers on gateway B
  /** Appends one usage event for the tenant as the data plane does; resolves with the time of the append. */
  const appendUsage = async (tenantId: string): Promise<number> => {
    const event: UsageEvent = {
      requestId: randomUUID(),
      tenantId,
      apiKeyId: null,
      model: 'mock-gpt',
      provider: 'mock',
      promptTokens: 12,
      completionTokens: 30,
      priceBookVersion: 1,
      costMicros: '42',
      latencyMs: 5,
      status: 'ok',
      createdAt: new Date().toISOString(),
    };
    const at = performance.now();
    await bus.append(USAGE_STREAM, JSON.stringify(event));
    return at;
  };

  const scenarios = [
    { id: 'few', name: 'few tenants', tenants: tenants.slice(0, FEW_TENANTS), perTenant: SUBSCRIBERS / FEW_TENANTS, eventsPerRound: FEW_TENANTS },
    { id: 'many', name: 'many tenants', tenants: tenants.slice(0, MANY_TENANTS), perTenant: 10, eventsPerRound: quick ? 20 : 50 },
  ];
  lines.push(
    `### ${SUBSCRIBERS.toLocaleString('en-US')} subscribers on one gateway process (B)`,
    '',
    `Each subscriber is its own socket with one \`ConsoleCostUpdated\` subscription (${SOCKETS_PER_KEY} sockets per admin:read key, the default cap).`,
    `Each round appends one usage event for each of N tenants at once (as the data plane appends them); latency from the append to every subscriber of those tenants receiving the new total.`,
    `Gateway B's CPU time is read from /proc (user + system), its RSS from /proc/<pid>/status.`,
    '',
    '| scenario | connect (all subscribers; reopened after an error frame) | gateway CPU per subscriber connected | RSS idle → connected → after rounds | events per round | frames measured | p50 | p99 | max | missed | gateway CPU per round | failures |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  );
  for (const scenario of scenarios.filter((candidate) => wanted(candidate.id))) {
    log(`${scenario.name}: connecting ${SUBSCRIBERS} subscribers (${scenario.tenants.length} tenants × ${scenario.perTenant})`);
    const rssIdle = rssMb(gatewayB.pid);
    const cpu0 = cpuMs(gatewayB.pid);
    const t0 = performance.now();
    const specs = scenario.tenants.flatMap((tenantId) => specsFor(wsB, tenantId, scenario.perTenant));
    const retries = { count: 0, first: '' };
    const subscribers = await openSubscribers(specs, CONNECT_CONCURRENCY, retries);
    const connectMs = performance.now() - t0;
    const cpuConnect = cpuMs(gatewayB.pid) - cpu0;
    await sleep(2000);
    const rssConnected = rssMb(gatewayB.pid);
    log(`${scenario.name}: connected in ${Math.round(connectMs)} ms, RSS ${Math.round(rssConnected)} MB`);
    const subscribersByTenant = byTenant(subscribers);
    // Warm-up rounds (not measured).
    for (let i = 0; i < 3; i += 1) await measureRound(subscribersByTenant, scenario.tenants.slice(0, scenario.eventsPerRound), appendUsage);
    const latencies: number[] = [];
    let missed = 0;
    const cpuRounds0 = cpuMs(gatewayB.pid);
    for (let i = 0; i < LOAD_ROUNDS; i += 1) {
      // Rotate through the tenants so every group is exercised.
      const start = (i * scenario.eventsPerRound) % scenario.tenants.length;
      const chosen = Array.from({ length: scenario.eventsPerRound }, (_, k) => scenario.tenants[(start + k) % scenario.tenants.length] as string);
      const result = await measureRound(subscribersByTenant, chosen, appendUsage);
      latencies.push(...result.latencies);
      missed += result.missed;
      await sleep(250);
    }
    const cpuPerRound = (cpuMs(gatewayB.pid) - cpuRounds0) / LOAD_ROUNDS;
    const rssAfter = rssMb(gatewayB.pid);
    const failures = subscribers.flatMap((s) => s.failures);
    const summary = summarize(latencies);
    log(`${scenario.name}: p50 ${summary.p50} ms, p99 ${summary.p99} ms (${summary.n} frames, ${missed} missed, ${failures.length} failures), CPU ${round(cpuPerRound, 1)} ms per round`);
    lines.push(
      `| ${scenario.name}: ${scenario.tenants.length} tenants × ${scenario.perTenant} | ${round(connectMs / 1000, 1)} s (${retries.count}${retries.first ? `: ${retries.first.slice(0, 60)}` : ''}) | ${round(cpuConnect / SUBSCRIBERS, 2)} ms | ${Math.round(rssIdle)} → ${Math.round(rssConnected)} → ${Math.round(rssAfter)} MB | ${scenario.eventsPerRound} (${scenario.eventsPerRound * scenario.perTenant} frames) | ${summary.n} | ${summary.p50} ms | ${summary.p99} ms | ${summary.max} ms | ${missed} | ${Math.round(cpuPerRound)} ms | ${failures.length}${failures[0] ? ` (${failures[0].slice(0, 80)})` : ''} |`,
    );
    for (const subscriber of subscribers) subscriber.close();
    await sleep(3000);
  }
  agent.destroy();
} finally {
  await stopGatewayB?.();
  await bus.close();
  await platform.stop();
  await database.drop();
}

/** The standalone gateway (bundle) on core 1 beside this harness; resolves once /readyz answers 200. */
async function startGateway(env: Record<string, string>): Promise<{ pid: number; stop(): Promise<void> }> {
  const profile = cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles')}`] : [];
  const child = spawn('taskset', ['-c', '1', process.execPath, '--enable-source-maps', ...profile, gatewayBundle], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logFile = createWriteStream(path.join(RESULTS_DIR, 'live-gateway-b.log'), { flags: 'a' });
  child.stderr?.pipe(logFile);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`gateway B exited with ${code} (bench-results/live-gateway-b.log)`))));
  const ready = (async () => {
    for (let i = 0; i < 600; i += 1) {
      const status = await new Promise<number>((resolve) => {
        request(`http://127.0.0.1:${env['SUPERGRAPH_PORT']}/readyz`, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
          .on('error', () => resolve(0))
          .end();
      });
      if (status === 200) return;
      await sleep(100);
    }
    throw new Error('gateway B: not ready after 60 s');
  })();
  await Promise.race([ready, exited]);
  exited.catch(() => undefined);
  return {
    pid: child.pid as number,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
      }),
  };
}

const header = [
  `Measured by \`npm run bench -- ${process.argv.slice(2).join(' ')}\` (e2e/bench/live.ts), gateway B from ${gatewaySource === REPO_ROOT ? 'this tree' : gatewaySource}, ${new Date().toISOString()}; platform and gateway B bundled under plain node (what production runs).`,
  `Machine: ${os.cpus().length} cores, Node ${process.version}; platform pinned to core 0, gateway B and this harness on core 1; load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')}.`,
  '',
];
const out = path.join(RESULTS_DIR, gatewaySource === REPO_ROOT ? `live${quick ? '-quick' : ''}.md` : 'live-baseline.md');
await writeFile(out, [...header, ...lines].join('\n') + '\n');
log(`written ${out}`);
process.stdout.write([...header, ...lines].join('\n') + '\n');
