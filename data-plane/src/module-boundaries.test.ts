import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency direction inside the data plane, checked on its source files (tests may reach
 * across, to build inputs): the domain model depends on nothing; nothing behind the HTTP edge
 * depends on the edge's wire format; the policy decision point depends on neither the router nor
 * the adapters it filters for.
 */
const SRC = dirname(fileURLToPath(import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.contract.ts') ? [path] : [];
  });
}

/** Every relative import of every source file, as `file -> target` paths under src/. */
const imports = sourceFiles(SRC).flatMap((file) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']*)'/g)].map((match) => ({
    file: relative(SRC, file),
    target: relative(SRC, resolve(dirname(file), match[1]!)),
  })),
);

const folderOf = (path: string): string => (path.includes('/') ? path.slice(0, path.indexOf('/')) : '');
const crossings = (from: (folder: string, file: string) => boolean, to: readonly string[]): string[] =>
  imports.filter((i) => from(folderOf(i.file), i.file) && to.includes(folderOf(i.target))).map((i) => `${i.file} -> ${i.target}`);

/** The mock provider's HTTP server is a stand-alone fake OpenAI upstream: it speaks the edge's wire format on purpose. */
const FAKE_OPENAI_SERVER = 'adapters/mock/server.ts';

describe('data-plane module boundaries', () => {
  it('finds the imports it checks', () => {
    expect(imports.length).toBeGreaterThan(100);
    expect(imports.some((i) => i.file === 'router/router.ts' && i.target === 'domain/inference-request')).toBe(true);
  });

  it('domain/ depends on no other part of the data plane', () => {
    expect(imports.filter((i) => folderOf(i.file) === 'domain' && folderOf(i.target) !== 'domain').map((i) => `${i.file} -> ${i.target}`)).toEqual([]);
  });

  it('nothing behind the edge imports api/ (the OpenAI wire format)', () => {
    const behindTheEdge = ['router', 'adapters', 'policy', 'ingress', 'accounting', 'alerts', 'tenant-settings', 'telemetry', 'http'];
    expect(crossings((folder, file) => behindTheEdge.includes(folder) && file !== FAKE_OPENAI_SERVER, ['api'])).toEqual([]);
  });

  it('policy/ depends on neither the router nor the adapters', () => {
    expect(crossings((folder) => folder === 'policy', ['router', 'adapters'])).toEqual([]);
  });
});
