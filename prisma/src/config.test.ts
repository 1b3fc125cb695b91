import { describe, expect, it } from 'vitest';
import { loadDbConfig, repoRoot } from './config';

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

  it('reports every malformed setting at once', () => {
    expect(() => loadDbConfig({ DATABASE_URL: 'mysql://x', SWITCHYARD_TEST_POSTGRES_URL: 'nope' })).toThrow(
      /DATABASE_URL.*SWITCHYARD_TEST_POSTGRES_URL/,
    );
  });
});
