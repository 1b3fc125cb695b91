// `npm run bench -- --admin`: the admin plane (GraphQL) as `npm start` runs it, all components but the
// console in one process pinned to core 0, this harness on core 1. Each operation is measured through
// the gateway and, in the same run, sent to the subgraphs directly (the gateway's query plan, done by
// hand with internal tokens signed from the installation's key), at concurrency 1 and 16; then the
// console's heaviest page operations; then live-update latency (usage event → costUpdated frame).
// Backends: Postgres + Redis, and the embedded default (PGlite, in-process bus).
// Flags: --quick (shorter runs), --admin-only=<names> (a subset), --cpu-prof (V8 profile of the platform process in bench-results/profiles/),
// --admin-runner=bundle|tsx (how the platform process runs; default bundle, what `npm start` runs),
// --admin-backend=postgres|embedded|both (default both).
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { createTestDatabase } from '@switchyard/db/testing';
import { createInternalTokenSigner, importInternalPrivateKey, type Principal } from '@switchyard/identity';
import { loginWithPassword } from '@switchyard/identity/testing';
import { bundleService } from '@switchyard/service-bundle';
import { closedLoop, postGraphQL, round, type LoadResult } from './admin-load';
import { cpuMs, percentile, rssMb } from './measure';
import { startPlatformProcess, type PlatformProcess } from './platform-process';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench-results');
const log = (line: string) => process.stderr.write(`[bench admin ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const quick = process.argv.includes('--quick');
const cpuProfile = process.argv.includes('--cpu-prof');
const runner = (arg('admin-runner') ?? 'bundle') as 'bundle' | 'tsx';
const backendChoice = arg('admin-backend') ?? 'both';
/** `--admin-only=a,b`: measure only these (gateway, one, three, tenantOverview, costDashboard24h, auditExplorerPage, policyPage, live), e.g. for a profile of one operation. */
const only = arg('admin-only')?.split(',');
const wanted = (name: string) => !only || only.includes(name);
const SECONDS = quick ? 3 : 10;
const WARM_UP_CALLS = quick ? 300 : 1500;
const LIVE_SAMPLES = quick ? 15 : 40;
const TENANTS = 5;
const COMPONENTS = 'oidc,tenants,cost,dp,audit,policy,experiments,slo,gateway,data-plane,cost-optimizer';
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

// ---------------------------------------------------------------- the platform process

async function startPlatform(env: Record<string, string>, script: string): Promise<PlatformProcess> {
  return startPlatformProcess({
    script,
    components: COMPONENTS,
    env,
    // The platform's own log (errors it masks for clients included) goes to bench-results/admin-platform.log.
    logFile: path.join(RESULTS_DIR, 'admin-platform.log'),
    core: 0,
    cwd: REPO_ROOT,
    nodeFlags: cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles')}`] : [],
  });
}

// ---------------------------------------------------------------- operations

const ONE_SUBGRAPH = '{ tenants { id slug name apiKeys { id name } } }';
const THREE_SUBGRAPHS = '{ tenants { id slug name apiKeys { id name } cost { totalRequests totalCostUsd } routes { name } } }';

/** The console's heaviest page operations (the documents of supergraph/persisted-operations.json). */
function pageOperations(manifest: Record<string, { name: string; document: string }>) {
  const byName = (name: string) => {
    const found = Object.values(manifest).find((operation) => operation.name === name);
    if (!found) throw new Error(`persisted operation ${name} missing`);
    return found.document;
  };
  return {
    tenantOverview: byName('ConsoleTenant'),
    costDashboard24h: byName('ConsoleCostSummary'),
    auditExplorerPage: byName('ConsoleAuditEntries'),
    policyPage: byName('ConsolePolicyVersions'),
  };
}

interface Row {
  figure: string;
  c1: LoadResult;
  c16: LoadResult;
  cpuPerOpMs: number;
  direct?: { c1: LoadResult; c16: LoadResult; cpuPerOpMs: number };
}

function describeLoad(result: LoadResult): string {
  return `${result.perSecond} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms${result.errors ? `, ${result.errors} errors (${result.firstError})` : ''}`;
}

async function measureBackend(backend: 'postgres' | 'embedded', script: string): Promise<{ lines: string[]; profileNote: string }> {
  const lines: string[] = [];
  const env: Record<string, string> = {};
  let dropDatabase: (() => Promise<void>) | null = null;
  if (backend === 'postgres') {
    const database = await createTestDatabase({ migrate: false });
    await database.db.close();
    dropDatabase = database.drop;
    env['DATABASE_URL'] = database.url;
    env['REDIS_URL'] = REDIS_URL;
    env['REDIS_KEY_PREFIX'] = `sy-bench-admin-${randomBytes(4).toString('hex')}:`;
  }
  log(`${backend}: starting the platform (${runner}${cpuProfile ? ', --cpu-prof' : ''})`);
  const platform = await startPlatform(env, script);
  try {
    const gatewayUrl = `http://127.0.0.1:${platform.ports.SUPERGRAPH_PORT}/graphql`;
    const { accessToken } = await loginWithPassword({
      issuer: `http://127.0.0.1:${platform.ports.OIDC_PORT}`,
      clientId: 'switchyard-console',
      redirectUri: `http://127.0.0.1:${platform.ports.CONSOLE_PORT}/auth/callback`,
      login: 'admin',
      password: 'switchyard-admin',
      resource: 'urn:switchyard:api',
    });
    const bearer = `Bearer ${accessToken}`;
    const agent = new Agent({ keepAlive: true, maxSockets: 64 });
    const gql = (query: string, variables: Record<string, unknown> = {}) => postGraphQL(agent, gatewayUrl, bearer, JSON.stringify({ query, variables }));

    // Five tenants, one API key each (the seed's demo tenant is one of them).
    const existing = ((await gql('{ tenants { id slug apiKeys { id } } }')) as { tenants: Array<{ id: string; slug: string; apiKeys: unknown[] }> }).tenants;
    for (let i = existing.length; i < TENANTS; i += 1) {
      const created = (await gql('mutation($input: CreateTenantInput!) { createTenant(input: $input) { id slug } }', { input: { slug: `bench-${i}`, name: `Bench ${i}` } })) as { createTenant: { id: string; slug: string } };
      existing.push({ ...created.createTenant, apiKeys: [] });
    }
    const demo = existing[0] as { id: string; slug: string };
    let inferenceKey = '';
    for (const tenant of existing) {
      const created = (await gql('mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }', {
        input: { tenantId: tenant.id, name: 'bench', scopes: ['inference'] },
      })) as { createApiKey: { secret: string } };
      if (tenant.id === demo.id) inferenceKey = created.createApiKey.secret;
    }
    // A few usage rows, policy versions and audit entries so the pages have something to read.
    for (let i = 0; i < 5; i += 1) await chat(platform.ports.DATA_PLANE_PORT, inferenceKey);

    // Direct calls: the same principal the gateway vouches for, signed with the installation's key.
    const stored = JSON.parse(await readFile(path.join(platform.dataDir, 'keys', 'internal-token.jwk.json'), 'utf8')) as { privateJwk: Parameters<typeof importInternalPrivateKey>[0] };
    const signer = createInternalTokenSigner(await importInternalPrivateKey(stored.privateJwk));
    const viewer = (await gql('{ viewer { subject email roles } }')) as { viewer: { subject: string; email: string | null } };
    const principal: Principal = { subject: viewer.viewer.subject, email: viewer.viewer.email, tenantId: null, roles: ['platform_admin'], service: 'gateway' };
    const tokenFor = async (subgraph: string) => `Bearer ${await signer.sign(principal, `subgraph:${subgraph}`, 3600)}`;
    const subgraphUrl = (port: string) => `http://127.0.0.1:${port}/graphql`;
    const direct = {
      tenants: { url: subgraphUrl(platform.ports.TENANTS_SUBGRAPH_PORT), auth: await tokenFor('tenants') },
      cost: { url: subgraphUrl(platform.ports.COST_SUBGRAPH_PORT), auth: await tokenFor('cost') },
      experiments: { url: subgraphUrl(platform.ports.EXPERIMENTS_SUBGRAPH_PORT), auth: await tokenFor('experiments') },
      policy: { url: subgraphUrl(platform.ports.POLICY_SUBGRAPH_PORT), auth: await tokenFor('policy') },
    };
    const send = (to: { url: string; auth: string }, query: string, variables: Record<string, unknown> = {}) => postGraphQL(agent, to.url, to.auth, JSON.stringify({ query, variables }));
    // The gateway's plan for THREE_SUBGRAPHS: tenants first, then both entity fetches in parallel.
    const directThree = async () => {
      const data = (await send(direct.tenants, '{ tenants { __typename id slug name apiKeys { id name } } }')) as { tenants: Array<{ id: string }> };
      const representations = data.tenants.map((tenant) => ({ __typename: 'Tenant', id: tenant.id }));
      await Promise.all([
        send(direct.cost, 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Tenant { cost { totalRequests totalCostUsd } } } }', { representations }),
        send(direct.experiments, 'query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Tenant { routes { name } } } }', { representations }),
      ]);
    };

    const pages = pageOperations((JSON.parse(readFileSync(path.join(REPO_ROOT, 'supergraph', 'persisted-operations.json'), 'utf8')) as { operations: Record<string, { name: string; document: string }> }).operations);
    const pageVariables = {
      tenantOverview: { slug: demo.slug },
      costDashboard24h: { tenantId: demo.id, window: 'LAST_24_HOURS' },
      auditExplorerPage: { first: 50 },
      policyPage: { tenantId: demo.id },
    } as const;

    // JIT warm-up of every path measured.
    log(`${backend}: warm-up (${WARM_UP_CALLS} calls of each operation)`);
    for (let i = 0; i < WARM_UP_CALLS; i += 1) {
      if (wanted('one')) await gql(ONE_SUBGRAPH);
      if (wanted('three')) await gql(THREE_SUBGRAPHS);
      if (wanted('three')) await directThree();
      if (i % 5 === 0) for (const [name, document] of Object.entries(pages)) if (wanted(name)) await gql(document, pageVariables[name as keyof typeof pages]);
    }
    const rssIdle = rssMb(platform.pid);

    const measure = async (operation: () => Promise<unknown>): Promise<{ c1: LoadResult; c16: LoadResult; cpuPerOpMs: number }> => {
      const cpu0 = cpuMs(platform.pid);
      const c1 = await closedLoop(operation, 1, SECONDS);
      const c16 = await closedLoop(operation, 16, SECONDS);
      const cpuPerOpMs = round((cpuMs(platform.pid) - cpu0) / Math.max(1, c1.requests + c16.requests), 3);
      return { c1, c16, cpuPerOpMs };
    };

    const rows: Row[] = [];
    log(`${backend}: { __typename } (the gateway alone)`);
    if (wanted('gateway')) rows.push({ figure: '`{ __typename }` (the gateway alone)', ...(await measure(() => gql('{ __typename }'))) });
    log(`${backend}: one subgraph`);
    if (wanted('one')) rows.push({
      figure: '`tenants { id slug name apiKeys { id name } }` (one subgraph)',
      ...(await measure(() => gql(ONE_SUBGRAPH))),
      direct: await measure(() => send(direct.tenants, ONE_SUBGRAPH)),
    });
    log(`${backend}: three subgraphs`);
    if (wanted('three')) rows.push({ figure: 'the same + `cost { totalRequests totalCostUsd }` + `routes { name }` (three subgraphs)', ...(await measure(() => gql(THREE_SUBGRAPHS))), direct: await measure(directThree) });
    const directPages: Partial<Record<keyof typeof pages, () => Promise<unknown>>> = {
      // Single-subgraph page operations: the same document straight to the subgraph that owns every field.
      tenantOverview: () => send(direct.tenants, pages.tenantOverview, pageVariables.tenantOverview),
      costDashboard24h: () => send(direct.cost, pages.costDashboard24h, pageVariables.costDashboard24h),
      policyPage: () => send(direct.policy, pages.policyPage, pageVariables.policyPage),
    };
    for (const [name, document] of Object.entries(pages) as Array<[keyof typeof pages, string]>) {
      if (!wanted(name)) continue;
      log(`${backend}: page operation ${name}`);
      const directOperation = directPages[name];
      rows.push({
        figure: `console: ${name} (${/query (\w+)/.exec(document)?.[1]})`,
        ...(await measure(() => gql(document, pageVariables[name]))),
        ...(directOperation ? { direct: await measure(directOperation) } : {}),
      });
    }
    const rssPeak = rssMb(platform.pid);

    log(`${backend}: live updates (${LIVE_SAMPLES} usage events)`);
    const live = wanted('live') ? await liveUpdateLatency(platform, accessToken, demo.id, inferenceKey) : null;

    lines.push(
      `| operation | concurrency 1 | concurrency 16 | platform CPU per operation | direct to the subgraphs, c1 / c16 | gateway adds (p50, c1) |`,
      '|---|---|---|---|---|---|',
    );
    for (const row of rows) {
      // The direct calls' own CPU per operation: the gateway's share is the difference, steadier than the two medians'.
      const directText = row.direct ? `${describeLoad(row.direct.c1)} / ${describeLoad(row.direct.c16)}; CPU ${row.direct.cpuPerOpMs} ms/op` : '—';
      const added = row.direct ? `${round(row.c1.p50 - row.direct.c1.p50)} ms` : '—';
      lines.push(`| ${row.figure} | ${describeLoad(row.c1)} | ${describeLoad(row.c16)} | ${row.cpuPerOpMs} ms | ${directText} | ${added} |`);
    }
    lines.push(
      '',
      live ? `Live update, chat completion answered → \`costUpdated\` frame at the subscriber (${live.samples} samples, one gateway): p50 ${live.p50} ms, p99 ${live.p99} ms, max ${live.max} ms.` : '',
      '',
      `Platform process RSS: ${Math.round(rssIdle)} MB after warm-up, ${Math.round(rssPeak)} MB after the load.`,
    );
    agent.destroy();
    return { lines, profileNote: cpuProfile ? 'profile written to bench-results/profiles/ when the platform stopped' : '' };
  } finally {
    await platform.stop();
    await dropDatabase?.();
  }
}

/** One chat completion through the data plane of the platform (the mock model). */
function chat(port: string, apiKey: string): Promise<void> {
  const body = JSON.stringify({ model: 'mock-gpt', messages: [{ role: 'user', content: 'bench' }] });
  return new Promise<void>((resolve, reject) => {
    request(`http://127.0.0.1:${port}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` } }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`chat: HTTP ${response.statusCode}`))));
    })
      .on('error', reject)
      .end(body);
  });
}

/** From a chat completion's answer (its usage event is written after the turn) to the subscriber's `costUpdated` frame. */
async function liveUpdateLatency(platform: PlatformProcess, accessToken: string, tenantId: string, apiKey: string) {
  const client = createClient({
    url: `ws://127.0.0.1:${platform.ports.SUPERGRAPH_PORT}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${accessToken}` },
    retryAttempts: 0,
  });
  const frames: Array<{ at: number; totalRequests: number }> = [];
  let waiting: (() => void) | null = null;
  const unsubscribe = client.subscribe<{ costUpdated: { totalRequests: number } }>(
    { query: 'subscription($t: ID!) { costUpdated(tenantId: $t) { totalRequests } }', variables: { t: tenantId } },
    {
      next: (frame) => {
        if (frame.data) frames.push({ at: performance.now(), totalRequests: frame.data.costUpdated.totalRequests });
        waiting?.();
      },
      error: (error) => log(`subscription error: ${JSON.stringify(error).slice(0, 300)}`),
      complete: () => undefined,
    },
  );
  const samples: number[] = [];
  try {
    // The first frame is the current state.
    await new Promise<void>((resolve) => setTimeout(resolve, 1500));
    for (let i = 0; i < LIVE_SAMPLES; i += 1) {
      const before = frames.at(-1)?.totalRequests ?? 0;
      const t0 = performance.now();
      await chat(platform.ports.DATA_PLANE_PORT, apiKey);
      const answeredAt = performance.now();
      const deadline = t0 + 5000;
      while (!(frames.at(-1) && (frames.at(-1)?.totalRequests ?? 0) > before) && performance.now() < deadline) {
        await new Promise<void>((resolve) => {
          waiting = resolve;
          setTimeout(resolve, 50);
        });
      }
      const last = frames.at(-1);
      if (last && last.totalRequests > before) samples.push(last.at - answeredAt);
      // Apart, so each event is its own refresh (not coalesced with the previous one).
      await new Promise<void>((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    unsubscribe();
    await client.dispose();
  }
  samples.sort((a, b) => a - b);
  return { samples: samples.length, p50: round(percentile(samples, 50), 1), p99: round(percentile(samples, 99), 1), max: round(samples.at(-1) ?? Number.NaN, 1) };
}

// ---------------------------------------------------------------- main

await mkdir(RESULTS_DIR, { recursive: true });
let script = path.join(REPO_ROOT, 'platform', 'src', 'start.ts');
if (runner === 'bundle') {
  script = path.join(RESULTS_DIR, 'platform.mjs');
  await bundleService(path.join(REPO_ROOT, 'platform', 'src', 'start.ts'), script);
}
const sections: string[] = [];
const backends: Array<'postgres' | 'embedded'> = backendChoice === 'both' ? ['postgres', 'embedded'] : [backendChoice as 'postgres' | 'embedded'];
for (const backend of backends) {
  const { lines } = await measureBackend(backend, script);
  sections.push(`### ${backend === 'postgres' ? 'Postgres + Redis' : 'Embedded default (PGlite, in-process bus)'}`, '', ...lines, '');
}
const header = [
  `Measured by \`npm run bench -- --admin${quick ? ' --quick' : ''}\` (e2e/bench/admin.ts), ${new Date().toISOString()}, platform run ${runner === 'bundle' ? 'bundled under plain node (what `npm start` runs)' : 'under tsx'}.`,
  `Machine: ${os.cpus().length} cores, Node ${process.version}; load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')}.`,
  '',
];
const out = path.join(RESULTS_DIR, `admin-${runner}.md`);
await writeFile(out, [...header, ...sections].join('\n'));
log(`written ${out}`);
process.stdout.write([...header, ...sections].join('\n'));
if (!existsSync(out)) process.exitCode = 1;
