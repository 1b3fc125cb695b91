import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleService } from '../src/service-bundle';

const PACKAGE_ROOT = fileURLToPath(new URL('../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixture/entry.ts', import.meta.url));
const OWN_URL_SOURCE = fileURLToPath(new URL('./fixture/own-url.ts', import.meta.url));

let outDir: string;
let outfile: string;
let bundled: string;

beforeAll(async () => {
  // Beside the package, so the bundle resolves its external npm packages from node_modules.
  outDir = await mkdtemp(path.join(PACKAGE_ROOT, '.bundle-test-'));
  outfile = path.join(outDir, 'fixture.mjs');
  await bundleService(FIXTURE, outfile);
  bundled = await readFile(outfile, 'utf8');
}, 60_000);

afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('bundleService', () => {
  it('inlines workspace packages and relative modules, and leaves npm packages as imports', () => {
    expect(bundled).toMatch(/from "esbuild"/);
    expect(bundled).not.toMatch(/from "@switchyard\//);
    expect(bundled).toContain('switchyard:usage');
    expect(bundled).not.toMatch(/from "\.\/own-url"/);
  });

  it('runs under plain node, each source keeping its own import.meta.url', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [outfile], { timeout: 30_000 });
    expect(JSON.parse(stdout)).toEqual({ stream: 'switchyard:usage', esbuild: expect.any(String), ownUrl: pathToFileURL(OWN_URL_SOURCE).href });
  }, 40_000);
});
