import { describe, expect, it } from 'vitest';
import { parseLockfile } from './lockfile';
import { diffLockfiles, formatDiff } from './lockfile-diff';

const SHA = 'sha512-AAAA';
function lock(packages: Record<string, Record<string, unknown>>): string {
  return JSON.stringify({ name: 'x', lockfileVersion: 3, packages: { '': { name: 'x', workspaces: ['a'] }, a: { name: '@x/a', version: '1.0.0' }, 'node_modules/@x/a': { resolved: 'a', link: true }, ...packages } });
}

describe('parseLockfile', () => {
  it('keeps installed packages (nested paths named by their last segment), drops the root, workspaces and links', () => {
    const parsed = parseLockfile(lock({ 'node_modules/left-pad': { version: '1.3.0', integrity: SHA }, 'node_modules/a/node_modules/@scope/b': { version: '2.0.0', integrity: SHA, dev: true, hasInstallScript: true } }));
    expect(parsed.map((p) => [p.name, p.version, p.dev, p.hasInstallScript])).toEqual([
      ['left-pad', '1.3.0', false, false],
      ['@scope/b', '2.0.0', true, true],
    ]);
  });

  it('refuses a v1 lockfile and malformed JSON', () => {
    expect(() => parseLockfile(JSON.stringify({ lockfileVersion: 1, dependencies: {} }))).toThrow();
    expect(() => parseLockfile('{')).toThrow();
  });
});

describe('diffLockfiles', () => {
  const base = parseLockfile(lock({ 'node_modules/a': { version: '1.0.0', integrity: SHA }, 'node_modules/b': { version: '1.0.0', integrity: SHA, hasInstallScript: true }, 'node_modules/gone': { version: '1.0.0', integrity: SHA } }));
  const head = parseLockfile(
    lock({
      'node_modules/a': { version: '1.0.0', integrity: SHA },
      'node_modules/b': { version: '1.1.0', integrity: SHA, hasInstallScript: true },
      'node_modules/x/node_modules/b': { version: '1.0.0', integrity: SHA, hasInstallScript: true },
      'node_modules/fresh': { version: '0.1.0', integrity: SHA, hasInstallScript: true, optional: true },
      'node_modules/git-dep': { version: '1.0.0', resolved: 'git+ssh://git@example.invalid/x.git#abc', integrity: SHA },
      'node_modules/no-hash': { version: '1.0.0', integrity: 'sha1-abc' },
      'node_modules/fresh/node_modules/bundled': { version: '1.0.0', inBundle: true },
    }),
  );
  const diff = diffLockfiles(base, head);

  it('lists names the base never had, and new versions of names it had', () => {
    expect(diff.newPackages.map((p) => `${p.name}@${p.version}`)).toEqual(['bundled@1.0.0', 'fresh@0.1.0', 'git-dep@1.0.0', 'no-hash@1.0.0']);
    expect(diff.newVersions.map((p) => [`${p.name}@${p.version}`, p.previous])).toEqual([['b@1.1.0', ['1.0.0']]]);
    expect(diff.removed).toEqual(['gone']);
  });

  it('lists every install script, marking the ones the base did not run', () => {
    expect(diff.installScripts.map((p) => [`${p.name}@${p.version}`, p.isNew])).toEqual([
      ['b@1.0.0', false],
      ['b@1.1.0', true],
      ['fresh@0.1.0', true],
    ]);
  });

  it('refuses packages resolved outside the registry or without a sha512 integrity (bundled ones ride in their parent)', () => {
    expect(diff.untrusted.map((p) => p.name)).toEqual(['git-dep', 'no-hash']);
  });

  it('without a landed lockfile, every package is new', () => {
    expect(diffLockfiles(undefined, head).newPackages).toHaveLength(new Set(head.map((p) => `${p.name}@${p.version}`)).size);
  });

  it('formats every section with counts', () => {
    const text = formatDiff(diff, 'HEAD^1');
    expect(text).toContain('new packages: 4');
    expect(text).toContain('NEW fresh@0.1.0 (optional)');
    expect(text).toContain('b@1.1.0 (base had 1.0.0)');
    expect(text).toContain('untrusted sources (refused): 2');
  });
});
