import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LandedLockfile {
  /** The commit whose lockfile is the base, and why it was chosen. */
  commit: string;
  label: string;
  text: string;
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await run('git', args, { cwd, maxBuffer: 256 * 1024 * 1024 })).stdout;
  } catch {
    return undefined;
  }
}

/**
 * "The last landed lockfile": CI runs on a clean clone of main, whose HEAD is what just landed.
 * - If HEAD's lockfile differs from its first parent's, the base is the first parent: the diff is
 *   exactly what this landing brings in (a merge commit's first parent is main before the merge).
 * - Otherwise the base is the first parent of the newest first-parent commit that changed the
 *   lockfile: the diff of the last landing that changed dependencies, so the report is never empty
 *   for lack of a change in the tip commit.
 * `explicit` (SUPPLY_CHAIN_BASE_REF) overrides both. Undefined: no history (a shallow clone, a
 * first commit), and every package counts as new.
 */
export async function lastLandedLockfile(cwd: string, lockfile: string, explicit?: string): Promise<LandedLockfile | undefined> {
  const show = async (commit: string) => git(cwd, ['show', `${commit}:${lockfile}`]);
  const resolve = async (rev: string) => (await git(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]))?.trim() || undefined;
  if (explicit) {
    const commit = await resolve(explicit);
    const text = commit ? await show(commit) : undefined;
    return commit && text !== undefined ? { commit, label: `${explicit} (${commit.slice(0, 12)}, SUPPLY_CHAIN_BASE_REF)`, text } : undefined;
  }
  const parent = await resolve('HEAD^1');
  if (!parent) return undefined;
  const changedAtHead = (await git(cwd, ['diff', '--quiet', 'HEAD^1', 'HEAD', '--', lockfile])) === undefined;
  if (changedAtHead) {
    const text = await show(parent);
    return text === undefined ? undefined : { commit: parent, label: `HEAD^1 (${parent.slice(0, 12)}: main before the commit that landed)`, text };
  }
  const lastChange = (await git(cwd, ['log', '--first-parent', '-1', '--format=%H', 'HEAD', '--', lockfile]))?.trim();
  const base = lastChange ? await resolve(`${lastChange}^1`) : undefined;
  const text = base ? await show(base) : undefined;
  if (!base || !lastChange || text === undefined) return undefined;
  return { commit: base, label: `${base.slice(0, 12)} (before ${lastChange.slice(0, 12)}, the last landing that changed ${lockfile})`, text };
}
