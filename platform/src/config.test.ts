import { describe, expect, it } from 'vitest';
import { redisKeyNames } from '@switchyard/data-plane/composition';
import { limitsFromEnv, loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { parsePlatformEnv, platformDataPlaneConfig } from './config';

describe('platform environment', () => {
  it('defaults to the embedded backends and the documented ports', () => {
    const env = parsePlatformEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect([env.CONSOLE_PORT, env.SUPERGRAPH_PORT, env.TENANTS_SUBGRAPH_PORT, env.EXPERIMENTS_SUBGRAPH_PORT, env.COST_SUBGRAPH_PORT, env.OIDC_PORT, env.DATA_PLANE_PORT]).toEqual([3000, 4000, 4101, 4103, 4104, 4400, 8080]);
    expect([...env.SWITCHYARD_COMPONENTS]).toEqual(['oidc', 'tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'slo', 'memory', 'gateway', 'data-plane', 'cost-optimizer', 'console']);
  });

  it('treats an empty variable as unset', () => {
    expect(parsePlatformEnv({ DATABASE_URL: '', REDIS_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('reports every problem at once', () => {
    let message = '';
    try {
      parsePlatformEnv({ DATABASE_URL: 'not a url', DATA_PLANE_PORT: '70000', SWITCHYARD_COMPONENTS: 'gateway,teleporter' });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const problem of ['DATABASE_URL', 'DATA_PLANE_PORT', 'unknown component(s) teleporter']) expect(message).toContain(problem);
  });

  it('reads the data plane limit variables the standalone data plane reads', () => {
    const limits = limitsFromEnv(parsePlatformEnv({ DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: '5000', DATA_PLANE_ON_REDIS_DOWN_TOKENS_PER_DAY: 'closed' }));
    expect(limits.tokensPerDayPerTenant).toBe(5000);
    expect(limits.onRedisDown.tokensPerDay).toBe('closed');
    expect(() => parsePlatformEnv({ DATA_PLANE_ON_REDIS_DOWN_REQUESTS: 'sometimes' })).toThrow(/DATA_PLANE_ON_REDIS_DOWN_REQUESTS/);
  });

  it('configures its data plane exactly as the same variables configure a standalone one: one Redis prefix default, one set of Redis names', () => {
    for (const env of [{ REDIS_URL: 'redis://127.0.0.1:6379' }, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'acme:' }]) {
      const standalone = loadDataPlaneConfig(env);
      const platform = platformDataPlaneConfig(parsePlatformEnv(env));
      expect(platform.redisKeyPrefix).toBe(standalone.redisKeyPrefix);
      expect(redisKeyNames(platform.redisKeyPrefix)).toEqual(redisKeyNames(standalone.redisKeyPrefix));
      const { host: _platformHost, oidc: _platformOidc, ...platformRest } = platform;
      const { host: _standaloneHost, oidc: _standaloneOidc, ...standaloneRest } = standalone;
      expect(platformRest).toEqual(standaloneRest);
    }
    // Names already start with `switchyard:`; the default prefix adds nothing.
    expect(redisKeyNames(parsePlatformEnv({}).REDIS_KEY_PREFIX)).toEqual({ bus: '', rateLimits: 'switchyard:rl:', feedbackLog: '', memory: '' });
  });

  it('accepts its own issuer’s access tokens on the data plane unless DATA_PLANE_OIDC_ISSUER names another', () => {
    expect(platformDataPlaneConfig(parsePlatformEnv({})).oidc).toMatchObject({ issuer: 'http://127.0.0.1:4400', audience: 'urn:switchyard:api', tenantClaim: undefined });
    expect(platformDataPlaneConfig(parsePlatformEnv({ DATA_PLANE_OIDC_ISSUER: 'https://idp.example' })).oidc?.issuer).toBe('https://idp.example');
    expect(loadDataPlaneConfig({}).oidc).toBeUndefined();
  });
});
