// The data plane as the benchmark runs it: key auth against Postgres (cached), Redis rate
// limits, Redis Streams usage events and the Redis feedback log, PII redaction, the policy
// decision point, the router and the OpenAI-compatible adapter to the mock upstream. The database
// is the harness's own throw-away Postgres database (run.ts creates, migrates and seeds it): a
// production data plane talks to Postgres, so this process must not carry an embedded PGlite.
// run.ts bundles this file (service-bundle) and runs it under plain node, as `npm start` runs the data plane.
import { createDatabase } from '@switchyard/db';
import { createDataPlane } from '@switchyard/data-plane/app';
import { createDatabaseApiKeyResolver } from '@switchyard/data-plane/api-keys';
import { createDatabasePriceBookSource } from '@switchyard/data-plane/price-book';
import { createRedisBus } from '@switchyard/bus';
import { createRedisFeedbackLog } from '@switchyard/data-plane/feedback-log';
import { createRedisRateLimiter } from '@switchyard/data-plane/rate-limit';
import { createDatabaseActivePolicySource, createPolicyDecisionPoint } from '@switchyard/data-plane/pdp';
import { listen } from '@switchyard/platform/listen';

const upstream = process.env.UPSTREAM_BASE_URL;
const databaseUrl = process.env.DATABASE_URL;
const apiKey = process.env.BENCH_API_KEY;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = process.env.REDIS_KEY_PREFIX ?? `sy-bench-${process.pid}:`;
if (!upstream || !databaseUrl || !apiKey) throw new Error('UPSTREAM_BASE_URL, DATABASE_URL and BENCH_API_KEY are required');

const db = await createDatabase({ url: databaseUrl });

const bus = createRedisBus(redisUrl, { keyPrefix });
const rateLimiter = createRedisRateLimiter(redisUrl, { keyPrefix });
// As the data plane's server does with Redis: POST /v1/feedback may reach any replica.
const feedbackLog = createRedisFeedbackLog(redisUrl, { keyPrefix });
const app = createDataPlane({
  apiKeys: createDatabaseApiKeyResolver(db),
  priceBook: createDatabasePriceBookSource(db),
  bus,
  rateLimiter,
  feedbackLog,
  // Far above any rate the benchmark reaches: every limit (all six, one Redis script) runs on every request, none refuses.
  limits: {
    requestsPerMinutePerKey: 1_000_000_000,
    requestsPerMinutePerTenant: 1_000_000_000,
    tokensPerMinutePerKey: 1_000_000_000_000,
    tokensPerMinutePerTenant: 1_000_000_000_000,
    tokensPerDayPerKey: 1_000_000_000_000,
    tokensPerDayPerTenant: 1_000_000_000_000,
  },
  providers: [{ name: 'upstream', kind: 'openai-compatible', baseUrl: upstream, apiKey: 'bench', models: ['mock-gpt'] }],
  // The per-upstream AIMD gate starts at 20 concurrent calls (a safe default for an unknown
  // provider); the benchmark's upstream is known to take 1,000+ concurrent streams, so it starts
  // there, as an operator would configure it. The gate still runs on every call.
  routing: { concurrency: { initialLimit: 1_200, maxLimit: 2_000, maxQueue: 400 } },
  // Everything on: the policy decision point (tenant without a policy: default allow, compiled and
  // cached after the first request) and PII redaction (the app's default: every type).
  policy: createPolicyDecisionPoint({ source: createDatabaseActivePolicySource(db) }),
});
const port = await listen(app.server, 0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, apiKey, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await bus.close();
    await rateLimiter.close();
    await feedbackLog.close();
    await db.close();
    process.exit(0);
  })();
});
