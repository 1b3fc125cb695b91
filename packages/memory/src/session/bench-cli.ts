// npm run -s -w @switchyard/memory bench:session  (REDIS_URL, default redis://127.0.0.1:6379)
// Latency of the session window's operations against a same-run baseline on the same Redis
// connection: a plain GET / SET of a value of the same size. Prints a Markdown table.
import { randomUUID } from 'node:crypto';
import { openRedis } from '@switchyard/redis-connection';
import { createInProcessSessionWindow } from './in-process-session-window';
import { createRedisSessionWindow } from './redis-session-window';
import type { SessionWindow, StoredResponse } from './session-window';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5_000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-bench-mem-${randomUUID()}:`;

function response(id: string, sessionId: string): StoredResponse {
  const text = 'lorem ipsum dolor sit amet '.repeat(20);
  return {
    id,
    sessionId,
    previousResponseId: null,
    createdAt: 1_700_000_000,
    model: 'mock-gpt',
    instructions: null,
    status: 'completed',
    input: [{ role: 'user', content: text }],
    outputText: text,
    usage: { inputTokens: 150, outputTokens: 120 },
    context: [
      { role: 'user', content: text },
      { role: 'assistant', content: text },
    ],
    metadata: null,
  };
}

async function measure(label: string, run: (i: number) => Promise<unknown>): Promise<{ label: string; p50: number; p99: number }> {
  for (let i = 0; i < 200; i += 1) await run(i); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const started = performance.now();
    await run(i);
    samples.push((performance.now() - started) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { label, p50: samples[Math.floor(ROUNDS * 0.5)]!, p99: samples[Math.floor(ROUNDS * 0.99)]! };
}

async function suite(window: SessionWindow, tenantId: string) {
  const ids = Array.from({ length: ROUNDS + 200 }, () => `resp_${randomUUID().replaceAll('-', '')}`);
  return [
    await measure(`${window.kind}: putResponse (1.9 KB)`, (i) => window.putResponse(tenantId, response(ids[i]!, 's'))),
    await measure(`${window.kind}: getResponse (hit)`, (i) => window.getResponse(tenantId, ids[i]!)),
    await measure(`${window.kind}: appendTurns (2 turns)`, (i) => window.appendTurns(tenantId, `s-${i % 100}`, [{ role: 'user', content: 'question?' }, { role: 'assistant', content: 'answer.' }])),
    await measure(`${window.kind}: recentTurns (10)`, (i) => window.recentTurns(tenantId, `s-${i % 100}`, 10)),
  ];
}

async function main(): Promise<void> {
  const redis = openRedis(redisUrl);
  const body = JSON.stringify(response('resp_x', 's'));
  await redis.set(`${prefix}baseline`, body);
  const rows = [
    await measure('baseline: Redis GET (same size, same connection)', () => redis.get(`${prefix}baseline`)),
    await measure('baseline: Redis SET (same size)', (i) => redis.set(`${prefix}baseline:${i}`, body)),
  ];
  const limits = { maxResponsesPerTenant: 1_000_000, maxBytesPerTenant: 16 * 1024 * 1024 * 1024 };
  rows.push(...(await suite(createRedisSessionWindow(redis, { keyPrefix: prefix, limits }), randomUUID())));
  rows.push(...(await suite(createInProcessSessionWindow({ limits }), randomUUID())));
  const baseline = rows[0]!.p50;
  process.stdout.write(`Session window latency, ${ROUNDS} sequential operations each (µs; ratio: p50 / Redis GET p50 of the same run)\n\n`);
  process.stdout.write('| operation | p50 µs | p99 µs | p50 ratio |\n|---|---|---|---|\n');
  for (const row of rows) process.stdout.write(`| ${row.label} | ${row.p50.toFixed(0)} | ${row.p99.toFixed(0)} | ${(row.p50 / baseline).toFixed(2)} |\n`);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
