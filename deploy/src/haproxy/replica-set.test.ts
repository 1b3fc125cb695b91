import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/paths';
import { REPLICA_SET_BOXES, REPLICA_SET_FILE, renderCommittedReplicaSet, renderReplicaSetConfig } from './replica-set';

const run = promisify(execFile);
const haproxyInstalled = await run('haproxy', ['-v']).then(
  () => true,
  () => false,
);
// CI installs HAProxy (.ci/run); a developer machine without it skips the syntax check only.
const describeHaproxy = haproxyInstalled || process.env.CI ? describe : describe.skip;

/** The backend block of `box` in a rendered file. */
function backend(text: string, box: string): string {
  return text.split(`\nbackend ${box}\n`)[1]?.split('\nfrontend ')[0] ?? '';
}

describe('HAProxy configuration in front of one region’s replica set', () => {
  it(`${REPLICA_SET_FILE} is what the renderer writes (npm run -w @switchyard/deploy haproxy)`, async () => {
    expect(await readFile(path.join(REPO_ROOT, 'deploy', 'haproxy', REPLICA_SET_FILE), 'utf8')).toBe(renderCommittedReplicaSet());
  });

  it('has a frontend and a checked backend for the data plane, the gateway and every subgraph; every replica serves (no backups)', () => {
    const text = renderCommittedReplicaSet(3);
    expect(REPLICA_SET_BOXES).toEqual(['data_plane', 'gateway', 'tenants_subgraph', 'cost_subgraph', 'dp_subgraph', 'audit_subgraph', 'policy_subgraph', 'experiments_subgraph', 'slo_subgraph', 'memory_subgraph']);
    for (const box of REPLICA_SET_BOXES) {
      expect(text).toContain(`\nfrontend ${box}\n    bind "\${SWITCHYARD_LB_${box.toUpperCase()}_BIND}"\n    default_backend ${box}\n`);
      const block = backend(text, box);
      expect(block).toContain('option httpchk GET /readyz');
      expect(block).toContain('http-check expect status 200');
      expect(block).not.toContain('allbackups');
      const servers = block.split('\n').filter((line) => line.trim().startsWith('server '));
      expect(servers).toHaveLength(3);
      expect(servers.some((line) => line.endsWith(' backup'))).toBe(false);
      expect(servers[2]).toContain(`\${SWITCHYARD_${box.toUpperCase()}_3}`);
    }
    // Only requests that never reached a replica are retried; upgraded WebSockets are not cut by the HTTP timeouts.
    expect(text).toMatch(/^ {4}retry-on conn-failure$/m);
    expect(text).not.toMatch(/retry-on .*(empty-response|response-timeout|all-retryable-errors)/);
    expect(text).toMatch(/^ {4}timeout tunnel 1h$/m);
  });

  it('renders loopback addresses as given (what the replica-kill test runs) and refuses a replica count that is not positive', () => {
    const text = renderReplicaSetConfig({ replicas: 2, bind: () => '127.0.0.1:1', server: (box, i) => `127.0.0.1:${box.length * 10 + i}` });
    expect(backend(text, 'cost_subgraph')).toContain('server cost1 127.0.0.1:131');
    expect(backend(text, 'cost_subgraph')).toContain('server cost2 127.0.0.1:132');
    expect(backend(text, 'data_plane')).toContain('server dp2 127.0.0.1:102');
    expect(() => renderReplicaSetConfig({ replicas: 0, bind: () => '127.0.0.1:1', server: () => '127.0.0.1:2' })).toThrow(/positive/);
    expect(() => renderReplicaSetConfig({ replicas: 1.5, bind: () => '127.0.0.1:1', server: () => '127.0.0.1:2' })).toThrow(/positive/);
  });

  it('opens the runtime API on a socket only when asked, and refuses a path that would become configuration', () => {
    const options = { replicas: 1, bind: () => '127.0.0.1:1', server: () => '127.0.0.1:2' };
    expect(renderReplicaSetConfig(options)).not.toContain('stats socket');
    expect(renderReplicaSetConfig({ ...options, runtimeSocket: '/run/haproxy/admin.sock' })).toMatch(/^global\n(?:.*\n)*? {4}stats socket \/run\/haproxy\/admin\.sock mode 600 level admin\n/m);
    for (const bad of ['relative.sock', '/tmp/a b.sock', '/tmp/a.sock\n    stats socket ipv4@0.0.0.0:9999 level admin', '/tmp/"x"']) {
      expect(() => renderReplicaSetConfig({ ...options, runtimeSocket: bad })).toThrow(/runtime socket/);
    }
  });
});

describeHaproxy('haproxy -c (replica set)', () => {
  it(`accepts ${REPLICA_SET_FILE} with its addresses set, and refuses it without them`, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sy-haproxy-replicas-'));
    try {
      const file = path.join(dir, REPLICA_SET_FILE);
      const text = renderCommittedReplicaSet();
      await writeFile(file, text);
      const names = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1] as string);
      expect(names.length).toBe(REPLICA_SET_BOXES.length * 3);
      const env = Object.fromEntries(names.map((name, i) => [name, `127.0.0.1:${21_000 + i}`]));
      await run('haproxy', ['-c', '-q', '-f', file], { env: { ...process.env, ...env } });
      await expect(run('haproxy', ['-c', '-q', '-f', file], { env: { PATH: process.env.PATH ?? '' } })).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
