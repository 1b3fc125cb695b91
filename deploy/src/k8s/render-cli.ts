// `npm run -s -w @switchyard/deploy render -- --region a` prints region A's manifests as one YAML
// stream (`kubectl apply -f -`), after validating every object against the Kubernetes schemas;
// `-- --central` the central part's (values-central.yaml: the cost optimizer and the audit witness).
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { renderCentralManifests } from './central';
import { loadCentralValues, loadRegionValues } from './load-values';
import { renderManifests } from './render';

const { values: args } = parseArgs({ options: { region: { type: 'string' }, central: { type: 'boolean' } } });
if (!args.region === !args.central) {
  process.stderr.write('usage: render --region <a|b> | render --central\n');
  process.exit(2);
}
const manifests = args.central ? renderCentralManifests(await loadCentralValues()) : renderManifests(await loadRegionValues(args.region ?? ''));
for (const manifest of manifests) manifest.validate();
process.stdout.write(manifests.map((m) => stringify(m.toJSON())).join('---\n'));
