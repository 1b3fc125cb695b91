import { z } from 'zod';

/** One installed package of a lockfile (npm lockfileVersion 2/3 `packages` map), workspace links excluded. */
export interface LockedPackage {
  /** Where it installs, e.g. `node_modules/a/node_modules/b`: a name can be installed at several versions. */
  path: string;
  name: string;
  version: string;
  resolved?: string;
  integrity?: string;
  hasInstallScript: boolean;
  dev: boolean;
  optional: boolean;
  /** Shipped inside its parent's tarball (no resolved URL of its own). */
  inBundle: boolean;
}

const entrySchema = z
  .object({
    name: z.string().optional(),
    version: z.string().optional(),
    resolved: z.string().optional(),
    integrity: z.string().optional(),
    link: z.boolean().optional(),
    hasInstallScript: z.boolean().optional(),
    dev: z.boolean().optional(),
    optional: z.boolean().optional(),
    devOptional: z.boolean().optional(),
    inBundle: z.boolean().optional(),
  })
  .loose();

const lockfileSchema = z.object({ lockfileVersion: z.number().int().min(2), packages: z.record(z.string(), entrySchema) }).loose();

const NODE_MODULES = 'node_modules/';

/** Parses package-lock.json text; throws on a lockfile npm 7+ would not write (v1 has no `packages`). */
export function parseLockfile(text: string): LockedPackage[] {
  const lock = lockfileSchema.parse(JSON.parse(text));
  const out: LockedPackage[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    // '' is the root project; paths without node_modules/ are workspace folders; links point at them.
    const at = path.lastIndexOf(NODE_MODULES);
    if (at < 0 || entry.link) continue;
    out.push({
      path,
      name: entry.name ?? path.slice(at + NODE_MODULES.length),
      version: entry.version ?? '',
      ...(entry.resolved ? { resolved: entry.resolved } : {}),
      ...(entry.integrity ? { integrity: entry.integrity } : {}),
      hasInstallScript: entry.hasInstallScript === true,
      dev: entry.dev === true,
      optional: entry.optional === true || entry.devOptional === true,
      inBundle: entry.inBundle === true,
    });
  }
  return out;
}

export const idOf = (p: Pick<LockedPackage, 'name' | 'version'>): string => `${p.name}@${p.version}`;
