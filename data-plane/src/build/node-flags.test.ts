import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DATA_PLANE_NODE_FLAGS } from './node-flags';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };

describe('the data plane node flags', () => {
  it('are the flags `npm start` runs the bundle with', () => {
    const start = packageJson.scripts.start ?? '';
    const nodeCommand = start.slice(start.indexOf('node '));
    const flags = nodeCommand.split(/\s+/).filter((word) => word.startsWith('--') && word !== '--enable-source-maps');
    expect(flags).toEqual([...DATA_PLANE_NODE_FLAGS]);
  });

  it("are the flags the container's CMD runs the bundle with (deploy/src/deployables.ts, generated Dockerfile)", () => {
    const dockerfile = readFileSync(new URL('../../../deploy/docker/data-plane.Dockerfile', import.meta.url), 'utf8');
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
    expect(cmd.filter((word) => word.startsWith('--') && word !== '--enable-source-maps')).toEqual([...DATA_PLANE_NODE_FLAGS]);
  });

  it('are V8 flags this node knows (a misspelt or retired one would be refused at start)', () => {
    const known = new Set(execFileSync(process.execPath, ['--v8-options']).toString().match(/^ {2}--[a-z0-9-]+/gm)?.map((line) => line.trim()));
    expect(known.size).toBeGreaterThan(100);
    for (const flag of DATA_PLANE_NODE_FLAGS) expect(known.has(flag.split('=')[0] as string), flag).toBe(true);
  });
});
