import { describe, expect, it } from 'vitest';
import { limitsFromEnv } from '@switchyard/data-plane/limits-env';
import { parsePlatformEnv } from './config';

describe('platform environment', () => {
  it('defaults to the embedded backends and the documented ports', () => {
    const env = parsePlatformEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.REDIS_URL).toBeUndefined();
    expect([env.CONSOLE_PORT, env.SUPERGRAPH_PORT, env.TENANTS_SUBGRAPH_PORT, env.EXPERIMENTS_SUBGRAPH_PORT, env.COST_SUBGRAPH_PORT, env.OIDC_PORT, env.DATA_PLANE_PORT]).toEqual([3000, 4000, 4101, 4103, 4104, 4400, 8080]);
    expect([...env.SWITCHYARD_COMPONENTS]).toEqual(['oidc', 'tenants', 'cost', 'dp', 'audit', 'policy', 'experiments', 'gateway', 'data-plane', 'console']);
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
});
