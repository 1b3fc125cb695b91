import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { bundleService } from '@switchyard/service-bundle';
import { REPO_ROOT } from '../platform-process';

/**
 * A deployable's entry point bundled as production runs it (packages/service-bundle, plain node):
 * a test that starts many replicas starts them in a fraction of tsx's time on a busy machine, and
 * runs what ships. Written under node_modules/.cache so its external packages resolve from the
 * workspace root; returns the bundle's path (from the repo root) for startChild.
 */
export async function bundledEntry(entry: string, name: string): Promise<string> {
  const relative = path.join('node_modules', '.cache', 'switchyard-e2e', `${name}.mjs`);
  await mkdir(path.dirname(path.join(REPO_ROOT, relative)), { recursive: true });
  await bundleService(path.join(REPO_ROOT, entry), path.join(REPO_ROOT, relative));
  return relative;
}
