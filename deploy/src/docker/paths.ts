import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (the Docker build context) and where each Dockerfile is committed. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function dockerfilePath(name: string): string {
  return path.join(REPO_ROOT, 'deploy', 'docker', `${name}.Dockerfile`);
}
