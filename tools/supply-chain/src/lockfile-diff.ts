import { idOf, type LockedPackage } from './lockfile';

export interface DependencyDiff {
  /** Names the base lockfile did not have at any version. */
  newPackages: LockedPackage[];
  /** Names the base had, at versions it did not have. */
  newVersions: Array<LockedPackage & { previous: string[] }>;
  removed: string[];
  /** Every package of the head lockfile that runs an install script, `isNew` when the base did not run it. */
  installScripts: Array<LockedPackage & { isNew: boolean }>;
  /** Resolved outside the npm registry or without a sha512 integrity: refused. */
  untrusted: Array<LockedPackage & { problem: string }>;
}

const REGISTRY = 'https://registry.npmjs.org/';

function uniqueById(packages: LockedPackage[]): LockedPackage[] {
  return [...new Map(packages.map((p) => [idOf(p), p])).values()].sort((a, b) => idOf(a).localeCompare(idOf(b)));
}

/** What the head lockfile brings in over the base (`base` undefined: no landed lockfile, everything is new). */
export function diffLockfiles(base: LockedPackage[] | undefined, head: LockedPackage[]): DependencyDiff {
  const baseIds = new Set((base ?? []).map(idOf));
  const baseVersions = new Map<string, Set<string>>();
  for (const p of base ?? []) baseVersions.set(p.name, (baseVersions.get(p.name) ?? new Set()).add(p.version));
  const baseScripts = new Set((base ?? []).filter((p) => p.hasInstallScript).map(idOf));
  const headNames = new Set(head.map((p) => p.name));
  const unique = uniqueById(head);
  return {
    newPackages: unique.filter((p) => !baseVersions.has(p.name)),
    newVersions: unique.filter((p) => baseVersions.has(p.name) && !baseIds.has(idOf(p))).map((p) => ({ ...p, previous: [...(baseVersions.get(p.name) ?? [])].sort() })),
    removed: [...baseVersions.keys()].filter((name) => !headNames.has(name)).sort(),
    installScripts: unique.filter((p) => p.hasInstallScript).map((p) => ({ ...p, isNew: !baseScripts.has(idOf(p)) })),
    untrusted: unique.flatMap((p) => {
      if (p.inBundle) return [];
      // No `resolved`: npm fetches it from the configured registry (lockfiles written with
      // omit-lockfile-registry-resolved); a git, file or tarball URL is refused.
      if (p.resolved !== undefined && !p.resolved.startsWith(REGISTRY)) return [{ ...p, problem: `resolved from ${p.resolved}, not ${REGISTRY}` }];
      if (!p.integrity?.startsWith('sha512-')) return [{ ...p, problem: 'no sha512 integrity' }];
      return [];
    }),
  };
}

/** The report CI prints, one line per package. */
export function formatDiff(diff: DependencyDiff, baseLabel: string): string {
  const tag = (p: LockedPackage) => `${idOf(p)}${p.dev ? ' (dev)' : ''}${p.optional ? ' (optional)' : ''}`;
  const section = (title: string, lines: string[]) => `${title}: ${lines.length}\n${lines.map((line) => `  ${line}`).join('\n')}${lines.length ? '\n' : ''}`;
  return [
    `dependency diff against ${baseLabel}\n`,
    section('new packages', diff.newPackages.map(tag)),
    section('new versions', diff.newVersions.map((p) => `${tag(p)} (base had ${p.previous.join(', ')})`)),
    section('removed packages', diff.removed),
    section('packages with install scripts', diff.installScripts.map((p) => `${p.isNew ? 'NEW ' : ''}${tag(p)}`)),
    section('untrusted sources (refused)', diff.untrusted.map((p) => `${tag(p)}: ${p.problem}`)),
  ].join('\n');
}
