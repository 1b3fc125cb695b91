import { execFile } from 'node:child_process';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../docker/paths';
import { REGION_PAIRS, renderHaproxyConfig, renderRegionPairConfig } from './haproxy-config';

const run = promisify(execFile);
const haproxyInstalled = await run('haproxy', ['-v']).then(
  () => true,
  () => false,
);
// CI installs HAProxy (.ci/run); a developer machine without it skips the syntax check only.
const describeHaproxy = haproxyInstalled || process.env.CI ? describe : describe.skip;

/** Every placeholder of the committed files, bound to loopback addresses. */
function placeholderEnv(text: string): Record<string, string> {
  const names = [...text.matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((match) => match[1] as string);
  return Object.fromEntries(names.map((name, i) => [name, `127.0.0.1:${20_000 + i}`]));
}

describe('HAProxy configuration in front of two regions', () => {
  it.each(REGION_PAIRS)('$file is what the renderer writes (npm run -w @switchyard/deploy haproxy)', async (pair) => {
    const committed = await readFile(path.join(REPO_ROOT, 'deploy', 'haproxy', pair.file), 'utf8');
    expect(committed).toBe(renderRegionPairConfig(pair.primary, pair.backup));
  });

  it("checks every server's /readyz; the other region's servers are backups, all used at once; only unsent requests are retried", () => {
    const text = renderRegionPairConfig('region-a', 'region-b');
    for (const backend of ['data_plane', 'gateway']) {
      const block = text.split(`\nbackend ${backend}\n`)[1]?.split('\nfrontend ')[0] ?? '';
      expect(block).toContain('option httpchk GET /readyz');
      expect(block).toContain('http-check expect status 200');
      expect(block).toContain('option allbackups');
      const servers = block.split('\n').filter((line) => line.trim().startsWith('server '));
      expect(servers).toHaveLength(4);
      expect(servers.filter((line) => line.includes('REGION_A_')).every((line) => !line.endsWith(' backup'))).toBe(true);
      expect(servers.filter((line) => line.includes('REGION_B_')).every((line) => line.endsWith(' backup'))).toBe(true);
    }
    expect(text).toMatch(/^ {4}retry-on conn-failure$/m);
  });

  it('refuses a server name that is not a plain token (it would become configuration)', () => {
    const region = (name: string) => ({ name: 'r', servers: [{ name, address: '127.0.0.1:1' }] });
    expect(() => renderHaproxyConfig({ boxes: [{ name: 'dp', bind: '127.0.0.1:0', primary: region('a1\n    server evil 10.0.0.1:80'), backup: region('b1') }] })).toThrow();
  });
});

describeHaproxy('haproxy -c', () => {
  it.each(REGION_PAIRS)('accepts $file with its addresses set, and refuses it without them', async (pair) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sy-haproxy-'));
    try {
      const file = path.join(dir, pair.file);
      const text = renderRegionPairConfig(pair.primary, pair.backup);
      await writeFile(file, text);
      await run('haproxy', ['-c', '-q', '-f', file], { env: { ...process.env, ...placeholderEnv(text) } });
      await expect(run('haproxy', ['-c', '-q', '-f', file], { env: { PATH: process.env.PATH ?? '' } })).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
