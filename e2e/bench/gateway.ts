// The data plane as the benchmark runs it: key auth against the database (cached), Redis rate
// limits and Redis Streams usage events, PII redaction, the policy decision point, the router
// and the OpenAI-compatible adapter to the mock upstream.
import { createDatabase, seed } from '@switchyard/db';
import { createDataPlane } from '@switchyard/data-plane/app';
import { createDatabaseApiKeyResolver } from '@switchyard/data-plane/api-keys';
import { createDatabasePriceBookSource } from '@switchyard/data-plane/price-book';
import { createRedisBus } from '@switchyard/data-plane/bus';
import { createRedisRateLimiter } from '@switchyard/data-plane/rate-limit';
import { generateApiKeySecret } from '@switchyard/identity';
import { createDatabaseActivePolicySource, createPolicyDecisionPoint } from '@switchyard/data-plane/pdp';
import { listen } from '@switchyard/platform/listen';

const upstream = process.env.UPSTREAM_BASE_URL;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = process.env.REDIS_KEY_PREFIX ?? `sy-bench-${process.pid}:`;
if (!upstream) throw new Error('UPSTREAM_BASE_URL is required');

const db = await createDatabase({ memory: true });
await db.migrate();
const { demoTenantId } = await seed(db);
const key = generateApiKeySecret();
await db.withTenant(demoTenantId, (tx) => tx.apiKey.create({ data: { tenantId: demoTenantId, name: 'bench', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));

const bus = createRedisBus(redisUrl, { keyPrefix });
const rateLimiter = createRedisRateLimiter(redisUrl, { keyPrefix });
const app = createDataPlane({
  apiKeys: createDatabaseApiKeyResolver(db),
  priceBook: createDatabasePriceBookSource(db),
  bus,
  rateLimiter,
  // Far above any rate the benchmark reaches: every limit (six GCRA checks) runs on every request, none refuses.
  limits: {
    requestsPerMinutePerKey: 1_000_000_000,
    requestsPerMinutePerTenant: 1_000_000_000,
    tokensPerMinutePerKey: 1_000_000_000_000,
    tokensPerMinutePerTenant: 1_000_000_000_000,
    tokensPerDayPerKey: 1_000_000_000_000,
    tokensPerDayPerTenant: 1_000_000_000_000,
  },
  providers: [{ name: 'upstream', kind: 'openai-compatible', baseUrl: upstream, apiKey: 'bench', models: ['mock-gpt'] }],
  // Everything on: the policy decision point (tenant without a policy: default allow, compiled and
  // cached after the first request) and PII redaction (the app's default: every type).
  policy: createPolicyDecisionPoint({ source: createDatabaseActivePolicySource(db) }),
});
const port = await listen(app.server, 0, '127.0.0.1');
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, apiKey: key.secret, pid: process.pid })}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await bus.close();
    await rateLimiter.close();
    await db.close();
    process.exit(0);
  })();
});
