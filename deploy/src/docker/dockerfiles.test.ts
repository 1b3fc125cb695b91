import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleService } from '@switchyard/service-bundle';
import { afterAll, describe, expect, it } from 'vitest';
import { DEPLOYABLES, MIGRATE_JOB } from '../deployables';
import { renderDockerfile, renderJobDockerfile } from './dockerfile';
import { lintDockerfile } from './dockerfile-lint';
import { dockerfilePath, REPO_ROOT } from './paths';

// Bundles are written outside the repository and never run: the check is that every import resolves.
const bundleDir = await mkdtemp(path.join(tmpdir(), 'switchyard-bundles-'));
afterAll(async () => rm(bundleDir, { recursive: true, force: true }));

describe.each(DEPLOYABLES.map((d) => [d.name, d] as const))('deploy/docker/%s.Dockerfile', (_name, d) => {
  it('is committed as generated (npm run -w @switchyard/deploy dockerfiles)', async () => {
    expect(await readFile(dockerfilePath(d.name), 'utf8')).toBe(renderDockerfile(d));
  });

  it('passes the lint: multi-stage, non-root, HEALTHCHECK on its port, exec-form CMD, pinned base', async () => {
    expect(lintDockerfile(await readFile(dockerfilePath(d.name), 'utf8'), { port: d.port })).toEqual([]);
  });

  it('bundles: the image build step (service-bundle of its entry) succeeds', async () => {
    if (d.build.kind !== 'bundle') return;
    const out = path.join(bundleDir, `${d.name}.mjs`);
    await bundleService(path.join(REPO_ROOT, d.build.entry), out);
    expect((await readFile(out, 'utf8')).length).toBeGreaterThan(10_000);
  });
});

describe('deploy/docker/migrate.Dockerfile', () => {
  it('is committed as generated, passes the lint (no port: no HEALTHCHECK expected) and bundles an existing entry', async () => {
    const text = await readFile(dockerfilePath(MIGRATE_JOB.name), 'utf8');
    expect(text).toBe(renderJobDockerfile(MIGRATE_JOB));
    expect(lintDockerfile(text, { port: undefined })).toEqual([]);
    expect(text).toContain('CMD ["node", "--experimental-wasm-modules", "--enable-source-maps", "dist/migrate.mjs"]');
    await bundleService(path.join(REPO_ROOT, MIGRATE_JOB.entry), path.join(bundleDir, 'migrate.mjs'));
  });
});

describe('.dockerignore', () => {
  it('keeps installed modules, local data, git and build output out of the build context', async () => {
    const ignored = (await readFile(path.join(REPO_ROOT, '.dockerignore'), 'utf8')).split('\n').map((line) => line.trim());
    for (const entry of ['**/node_modules', '.git', '**/.data', '**/.next', '**/dist', '.env']) expect(ignored).toContain(entry);
  });
});
