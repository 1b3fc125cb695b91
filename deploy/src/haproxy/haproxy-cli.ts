// `npm run -w @switchyard/deploy haproxy` writes deploy/haproxy/<region>-primary.cfg and
// replica-set.cfg; with `--check` it only reports files that differ from what would be written (CI).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_ROOT } from '../docker/paths';
import { REGION_PAIRS, renderRegionPairConfig } from './haproxy-config';
import { REPLICA_SET_FILE, renderCommittedReplicaSet } from './replica-set';

const check = process.argv.includes('--check');
const stale: string[] = [];
const files = [...REGION_PAIRS.map((pair) => ({ file: pair.file, text: renderRegionPairConfig(pair.primary, pair.backup) })), { file: REPLICA_SET_FILE, text: renderCommittedReplicaSet() }];
for (const { file: name, text: wanted } of files) {
  const file = path.join(REPO_ROOT, 'deploy', 'haproxy', name);
  if ((await readFile(file, 'utf8').catch(() => '')) === wanted) continue;
  if (check) stale.push(file);
  else await writeFile(file, wanted);
}
if (stale.length > 0) {
  process.stderr.write(`stale HAProxy configs (run npm run -w @switchyard/deploy haproxy):\n${stale.join('\n')}\n`);
  process.exit(1);
}
