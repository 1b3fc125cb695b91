// CI's dependency-diff step: the lockfile at HEAD against the last landed one (last-landed.ts),
// printed and written to .ci/out/dependency-diff.json. Exit 1 only for packages resolved outside
// the npm registry or without a sha512 integrity; new packages and install scripts are listed for review.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseLockfile } from './lockfile';
import { diffLockfiles, formatDiff } from './lockfile-diff';
import { lastLandedLockfile } from './last-landed';
import { REPO_ROOT } from './repo-root';

const { values: args } = parseArgs({
  options: {
    base: { type: 'string', default: process.env.SUPPLY_CHAIN_BASE_REF ?? '' },
    out: { type: 'string', default: path.join(REPO_ROOT, '.ci', 'out', 'dependency-diff.json') },
  },
});

// The workspace's lockfile, and the SBOM tool's own (installed in CI, never shipped).
const LOCKFILES = ['package-lock.json', 'tools/sbom/package-lock.json'];
const results = [];
for (const lockfile of LOCKFILES) {
  const head = parseLockfile(await readFile(path.join(REPO_ROOT, lockfile), 'utf8'));
  const landed = await lastLandedLockfile(REPO_ROOT, lockfile, args.base || undefined);
  const diff = diffLockfiles(landed ? parseLockfile(landed.text) : undefined, head);
  process.stdout.write(`\n${lockfile}: ${formatDiff(diff, landed ? landed.label : 'nothing (this clone has no earlier version of this lockfile): every package is new')}`);
  results.push({ lockfile, base: landed?.commit ?? null, ...diff });
}
await mkdir(path.dirname(args.out), { recursive: true });
await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
process.exit(results.some((r) => r.untrusted.length > 0) ? 1 : 0);
