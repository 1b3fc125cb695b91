// `npm run -s -w @switchyard/deploy render -- --region a` prints region A's manifests as one YAML
// stream (`kubectl apply -f -`), after validating every object against the Kubernetes schemas.
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadRegionValues } from './load-values';
import { renderManifests } from './render';

const { values: args } = parseArgs({ options: { region: { type: 'string' } } });
if (!args.region) {
  process.stderr.write('usage: render --region <a|b>\n');
  process.exit(2);
}
const manifests = renderManifests(await loadRegionValues(args.region));
for (const manifest of manifests) manifest.validate();
process.stdout.write(manifests.map((m) => stringify(m.toJSON())).join('---\n'));
