import { execFileSync } from 'node:child_process';

/**
 * Whether a Prometheus binary (`promtool`, `prometheus`) is on the PATH, or why the tests that need
 * it may skip: outside CI only (Debian's `prometheus` package installs both; .ci/run does). In CI
 * its absence fails the test instead.
 */
export function findPrometheusTool(name: 'promtool' | 'prometheus', options: { ci: boolean }): { path: string } | { skip: string } {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return { path: name };
  } catch {
    if (options.ci) throw new Error(`${name} is required in CI (apt-get install -y prometheus)`);
    return { skip: `${name} not found: apt-get install -y prometheus to run the Prometheus SLO tests` };
  }
}

export const findPromtool = (options: { ci: boolean }) => findPrometheusTool('promtool', options);
