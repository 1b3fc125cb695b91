#!/usr/bin/env tsx
// The `service-bundle` command (e.g. `npm run build -w @switchyard/data-plane`): bundles a service into
// one ES module (see service-bundle.ts). Usage: service-bundle <entry.ts> <outfile.mjs>
import { bundleService } from './service-bundle';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  process.stderr.write('usage: service-bundle <entry.ts> <outfile.mjs>\n');
  process.exit(2);
}
const started = Date.now();
await bundleService(entry, outfile);
process.stderr.write(`bundled ${entry} → ${outfile} in ${Date.now() - started} ms\n`);
