// `npm run -w @switchyard/deploy dockerfiles` writes deploy/docker/<name>.Dockerfile for every
// deployable; with `--check` it only reports files that differ from what would be written (CI).
import { readFile, writeFile } from 'node:fs/promises';
import { DEPLOYABLES, MIGRATE_JOB } from '../deployables';
import { renderDockerfile, renderJobDockerfile } from './dockerfile';
import { dockerfilePath } from './paths';

const check = process.argv.includes('--check');
const stale: string[] = [];
const images = [...DEPLOYABLES.map((d) => ({ name: d.name, text: renderDockerfile(d) })), { name: MIGRATE_JOB.name, text: renderJobDockerfile(MIGRATE_JOB) }];
for (const image of images) {
  const file = dockerfilePath(image.name);
  const wanted = image.text;
  const current = await readFile(file, 'utf8').catch(() => '');
  if (current === wanted) continue;
  if (check) stale.push(file);
  else await writeFile(file, wanted);
}
if (stale.length > 0) {
  process.stderr.write(`stale Dockerfiles (run npm run -w @switchyard/deploy dockerfiles):\n${stale.join('\n')}\n`);
  process.exit(1);
}
