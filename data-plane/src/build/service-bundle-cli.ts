// `npm run build -w @switchyard/data-plane`: bundles the data plane into dist/ (see service-bundle.ts).
// Usage: service-bundle-cli.ts <entry.ts> <outfile.mjs>
import { bundleService } from './service-bundle';

const [entry, outfile] = process.argv.slice(2);
if (!entry || !outfile) {
  process.stderr.write('usage: service-bundle-cli.ts <entry.ts> <outfile.mjs>\n');
  process.exit(2);
}
const started = Date.now();
await bundleService(entry, outfile);
process.stderr.write(`bundled ${entry} → ${outfile} in ${Date.now() - started} ms\n`);
