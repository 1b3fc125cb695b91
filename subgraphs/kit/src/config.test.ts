import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from './config';

const schema = z.object({ EXAMPLE_SUBGRAPH_PORT: z.coerce.number().int().max(65535).default(4100), ...subgraphProcessEnv, ...subgraphIntrospectionEnv });

describe('subgraph environment', () => {
  it('parses a minimal environment, the JWK as JSON and introspection off by default', () => {
    const config = parseEnvironment(schema, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db', INTERNAL_TOKEN_PUBLIC_JWK: '{"kty":"OKP"}' }, 'the example subgraph');
    expect(config).toEqual({
      EXAMPLE_SUBGRAPH_PORT: 4100,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db',
      REDIS_KEY_PREFIX: '',
      INTERNAL_TOKEN_PUBLIC_JWK: { kty: 'OKP' },
      SHUTDOWN_GRACE_MS: 5_000,
      SHUTDOWN_TIMEOUT_MS: 20_000,
      STREAM_CLAIM_IDLE_MS: 30_000,
      // Tracing: off (no endpoint), the tail sampler's defaults.
      OTEL_SPAN_BUDGET_PER_SECOND: 1000,
      SWITCHYARD_TRACE_SAMPLING: 'tail',
      SUBGRAPH_INTROSPECTION: false,
    });
  });

  it('lists every problem in schema order under one message naming the process', () => {
    const env = { EXAMPLE_SUBGRAPH_PORT: '70000', DATABASE_URL: 'not a url', REDIS_URL: 'nor this', INTERNAL_TOKEN_PUBLIC_JWK: '{', SUBGRAPH_INTROSPECTION: 'yes' };
    expect(() => parseEnvironment(schema, env, 'the example subgraph')).toThrow(
      new Error(
        [
          'Invalid environment for the example subgraph:',
          '  EXAMPLE_SUBGRAPH_PORT: Too big: expected number to be <=65535',
          '  DATABASE_URL: DATABASE_URL must be a postgres:// URL',
          '  REDIS_URL: must be a redis://, rediss://, redis+cluster:// or rediss+cluster:// URL',
          '  INTERNAL_TOKEN_PUBLIC_JWK: INTERNAL_TOKEN_PUBLIC_JWK must be a JWK as JSON text',
          '  SUBGRAPH_INTROSPECTION: Invalid option: expected one of "true"|"false"',
        ].join('\n'),
      ),
    );
  });

  it('reads SWITCHYARD_REGION as the data planes do: a token, empty meaning unset', () => {
    const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db', INTERNAL_TOKEN_PUBLIC_JWK: '{"kty":"OKP"}' };
    expect(parseEnvironment(schema, { ...base, SWITCHYARD_REGION: 'region-a' }, 'the example subgraph').SWITCHYARD_REGION).toBe('region-a');
    expect(parseEnvironment(schema, { ...base, SWITCHYARD_REGION: '' }, 'the example subgraph').SWITCHYARD_REGION).toBeUndefined();
    expect(() => parseEnvironment(schema, { ...base, SWITCHYARD_REGION: 'region a; drop' }, 'the example subgraph')).toThrow(/SWITCHYARD_REGION: a short token like region-a/);
  });

  it('reads when a surviving consumer takes over a dead one\'s pending entries, and refuses a bound that would steal live work or never act', () => {
    const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/db', INTERNAL_TOKEN_PUBLIC_JWK: '{"kty":"OKP"}' };
    expect(parseEnvironment(schema, { ...base, STREAM_CLAIM_IDLE_MS: '3000' }, 'the example subgraph').STREAM_CLAIM_IDLE_MS).toBe(3_000);
    for (const value of ['999', '0', '-1', '3600001', 'soon', '1.5e3x']) {
      expect(() => parseEnvironment(schema, { ...base, STREAM_CLAIM_IDLE_MS: value }, 'the example subgraph')).toThrow(/STREAM_CLAIM_IDLE_MS/);
    }
  });

  it('refuses JSON that is not an object as the JWK', () => {
    expect(() => parseEnvironment(schema, { DATABASE_URL: 'postgres://a@b/c', INTERNAL_TOKEN_PUBLIC_JWK: '[1]' }, 'x')).toThrow('INTERNAL_TOKEN_PUBLIC_JWK must be a JWK as JSON text');
  });
});
