import { readFileSync } from 'node:fs';
import { CONSOLE_OPERATIONS } from '@switchyard/web/operations';
import { describe, expect, it } from 'vitest';
import { PERSISTED_OPERATIONS_FILE, operationHash, parseManifest, readPersistedManifest, serializeManifest } from './persisted-manifest';
import { gatePersistedQuery } from './persisted-query-gate';

describe('persisted-operations.json', () => {
  it('is what the console operations generate (run persisted:generate after changing them)', () => {
    expect(readFileSync(PERSISTED_OPERATIONS_FILE, 'utf8')).toBe(serializeManifest(CONSOLE_OPERATIONS));
  });

  it('holds every console operation under the sha256 of its document', () => {
    const manifest = parseManifest(readFileSync(PERSISTED_OPERATIONS_FILE, 'utf8'));
    expect(manifest.size).toBe(CONSOLE_OPERATIONS.length);
    for (const operation of CONSOLE_OPERATIONS) expect(manifest.get(operationHash(operation.document))).toBe(operation.document);
  });

  it('lets the console send each of its operations as a full document in require mode', () => {
    const policy = { mode: 'require' as const, manifest: readPersistedManifest(), requiredClients: new Set(['switchyard-console']) };
    for (const operation of CONSOLE_OPERATIONS) {
      expect(gatePersistedQuery(policy, { method: 'POST', body: { query: operation.document, operationName: operation.name }, clientName: 'switchyard-console' }).ok).toBe(true);
    }
  });

  it('refuses a file whose entry does not hash to its key', () => {
    const text = serializeManifest([{ name: 'A', document: 'query A { viewer { subject } }' }]).replace('viewer { subject }', 'tenants { id }');
    expect(() => parseManifest(text)).toThrow(/not the sha256/);
    expect(() => parseManifest('{"format":"other","operations":{}}')).toThrow();
  });

  it('hashes like the persisted-query protocol (sha256 hex of the UTF-8 document)', () => {
    expect(operationHash('{ __typename }')).toBe('7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b');
  });
});
