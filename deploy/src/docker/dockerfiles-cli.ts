// `npm run -w @switchyard/deploy dockerfiles` writes deploy/docker/<name>.Dockerfile for every
// deployable; with `--check` it only reports files that differ from what would be written (CI).
import { readFile, writeFile } from 'node:fs/promises';
import { DEPLOYABLES } from '../deployables';
import { renderDockerfile } from './dockerfile';
import { dockerfilePath } from './paths';

const check = process.argv.includes('--check');
const stale: string[] = [];
for (const d of DEPLOYABLES) {
  const file = dockerfilePath(d.name);
  const wanted = renderDockerfile(d);
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === wanted) continue;
  if (check) stale.push(file);
  else await writeFile(file, wanted);
}
if (stale.length > 0) {
  process.stderr.write(`stale Dockerfiles (run npm run -w @switchyard/deploy dockerfiles):\n${stale.join('\n')}\n`);
  process.exit(1);
}
