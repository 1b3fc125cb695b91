import { readFileSync, writeFileSync } from 'node:fs';
import { CONSOLE_OPERATIONS } from '@switchyard/web/operations';
import { PERSISTED_OPERATIONS_FILE, serializeManifest } from './persisted-manifest';

/**
 * `persisted:generate` writes the console's operation allowlist; `persisted:check` (CI) fails when
 * the committed file differs from what the console's operations would generate.
 */
const expected = serializeManifest(CONSOLE_OPERATIONS.map((operation) => ({ name: operation.name, document: operation.document })));

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(PERSISTED_OPERATIONS_FILE, 'utf8');
  } catch {
    // A missing file is drift too.
  }
  if (committed !== expected) {
    console.error('supergraph/persisted-operations.json is out of date with web/lib/operations.ts: run `npm run -w @switchyard/supergraph persisted:generate` and commit it.');
    process.exit(1);
  }
  console.log(`persisted operations are up to date (${CONSOLE_OPERATIONS.length} operations).`);
} else {
  writeFileSync(PERSISTED_OPERATIONS_FILE, expected);
  console.log(`wrote persisted-operations.json (${CONSOLE_OPERATIONS.length} operations).`);
}
