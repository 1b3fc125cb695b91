import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Generated from the console's operations (`npm run -w @switchyard/supergraph persisted:generate`) and committed. */
export const PERSISTED_OPERATIONS_FILE = fileURLToPath(new URL('../../persisted-operations.json', import.meta.url));

/** sha256 (hex) → GraphQL document, exactly as the client sends it. */
export type PersistedManifest = ReadonlyMap<string, string>;

/** The hash Apollo's persisted-query protocol uses: sha256 over the UTF-8 document, lower-case hex. */
export function operationHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}

const manifestFileSchema = z.object({
  format: z.literal('switchyard-persisted-operations/1'),
  operations: z.record(z.string().regex(/^[0-9a-f]{64}$/), z.object({ name: z.string().min(1), document: z.string().min(1) })),
});

export function buildManifest(operations: readonly { name: string; document: string }[]): PersistedManifest {
  return new Map(operations.map((operation) => [operationHash(operation.document), operation.document]));
}

/** Stable text (sorted by name) so the committed file diffs cleanly. */
export function serializeManifest(operations: readonly { name: string; document: string }[]): string {
  const sorted = [...operations].sort((a, b) => a.name.localeCompare(b.name));
  const entries = Object.fromEntries(sorted.map((operation) => [operationHash(operation.document), { name: operation.name, document: operation.document }]));
  return `${JSON.stringify({ format: 'switchyard-persisted-operations/1', operations: entries }, null, 2)}\n`;
}

/** Parses the manifest text; refuses an entry whose key is not the hash of its document (a tampered file). */
export function parseManifest(text: string): PersistedManifest {
  const file = manifestFileSchema.parse(JSON.parse(text));
  const manifest = new Map<string, string>();
  for (const [hash, operation] of Object.entries(file.operations)) {
    if (operationHash(operation.document) !== hash) throw new Error(`Persisted operation ${operation.name}: key ${hash} is not the sha256 of its document.`);
    manifest.set(hash, operation.document);
  }
  return manifest;
}

export function readPersistedManifest(file: string = PERSISTED_OPERATIONS_FILE): PersistedManifest {
  return parseManifest(readFileSync(file, 'utf8'));
}
