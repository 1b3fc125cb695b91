import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { limitsEnvShape, limitsFromEnv, loadDataPlaneConfig } from './config';

describe('data-plane config', () => {
  it('has working defaults: port 8080 on loopback, in-process backends, the mock provider', () => {
    const config = loadDataPlaneConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', redisUrl: undefined, requestsPerMinutePerKey: 600, maxBodyBytes: 1_048_576 });
    expect(config.providers).toEqual([{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-large', 'mock-mini', 'mock-judge', 'mock-embed-1'] }]);
  });

  it('reads the database, the data dir, the master keys and Redis with the defaults every deployable shares', () => {
    const defaults = loadDataPlaneConfig({});
    expect(defaults).toMatchObject({ databaseUrl: undefined, redisUrl: undefined, redisKeyPrefix: '', masterKeys: { keys: undefined, activeKeyId: undefined } });
    expect(defaults.dataDir).toMatch(/\.data$/);
    const config = loadDataPlaneConfig({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sy',
      SWITCHYARD_DATA_DIR: '/tmp/sy',
      REDIS_KEY_PREFIX: 'tenant-a:',
      SWITCHYARD_MASTER_KEYS: 'k1:abc',
      SWITCHYARD_MASTER_KEY_ID: '',
    });
    expect(config).toMatchObject({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/sy', dataDir: '/tmp/sy', redisKeyPrefix: 'tenant-a:', masterKeys: { keys: 'k1:abc', activeKeyId: undefined } });
    expect(() => loadDataPlaneConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    // The tenant pool's own login (role switchyard_app); unset, createDatabase derives it from DATABASE_URL.
    expect(config.databaseTenantUrl).toBeUndefined();
    expect(loadDataPlaneConfig({ DATABASE_TENANT_URL: 'postgres://switchyard_app:pw@db/sy' }).databaseTenantUrl).toBe('postgres://switchyard_app:pw@db/sy');
    expect(() => loadDataPlaneConfig({ DATABASE_TENANT_URL: 'mysql://x' })).toThrow(/DATABASE_TENANT_URL/);
  });

  it('parses providers JSON and Redis', () => {
    const config = loadDataPlaneConfig({
      DATA_PLANE_PORT: '9000',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DATA_PLANE_PROVIDERS: JSON.stringify([{ name: 'up', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9100/v1', models: ['mock-gpt'] }]),
    });
    expect(config.port).toBe(9000);
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.providers[0]).toMatchObject({ name: 'up', kind: 'openai-compatible' });
  });

  it('takes a Redis Cluster URL and refuses a malformed one or a key prefix that would change the hash tags', () => {
    expect(loadDataPlaneConfig({ REDIS_URL: 'redis+cluster://10.0.0.1:7000,10.0.0.2:7000' }).redisUrl).toBe('redis+cluster://10.0.0.1:7000,10.0.0.2:7000');
    expect(() => loadDataPlaneConfig({ REDIS_URL: 'redis+cluster://10.0.0.1' })).toThrow(/REDIS_URL.*not host:port/s);
    expect(() => loadDataPlaneConfig({ REDIS_KEY_PREFIX: 'a{b}:' })).toThrow(/REDIS_KEY_PREFIX.*must not contain/s);
  });

  it('reports every problem at once', () => {
    expect(() =>
      loadDataPlaneConfig({ DATA_PLANE_PORT: 'eighty', REDIS_URL: 'http://nope', DATA_PLANE_PROVIDERS: '[{"name":"x"}]' }),
    ).toThrow(/DATA_PLANE_PORT.*REDIS_URL.*DATA_PLANE_PROVIDERS/s);
  });

  it('parses DATA_PLANE_ROUTES (default: the demo routes the providers serve) and reports bad routes with the variable name', () => {
    expect(loadDataPlaneConfig({}).routes.map((route) => route.name)).toEqual(['auto', 'cheapest', 'fastest']);
    const realProviderOnly = JSON.stringify([{ name: 'up', kind: 'openai-compatible', baseUrl: 'http://127.0.0.1:9100/v1', models: ['gpt-x'] }]);
    expect(loadDataPlaneConfig({ DATA_PLANE_PROVIDERS: realProviderOnly }).routes).toEqual([]);
    expect(loadDataPlaneConfig({ DATA_PLANE_ROUTES: '[]' }).routes).toEqual([]);
    const config = loadDataPlaneConfig({
      DATA_PLANE_ROUTES: JSON.stringify([{ name: 'smart', candidates: [{ model: 'mock-gpt' }, { model: 'mock-mini' }], strategy: { kind: 'weighted' } }]),
    });
    expect(config.routes[0]).toMatchObject({ name: 'smart', strategy: { kind: 'weighted' } });
    expect(() => loadDataPlaneConfig({ DATA_PLANE_ROUTES: 'not json' })).toThrow(/DATA_PLANE_ROUTES: must be a JSON array of routes/);
    expect(() => loadDataPlaneConfig({ DATA_PLANE_ROUTES: '[{"name":"r","candidates":[],"strategy":{"kind":"priority"}}]' })).toThrow(
      /DATA_PLANE_ROUTES: 0.candidates/,
    );
  });
  it('reads every request and token limit and the Redis-down mode per limit type from env', () => {
    const config = loadDataPlaneConfig({
      DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '1000',
      DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: '50000',
      DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: 'closed',
    });
    expect(config.limits).toMatchObject({
      requestsPerMinutePerKey: 600,
      tokensPerMinutePerKey: 1000,
      tokensPerDayPerTenant: 50_000,
      onRedisDown: { requests: 'local', tokensPerMinute: 'local', tokensPerDay: 'closed' },
    });
    expect(() => loadDataPlaneConfig({ DATA_PLANE_ON_REDIS_DOWN_REQUESTS: 'maybe', DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '0' })).toThrow(
      /DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY.*DATA_PLANE_ON_REDIS_DOWN_REQUESTS|DATA_PLANE_ON_REDIS_DOWN_REQUESTS.*DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY/s,
    );
  });

  it('accepts OIDC access tokens only when an issuer is configured, with the scope map and tenant claim', () => {
    expect(loadDataPlaneConfig({}).oidc).toBeUndefined();
    const config = loadDataPlaneConfig({
      DATA_PLANE_OIDC_ISSUER: 'http://127.0.0.1:4400',
      DATA_PLANE_OIDC_TENANT_CLAIM: 'tid',
      DATA_PLANE_OIDC_SCOPE_MAP: JSON.stringify({ 'llm:use': ['inference'] }),
    });
    expect(config.oidc).toEqual({ issuer: 'http://127.0.0.1:4400', audience: 'urn:switchyard:api', jwksUri: undefined, tenantClaim: 'tid', scopeMap: { 'llm:use': ['inference'] }, clockToleranceSeconds: 5 });
    expect(loadDataPlaneConfig({ DATA_PLANE_OIDC_ISSUER: 'http://127.0.0.1:4400' }).oidc?.scopeMap).toEqual({ inference: ['inference'] });
    expect(() => loadDataPlaneConfig({ DATA_PLANE_OIDC_ISSUER: 'not a url', DATA_PLANE_OIDC_SCOPE_MAP: '{"inference": "inference"}' })).toThrow(/DATA_PLANE_OIDC_ISSUER.*DATA_PLANE_OIDC_SCOPE_MAP/s);
  });
});

describe('limits from the environment', () => {
  const parse = (env: Record<string, string>) => limitsFromEnv(z.object(limitsEnvShape).parse(env));

  it('leaves every unset limit at its default', () => {
    const limits = parse({});
    expect(limits.requestsPerMinutePerKey).toBe(600);
    expect(limits.onRedisDown).toEqual({ requests: 'local', tokensPerMinute: 'local', tokensPerDay: 'local' });
  });

  it('maps each variable onto its limit', () => {
    const limits = parse({
      DATA_PLANE_REQUESTS_PER_MINUTE: '7',
      DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: '70',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_KEY: '100',
      DATA_PLANE_TOKENS_PER_MINUTE_PER_TENANT: '1000',
      DATA_PLANE_TOKENS_PER_DAY_PER_KEY: '10000',
      DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: '100000',
      DATA_PLANE_SOFT_LIMIT_RATIO: '0.5',
      DATA_PLANE_DEFAULT_COMPLETION_TOKENS: '64',
      DATA_PLANE_ON_REDIS_DOWN_REQUESTS: 'open',
      DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: 'closed',
      DATA_PLANE_REDIS_LIMITER_TIMEOUT_MS: '250',
    });
    expect(limits).toMatchObject({
      requestsPerMinutePerKey: 7,
      requestsPerMinutePerTenant: 70,
      tokensPerMinutePerKey: 100,
      tokensPerMinutePerTenant: 1000,
      tokensPerDayPerKey: 10_000,
      tokensPerDayPerTenant: 100_000,
      softLimitRatio: 0.5,
      defaultCompletionTokens: 64,
      onRedisDown: { requests: 'open', tokensPerMinute: 'local', tokensPerDay: 'closed' },
      redisTimeoutMs: 250,
    });
  });

  it('refuses nonsense', () => {
    expect(() => parse({ DATA_PLANE_TOKENS_PER_DAY_PER_KEY: '-3' })).toThrow();
    expect(() => parse({ DATA_PLANE_SOFT_LIMIT_RATIO: '1.5' })).toThrow();
  });
});
