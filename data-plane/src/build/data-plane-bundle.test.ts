import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleService } from '@switchyard/service-bundle';

const DATA_PLANE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRISMA_CONFIG = fileURLToPath(new URL('../../../prisma/src/config.ts', import.meta.url));

let outDir: string;
let outfile: string;
let bundled: string;

beforeAll(async () => {
  // Beside the package, so the bundle resolves its external npm packages from node_modules as dist/ does.
  outDir = await mkdtemp(path.join(DATA_PLANE_ROOT, '.bundle-test-'));
  outfile = path.join(outDir, 'data-plane.mjs');
  await bundleService(path.join(DATA_PLANE_ROOT, 'src/index.ts'), outfile);
  bundled = await readFile(outfile, 'utf8');
}, 60_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('service bundle', () => {
  it('inlines workspace packages and leaves npm packages as imports', () => {
    expect(bundled).toMatch(/from "ioredis"/);
    expect(bundled).toMatch(/from "undici"/);
    expect(bundled).not.toMatch(/node_modules\/ioredis/);
    expect(bundled).not.toMatch(/from "@switchyard\//);
    expect(bundled).toContain('prisma/src/config.ts');
  });

  it('loads PGlite only when it is the database: no static import of it or its Prisma adapter (about 5 MB of RSS on Postgres)', () => {
    const staticImports = [...bundled.matchAll(/^import [^;]*? from "([^"]+)"/gm)].map((match) => match[1]);
    expect(staticImports).toContain('@prisma/adapter-pg');
    for (const lazy of ['@electric-sql/pglite', '@electric-sql/pglite-pgvector', 'pglite-prisma-adapter']) {
      expect(staticImports).not.toContain(lazy);
      expect(bundled).toContain(`import("${lazy}")`);
    }
  });

  it('keeps each source file its own import.meta.url, so migrations are found beside the prisma package', () => {
    expect(bundled).toContain(JSON.stringify(pathToFileURL(PRISMA_CONFIG).href));
  });

  it('runs under plain node (no TypeScript loader) and reports bad configuration like the source does', async () => {
    const run = promisify(execFile)(process.execPath, [outfile], { env: { PATH: process.env.PATH ?? '', DATA_PLANE_PORT: 'not-a-port' }, timeout: 30_000 });
    const failure = await run.then(
      () => undefined,
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(failure?.code).not.toBe(0);
    expect(failure?.stderr).toContain('DATA_PLANE_PORT');
  }, 40_000);
});
