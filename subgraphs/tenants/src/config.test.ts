import { describe, expect, it } from 'vitest';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { loadConfig } from './config';

const JWK = JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo' });
const VALID = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', INTERNAL_TOKEN_PUBLIC_JWK: JWK };

describe('loadConfig', () => {
  it('applies defaults', () => {
    const config = loadConfig(VALID);
    expect(config.TENANTS_SUBGRAPH_PORT).toBe(4101);
    expect(config.INTERNAL_TOKEN_PUBLIC_JWK).toMatchObject({ kty: 'OKP' });
    expect(config.SUBGRAPH_INTROSPECTION).toBe(false);
  });

  it('reads the data plane limit variables the data planes read (tenant quotas go up to them)', () => {
    expect(loadConfig({ ...VALID, DATA_PLANE_TOKENS_PER_DAY_PER_TENANT: '5000' }).DATA_PLANE_TOKENS_PER_DAY_PER_TENANT).toBe(5000);
    expect(() => loadConfig({ ...VALID, DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT: '0' })).toThrow(/DATA_PLANE_REQUESTS_PER_MINUTE_PER_TENANT/);
  });

  it('reports every problem at once', () => {
    expect(() => loadConfig({ INTERNAL_TOKEN_PUBLIC_JWK: '{not json', TENANTS_SUBGRAPH_PORT: '99999' })).toThrow(
      /DATABASE_URL[\s\S]*INTERNAL_TOKEN_PUBLIC_JWK|INTERNAL_TOKEN_PUBLIC_JWK[\s\S]*DATABASE_URL/,
    );
    expect(() => loadConfig({ ...VALID, TENANTS_SUBGRAPH_PORT: '99999' })).toThrow(/TENANTS_SUBGRAPH_PORT/);
  });

  it('reads master keys for tenant secrets, and refuses a bad keyring with the reason', () => {
    expect(loadConfig(VALID).masterKeys).toBeUndefined();
    const key = generateMasterKey();
    expect(loadConfig({ ...VALID, SWITCHYARD_MASTER_KEYS: `prod:${key}` }).masterKeys).toEqual({ masterKeys: { prod: key }, activeKeyId: 'prod' });
    expect(() => loadConfig({ ...VALID, SWITCHYARD_MASTER_KEYS: 'prod:short' })).toThrow(/SWITCHYARD_MASTER_KEYS[\s\S]*32 bytes/);
  });
});
