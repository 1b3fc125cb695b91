import { describe, expect, it } from 'vitest';
import { buildManifest, operationHash } from './persisted-manifest';
import { gatePersistedQuery, type PersistedQueryMode, type PersistedQueryPolicy } from './persisted-query-gate';

const KNOWN = 'query ConsoleViewer { viewer { subject } }';
const policy = (mode: PersistedQueryMode): PersistedQueryPolicy => ({ mode, manifest: buildManifest([{ name: 'ConsoleViewer', document: KNOWN }]), requiredClients: new Set(['switchyard-console']) });
const persisted = (hash: string, extra: Record<string, unknown> = {}) => ({ variables: { a: 1 }, extensions: { persistedQuery: { version: 1, sha256Hash: hash } }, ...extra });
const post = (body: unknown, clientName?: string) => ({ method: 'POST', body, clientName });

describe('gatePersistedQuery', () => {
  it('fills in the document of a known hash and drops the persistedQuery extension', () => {
    const result = gatePersistedQuery(policy('allow'), post(persisted(operationHash(KNOWN))));
    expect(result).toEqual({ ok: true, body: { query: KNOWN, variables: { a: 1 }, extensions: {} } });
  });

  it('accepts a known hash sent together with its exact document', () => {
    expect(gatePersistedQuery(policy('require'), post(persisted(operationHash(KNOWN), { query: KNOWN }), 'switchyard-console')).ok).toBe(true);
  });

  it('refuses an unknown hash, even when the document hashes to it', () => {
    const other = '{ tenants { id } }';
    expect(gatePersistedQuery(policy('allow'), post(persisted(operationHash(other))))).toMatchObject({ ok: false, message: expect.stringContaining('No persisted operation') });
    expect(gatePersistedQuery(policy('allow'), post(persisted(operationHash(other), { query: other }))).ok).toBe(false);
  });

  it('refuses a tampered document sent under a known hash', () => {
    const result = gatePersistedQuery(policy('allow'), post(persisted(operationHash(KNOWN), { query: `${KNOWN} { tenants { id } }` })));
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('does not match') });
  });

  it('refuses malformed hashes', () => {
    for (const hash of [42, '', 'XYZ', operationHash(KNOWN).toUpperCase(), `${operationHash(KNOWN)}0`]) {
      expect(gatePersistedQuery(policy('allow'), post(persisted(hash as string))).ok).toBe(false);
    }
  });

  it('lets API integrators send full documents in every mode', () => {
    for (const mode of ['off', 'allow', 'require'] as const) {
      expect(gatePersistedQuery(policy(mode), post({ query: '{ tenants { id } }' }))).toEqual({ ok: true, body: { query: '{ tenants { id } }' } });
      expect(gatePersistedQuery(policy(mode), post({ query: '{ tenants { id } }' }, 'some-integration')).ok).toBe(true);
    }
  });

  it('pins the console to its allowlist in require mode only', () => {
    const unknown = post({ query: '{ tenants { id } }' }, 'switchyard-console');
    expect(gatePersistedQuery(policy('require'), unknown)).toMatchObject({ ok: false, message: expect.stringContaining('not in the allowlist') });
    expect(gatePersistedQuery(policy('allow'), unknown).ok).toBe(true);
    expect(gatePersistedQuery(policy('require'), post({ query: KNOWN }, 'switchyard-console')).ok).toBe(true);
    expect(gatePersistedQuery(policy('require'), { method: 'GET', body: undefined, clientName: 'switchyard-console' }).ok).toBe(false);
    expect(gatePersistedQuery(policy('require'), post('{ tenants { id } }', 'switchyard-console')).ok).toBe(false);
  });

  it('passes everything untouched when off', () => {
    const body = persisted('nonsense');
    expect(gatePersistedQuery(policy('off'), post(body, 'switchyard-console'))).toEqual({ ok: true, body });
  });
});
