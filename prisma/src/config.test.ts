import { describe, expect, it } from 'vitest';
import { loadDbConfig, repoRoot } from './config';
import { tenantUrlFor } from './create-database';

describe('loadDbConfig', () => {
  it('defaults to the embedded PGlite under <repo>/.data/pglite and the local test server', () => {
    expect(loadDbConfig({})).toEqual({
      databaseUrl: undefined,
      pgliteDataDir: `${repoRoot}.data/pglite`,
      testPostgresUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
    });
  });

  it('uses DATABASE_URL and SWITCHYARD_DATA_DIR when set, treating an empty DATABASE_URL as unset', () => {
    expect(loadDbConfig({ DATABASE_URL: 'postgresql://app@db:5432/sy', SWITCHYARD_DATA_DIR: '/var/lib/sy/' })).toMatchObject({
      databaseUrl: 'postgresql://app@db:5432/sy',
      pgliteDataDir: '/var/lib/sy/pglite',
    });
    expect(loadDbConfig({ DATABASE_URL: '' }).databaseUrl).toBeUndefined();
  });

  it('reads the tenant pool URL from DATABASE_TENANT_URL (unset: derived from DATABASE_URL by createDatabase)', () => {
    expect(loadDbConfig({ DATABASE_TENANT_URL: 'postgres://switchyard_app:pw@db:5432/sy' }).databaseTenantUrl).toBe('postgres://switchyard_app:pw@db:5432/sy');
    expect(loadDbConfig({ DATABASE_URL: 'postgres://owner@db/sy' }).databaseTenantUrl).toBeUndefined();
    expect(() => loadDbConfig({ DATABASE_TENANT_URL: 'http://db' })).toThrow(/DATABASE_TENANT_URL/);
  });

  it('derives the tenant role URL from the owner URL: same server, database and options, no password', () => {
    expect(tenantUrlFor('postgres://owner:secret@db.internal:6543/sy?sslmode=require')).toBe('postgres://switchyard_app@db.internal:6543/sy?sslmode=require');
  });

  it('reports every malformed setting at once', () => {
    expect(() => loadDbConfig({ DATABASE_URL: 'mysql://x', SWITCHYARD_TEST_POSTGRES_URL: 'nope' })).toThrow(
      /DATABASE_URL.*SWITCHYARD_TEST_POSTGRES_URL/,
    );
  });
});
