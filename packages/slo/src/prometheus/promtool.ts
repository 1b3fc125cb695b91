import { execFileSync } from 'node:child_process';

/**
 * Where promtool is, or why the Prometheus tests may skip: outside CI only (Debian's `prometheus`
 * package installs it; .ci/run does), in CI its absence fails the test.
 */
export function findPromtool(options: { ci: boolean }): { path: string } | { skip: string } {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
    return { path: 'promtool' };
  } catch {
    if (options.ci) throw new Error('promtool is required in CI (apt-get install -y prometheus)');
    return { skip: 'promtool not found: apt-get install -y prometheus to run the Prometheus rule tests' };
  }
}
