import { describe, expect, it } from 'vitest';
import { clusterKeyTag } from './key-tag';
import { parseRedisTarget, redisUrlProblem } from './redis-target';

describe('parseRedisTarget', () => {
  it('passes single-node URLs through untouched', () => {
    expect(parseRedisTarget('redis://127.0.0.1:6379/2')).toEqual({ kind: 'node', url: 'redis://127.0.0.1:6379/2' });
    expect(parseRedisTarget('rediss://u:p@cache:6380')).toEqual({ kind: 'node', url: 'rediss://u:p@cache:6380' });
  });

  it('reads a cluster URL as its seed nodes, credentials and TLS', () => {
    expect(parseRedisTarget('redis+cluster://10.0.0.1:7000,10.0.0.2:7001,[::1]:7002/')).toEqual({
      kind: 'cluster',
      tls: false,
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(parseRedisTarget('rediss+cluster://app:p%40ss%3Aw@redis-0.redis:6379,redis-1.redis:6379')).toEqual({
      kind: 'cluster',
      tls: true,
      username: 'app',
      password: 'p@ss:w',
      nodes: [
        { host: 'redis-0.redis', port: 6379 },
        { host: 'redis-1.redis', port: 6379 },
      ],
    });
    expect(parseRedisTarget('redis+cluster://:secret@h:1')).toMatchObject({ password: 'secret', nodes: [{ host: 'h', port: 1 }] });
  });

  it('refuses what it cannot mean, saying why', () => {
    expect(redisUrlProblem('http://x:1')).toMatch(/redis:\/\/, rediss:\/\/, redis\+cluster:\/\//);
    expect(redisUrlProblem('redis+cluster://')).toMatch(/at least one host:port/);
    expect(redisUrlProblem('redis+cluster://h1:7000,h2')).toMatch(/"h2" is not host:port/);
    expect(redisUrlProblem('redis+cluster://h1:70000')).toMatch(/not host:port/);
    expect(redisUrlProblem('redis+cluster://h1:7000/3')).toMatch(/no database/);
    expect(redisUrlProblem('redis+cluster://h1:7000?tls=1')).toMatch(/no database, path or options/);
    expect(redisUrlProblem('redis+cluster://%zz@h1:7000')).toMatch(/percent-encoding/);
    expect(redisUrlProblem('redis+cluster://h1:7000,h2:7001')).toBeUndefined();
  });
});

describe('clusterKeyTag', () => {
  it('wraps the value so braces inside cannot cut the tag short', () => {
    expect(clusterKeyTag('tenant-1')).toBe('{tenant-1}');
    expect(clusterKeyTag('a}b{c%')).toBe('{a%7Db%7Bc%25}');
  });
});
