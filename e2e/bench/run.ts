// `npm run bench`: measures the data plane against a direct call to the mock provider, in one run,
// with the gateway pinned to core 0 and the load generator (this process) and the mock to core 1.
// Writes BENCHMARKS.md at the repository root. Progress on stderr. Flags: --quick (shorter runs),
// --data-plane-only (keep the other sections), --cpu-prof (V8 profile of the gateway in bench-results/profiles/),
// --admin (the admin plane only: e2e/bench/admin.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent } from 'node:http';
import autocannon from 'autocannon';
import { seed } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { bundleService } from '@switchyard/service-bundle';
import { startBenchRedis } from './bench-redis';
import { DATA_PLANE_NODE_FLAGS, startPinned } from './processes';
import { chatBody, cpuMs, latencyAtConcurrencyOne, percentile, rssMb, timedRequest, warmUp, type Target } from './measure';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS_DIR = path.join(REPO_ROOT, 'bench-results');
const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

if (!process.env.BENCH_PINNED) {
  // Re-run this harness on core 1 so it never competes with the gateway on core 0.
  const result = spawnSync('taskset', ['-c', '1', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, BENCH_PINNED: '1' } });
  process.exit(result.status ?? 1);
}

// `--tracing`: only the tail-sampling section (its own script), not the whole benchmark.
if (process.argv.includes('--tracing')) {
  await import('./tracing');
  process.exit(process.exitCode ?? 0);
}

// `--admin`: only the admin-plane section (GraphQL through the gateway and direct, live updates).
if (process.argv.includes('--admin')) {
  await import('./admin');
  process.exit(process.exitCode ?? 0);
}

const quick = process.argv.includes('--quick');
/** Re-measure the data plane only; the other sections are kept from bench-results/. */
const dataPlaneOnly = process.argv.includes('--data-plane-only');
const LATENCY_REQUESTS = quick ? 500 : 5000;
const THROUGHPUT_SECONDS = quick ? 3 : 10;
const STREAMS = quick ? 200 : 1000;
/** `--cpu-prof`: the gateway writes a V8 CPU profile to bench-results/profiles/ when it stops. */
const cpuProfile = process.argv.includes('--cpu-prof');

// The gateway's own Postgres database (SWITCHYARD_TEST_POSTGRES_URL's server), migrated, seeded
// and given one API key here, dropped at the end: the gateway process only connects to it.
const benchDb = await createTestDatabase();
const { demoTenantId } = await seed(benchDb.db);
const key = generateApiKeySecret();
await benchDb.db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'bench', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));
await benchDb.db.close();

// The gateway runs as a production data plane does (`npm start -w @switchyard/data-plane`): bundled, plain node.
const gatewayBundle = path.join(RESULTS_DIR, 'gateway.mjs');
await bundleService(path.join(REPO_ROOT, 'e2e/bench/gateway.ts'), gatewayBundle);
const redis = await startBenchRedis(1, process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379');
const mock = await startPinned<{ url: string; baseUrl: string }>('mock-upstream.ts', 1, {});
const gateway = await startPinned<{ url: string; apiKey: string; pid: number }>(
  gatewayBundle,
  0,
  { UPSTREAM_BASE_URL: mock.info.baseUrl, DATABASE_URL: benchDb.url, BENCH_API_KEY: key.secret, REDIS_URL: redis.url },
  [...DATA_PLANE_NODE_FLAGS, ...(cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(RESULTS_DIR, 'profiles')}`] : [])],
);
const direct: Target = { url: mock.info.url, apiKey: 'none' };
const viaGateway: Target = { url: gateway.info.url, apiKey: gateway.info.apiKey };
const gatewayPid = gateway.info.pid;
log(`mock ${mock.info.url} (core 1), gateway ${gateway.info.url} (core 0, pid ${gatewayPid}), Redis: ${redis.description}`);

const rows: string[] = [];
try {
  // Warm up JIT (the optimising compiler needs thousands of calls), key cache, price book, connections.
  await warmUp(viaGateway, chatBody('warm up'), quick ? 1000 : 3000);
  await warmUp(direct, chatBody('warm up'), 300);
  const rssIdle = rssMb(gatewayPid);

  // 1. Added latency at concurrency 1 (mock answers at once).
  log(`latency: ${LATENCY_REQUESTS} sequential requests each way`);
  const body = chatBody('[mock: chunks=4] measure the added latency');
  const baseline = await latencyAtConcurrencyOne(direct, body, LATENCY_REQUESTS, (n) => log(`  direct ${n}/${LATENCY_REQUESTS}`));
  const cpuBefore = cpuMs(gatewayPid);
  const through = await latencyAtConcurrencyOne(viaGateway, body, LATENCY_REQUESTS, (n) => log(`  gateway ${n}/${LATENCY_REQUESTS}`));
  const cpuPerRequestSequential = (cpuMs(gatewayPid) - cpuBefore) / LATENCY_REQUESTS;
  const added = (p: number) => percentile(through, p) - percentile(baseline, p);
  rows.push(
    `| added latency p50, concurrency 1 | ${added(50).toFixed(3)} ms | direct p50 ${percentile(baseline, 50).toFixed(3)} ms, via gateway ${percentile(through, 50).toFixed(3)} ms | p99 ≤ 1 ms |`,
    `| added latency p99, concurrency 1 | ${added(99).toFixed(3)} ms | direct p99 ${percentile(baseline, 99).toFixed(3)} ms, via gateway ${percentile(through, 99).toFixed(3)} ms | ≤ 1 ms |`,
    `| gateway CPU per request, concurrency 1 | ${cpuPerRequestSequential.toFixed(2)} ms | user + system time of the gateway process / requests | |`,
  );

  // 2. Throughput with a 20 ms mock, rising connections, while added p99 stays ≤ 10 ms.
  const slowBody = chatBody('[mock: first-token-ms=20 chunks=4] throughput');
  let best = { connections: 0, rps: 0, addedP99: 0 };
  let peakRss = rssIdle;
  // From few connections up: the best rate within the latency bound may lie below 50.
  for (const connections of quick ? [20, 50, 100] : [10, 20, 30, 50, 100, 200, 400]) {
    const load = (target: Target) =>
      autocannon({
        url: `${target.url}/v1/chat/completions`,
        method: 'POST',
        connections,
        duration: THROUGHPUT_SECONDS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
        body: slowBody,
      });
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(gatewayPid))), 200);
    const cpuAtStart = cpuMs(gatewayPid);
    const viaResult = await load(viaGateway);
    const cpuPerRequest = (cpuMs(gatewayPid) - cpuAtStart) / Math.max(1, viaResult.requests.total);
    clearInterval(sampler);
    const directResult = await load(direct);
    const addedP99 = viaResult.latency.p99 - directResult.latency.p99;
    const errors = viaResult.errors + viaResult.non2xx;
    log(`  ${connections} connections: gateway ${viaResult.requests.average} req/s p99 ${viaResult.latency.p99} ms (direct ${directResult.requests.average} req/s p99 ${directResult.latency.p99} ms), errors ${errors}`);
    if (errors === 0 && addedP99 <= 10 && viaResult.requests.average > best.rps) best = { connections, rps: viaResult.requests.average, addedP99 };
    rows.push(`| throughput, 20 ms mock, ${connections} connections | ${viaResult.requests.average} req/s | direct ${directResult.requests.average} req/s (ratio ${(viaResult.requests.average / directResult.requests.average).toFixed(2)}); added p99 ${addedP99} ms; errors ${errors}${errors > 0 ? ` (${errorKinds(viaResult)})` : ''}; gateway CPU ${cpuPerRequest.toFixed(2)} ms/request | |`);
  }
  rows.push(`| **best throughput with added p99 ≤ 10 ms** | **${best.rps} req/s** | at ${best.connections} connections, added p99 ${best.addedP99} ms | ≥ 2,500 req/s |`);

  // 3. Streaming: 64 chunks, 20 ms apart. Added time to first token, then many concurrent streams.
  const streamBody = chatBody('[mock: chunks=64 chunk-ms=20] stream', true);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const ttft = async (target: Target) => {
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 10 : 40); i += 1) samples.push((await timedRequest(agent, target, streamBody)).firstByteMs);
    return samples.sort((a, b) => a - b);
  };
  log('streaming: time to first token');
  // The streaming path (event-stream writes, chunk templates) is code the non-streaming warm-up
  // never ran: warm it with short streams first, or the first samples measure the JIT.
  await warmUp(viaGateway, chatBody('[mock: chunks=8] warm up the streaming path', true), quick ? 300 : 1000);
  const ttftDirect = await ttft(direct);
  const ttftGateway = await ttft(viaGateway);
  agent.destroy();
  rows.push(`| added time to first token (p50), streaming | ${(percentile(ttftGateway, 50) - percentile(ttftDirect, 50)).toFixed(3)} ms | direct ${percentile(ttftDirect, 50).toFixed(3)} ms, via gateway ${percentile(ttftGateway, 50).toFixed(3)} ms | ≤ 1 ms |`);

  log(`streaming: ${STREAMS} concurrent streams`);
  const wide = new Agent({ keepAlive: true, maxSockets: Infinity });
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssMb(gatewayPid))), 200);
  const streamCpuAtStart = cpuMs(gatewayPid);
  const results = await Promise.all(
    Array.from({ length: STREAMS }, () => timedRequest(wide, viaGateway, streamBody).catch((error: unknown) => ({ totalMs: Number.NaN, firstByteMs: -1, status: -1, text: String(error) }))),
  );
  const cpuPerStream = (cpuMs(gatewayPid) - streamCpuAtStart) / STREAMS;
  clearInterval(sampler);
  wide.destroy();
  const complete = results.filter((r) => r.status === 200 && r.text.includes('[DONE]') && (r.text.match(/"content"/g)?.length ?? 0) >= 64).length;
  const durations = results.map((r) => r.totalMs).filter(Number.isFinite).sort((a, b) => a - b);
  // Why a stream did not complete: its status and error code (503 overloaded = shed), or the socket error.
  const incomplete = new Map<string, number>();
  for (const r of results) {
    if (r.status === 200 && r.text.includes('[DONE]') && (r.text.match(/"content"/g)?.length ?? 0) >= 64) continue;
    const reason = r.status < 0 ? r.text.slice(0, 60) : `${r.status} ${/"code":"([a-z_]+)"/.exec(r.text)?.[1] ?? (r.status === 200 ? 'cut' : 'error')}`;
    incomplete.set(reason, (incomplete.get(reason) ?? 0) + 1);
  }
  const why = [...incomplete].map(([reason, count]) => `${count} × ${reason}`).join(', ');
  rows.push(
    `| concurrent streams (64 × 20 ms) | ${complete}/${STREAMS} complete | stream duration p50 ${percentile(durations, 50).toFixed(0)} ms, p99 ${percentile(durations, 99).toFixed(0)} ms, max ${percentile(durations, 100).toFixed(0)} ms (ideal ≈ 1,280 ms)${why ? `; incomplete: ${why}` : ''}; gateway CPU ${cpuPerStream.toFixed(2)} ms/stream | ≥ 1,000, no stall |`,
  );

  rows.push(`| gateway RSS idle / peak under load | ${rssIdle.toFixed(0)} MB / ${peakRss.toFixed(0)} MB | | ≤ 250 MB |`);
} finally {
  await gateway.stop();
  await mock.stop();
  await redis.stop();
  await benchDb.drop();
}

/** autocannon's failures by kind: HTTP status codes other than 2xx, timeouts, socket errors. */
function errorKinds(result: autocannon.Result): string {
  const kinds: string[] = [];
  for (const [status, count] of Object.entries(result.statusCodeStats ?? {})) if (!status.startsWith('2')) kinds.push(`${count.count} × HTTP ${status}`);
  if (result.timeouts > 0) kinds.push(`${result.timeouts} timeouts`);
  const socketErrors = result.errors - result.timeouts;
  if (socketErrors > 0) kinds.push(`${socketErrors} socket errors`);
  return kinds.join(', ');
}

const dataPlaneSection = `## Data plane (request path)

The gateway runs as a production data plane does (\`npm start -w @switchyard/data-plane\`): bundled by
esbuild into one ES module and run under plain node with a 32 MB young generation, with everything on
(API key auth against Postgres, six limits in one atomic Redis script per request, Redis Streams usage
events, the Redis feedback log, PII redaction, the policy decision point, the router and the
OpenAI-compatible adapter). It is pinned to core 0; the mock provider, the load generator and the
benchmark's own Redis (\`redis-server\` started for the run) share core 1. The harness creates,
migrates and seeds the gateway's own Postgres database. Every figure is measured in the same run
against the baseline: the same request sent directly to the mock. "Gateway CPU" is the gateway
process's user + system time divided by the requests (or streams) served. The router's per-upstream
adaptive concurrency gate starts at 1,200 concurrent calls here (20 for an unknown provider), as an
operator would configure it for an upstream known to take 1,000+ streams; it still runs on every call.
Earlier passes (all six limits in one Redis script, an undici Pool instead of fetch, batched usage
events, PGlite out of the process) are described in this file's git history.

| figure | result | baseline and detail | target |
|---|---|---|---|
${rows.join('\n')}

Redis: ${redis.description}.

### What changed in this pass, and what each did

- **Redis off the gateway's core.** The shared system Redis floated across both cores; every limit script
  and XADD it ran on core 0 was a context switch and cache pollution charged to the gateway. Pinned beside
  the mock, gateway CPU per request at concurrency 1 fell from about 1.3 to 0.7–0.9 ms and added p50 from
  about 1.0 to 0.7–0.9 ms (same build, A/B in one window). In production Redis has its own machine.
- **The data plane runs bundled, under plain node** (\`packages/service-bundle\`; \`npm start\`
  builds then runs \`dist/data-plane.mjs\`). Under tsx a module-loader thread with its own V8 isolate
  costs about 35 MB of RSS and every closure pays esbuild's name-keeping helper: idle RSS 271 → about 220–235 MB.
- **A 32 MB young generation** (\`--max-semi-space-size=32\`, default 16): a request allocates about 120 KB,
  almost all of it short-lived, so fewer scavenges: about 15–25% less gateway CPU per request under load in
  A/B runs, without a measurable RSS difference at idle.
- **No database read on the request path.** The API key cache (at most 1 s, so an unannounced revocation
  takes effect within a second) re-validates the keys in use in the background, in one batch lookup every
  500 ms, instead of a blocking four-statement transaction the first time a key is used in each second; the
  price book is served stale while the next version is fetched after the turn. A key used less often than
  once a second paid that read on every request: added time to first token of a 64-chunk stream (requests
  1.3 s apart) fell from about 5.8 to about 1.2 ms.
- **The benchmark itself**: a JIT warm-up of 3,000 requests and 1,000 streams (the optimising compiler
  needs thousands of calls; the non-streaming warm-up never ran the streaming path), and the throughput
  sweep starts at 10 connections.

### What limits the figures now

- **CPU per request: about 0.4–0.5 ms under load, 0.7–0.9 ms at concurrency 1**, spread thin: the profile has
  no function of ours above 3%; the largest items are garbage collection (about 8%), socket writes (8%),
  undici and its HTTP parser (9%), ioredis (5%), promise and microtask machinery (5%), prom-client (3%) and
  the upstream chunk parser (3%). One request is four network exchanges in one process (client, Redis
  script, upstream, batched XADD), and a non-streaming request still reads the upstream as a stream (so that
  hedged and speculative legs can be cut, and billed, at the token). At about 0.4 ms one core saturates
  between 2,200 and 2,550 req/s (2,504 and 2,538 at 200 connections in the last two full runs): the
  2,500 is reached, but only with a queue, far above the 10 ms latency bound.
- **Added p99 ≤ 10 ms under load needs the core mostly idle.** With a fixed 20 ms upstream the load is
  closed-loop: requests arrive in bursts as wide as the connection count, and the last of a burst waits
  for the CPU of all before it (20 connections × 0.5–0.8 ms). At 10 connections the added p99 was
  7–13 ms across runs; part of it is the load generator's own core, which also runs the mock and Redis.
- **Concurrency 1 p99 is scavenges.** Each young-generation collection pauses the gateway for 3–6 ms
  (it copies about 2 MB of survivors); one falls on roughly every 80–100 requests, which is what p99
  sees (added p50 stays near 0.7–0.9 ms). A larger young generation halves their frequency but doubles
  each pause and adds about 30 MB RSS; \`--single-threaded-gc\` (sensible on one core) lengthens them.
  Cutting the 120 KB allocated per request is the remaining lever.
- **Memory**: idle RSS is just under 250 MB (220–245 MB across runs); under load the V8 heap grows (young generation 64 MB reserved, old
  space about 100 MB after 400 connections and 1,000 streams), Prisma's query compiler (wasm) and undici's
  HTTP parser (wasm) add their own.
- **Streams**: 1,000 concurrent 64-chunk streams all complete; they stretch (p50 well above the ideal
  1,280 ms) because one core serves 64,000 chunk reads and writes in about 1.3 s: 3–4 ms of CPU per stream.
- **Time to first token** is the non-streaming path up to the upstream's first event (authentication, the
  Redis limit script, redaction, policy, routing, the upstream's headers) plus the event-stream headers:
  the same costs as above, about 1–2 ms added at the median.

Profiled with \`npm run bench -- --quick --cpu-prof\` (profiles in bench-results/profiles/).
`;
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(path.join(RESULTS_DIR, 'data-plane.md'), dataPlaneSection);

// The other suites: each is its own command; their output becomes a section of the report.
const suites: Array<{ name: string; title: string; command: string[]; writesFile?: string }> = [
  { name: 'policy', title: 'Policy decision latency (200 policies, target p99 ≤ 50 µs)', command: ['npx', 'tsx', 'data-plane/src/policy/bench-decide.ts'] },
  { name: 'pii', title: 'PII redaction: recall and false-positive rate on the generated labelled corpus', command: ['npx', 'tsx', 'data-plane/src/ingress/pii/evaluate-cli.ts'] },
  { name: 'audit', title: 'Audit ledger', command: ['npm', 'run', '-s', '-w', '@switchyard/subgraph-audit', 'bench'], writesFile: 'audit.md' },
];
for (const suite of suites) {
  if (dataPlaneOnly || (quick && suite.name === 'audit')) continue;
  log(`${suite.name}: ${suite.command.join(' ')}`);
  const output = execFileSync(suite.command[0] as string, suite.command.slice(1), { cwd: REPO_ROOT, env: { ...process.env, BENCH_PINNED: '1' }, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
  if (!suite.writesFile) {
    writeFileSync(path.join(RESULTS_DIR, `${suite.name}.md`), `## ${suite.title}\n\nCommand: \`${suite.command.join(' ')}\`\n\n\`\`\`text\n${output.trim()}\n\`\`\`\n`);
  }
}

const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? 'unknown';
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
// refactor-ab.md: a recorded same-sitting A/B of three commits (written by hand from three runs, kept until replaced).
const sections = ['data-plane', 'refactor-ab', 'policy', 'pii', 'audit']
  .map((name) => path.join(RESULTS_DIR, `${name}.md`))
  .filter((file) => existsSync(file))
  .map((file) => readFileSync(file, 'utf8').trim());
const report = `# Benchmarks

Measured by \`npm run bench${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (e2e/bench/run.ts) at commit ${commit}, ${new Date().toISOString()}${dataPlaneOnly ? ' (data plane re-measured; the other sections are kept from the last full run, files in bench-results/)' : ''}.
Machine: ${os.cpus().length} cores (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version};
load average at the end ${os.loadavg().map((value) => value.toFixed(1)).join(' / ')}.

${sections.join('\n\n')}
`;
writeFileSync(path.join(REPO_ROOT, 'BENCHMARKS.md'), report);
log('wrote BENCHMARKS.md');
process.stdout.write(report);
