import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastLandedLockfile } from './last-landed';

const run = promisify(execFile);

// A real throwaway git repository: main with lockfile changes, a merge, and an unrelated commit.
describe('lastLandedLockfile', () => {
  let dir: string;
  const git = async (...args: string[]) => (await run('git', args, { cwd: dir })).stdout.trim();
  const commit = async (message: string, lock?: string) => {
    if (lock !== undefined) await writeFile(path.join(dir, 'package-lock.json'), lock);
    await writeFile(path.join(dir, `${message.replace(/\W/g, '-')}.txt`), message);
    await git('add', '-A');
    await git('commit', '-q', '-m', message);
    return git('rev-parse', 'HEAD');
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'last-landed-'));
    await git('init', '-q', '-b', 'main');
    await git('config', 'user.email', 'ci@example.invalid');
    await git('config', 'user.name', 'ci');
    await git('config', 'commit.gpgsign', 'false');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('has none on a first commit', async () => {
    await commit('first', 'v1');
    expect(await lastLandedLockfile(dir, 'package-lock.json')).toBeUndefined();
  });

  it('is HEAD^1 when the tip changed the lockfile', async () => {
    const first = await git('rev-parse', 'HEAD');
    await commit('second', 'v2');
    expect(await lastLandedLockfile(dir, 'package-lock.json')).toMatchObject({ commit: first, text: 'v1' });
  });

  it('after a merge that changed it: main before the merge (first parent)', async () => {
    const mainBefore = await git('rev-parse', 'HEAD');
    await git('checkout', '-q', '-b', 'feature');
    await commit('feature', 'v3');
    await git('checkout', '-q', 'main');
    await commit('main moves on');
    await git('merge', '-q', '--no-ff', '-m', 'merge feature', 'feature');
    const landed = await lastLandedLockfile(dir, 'package-lock.json');
    expect(landed?.text).toBe('v2');
    expect(landed?.commit).not.toBe(mainBefore); // the first parent is main's tip, which has v2
    expect(landed?.commit).toBe(await git('rev-parse', 'HEAD^1'));
  });

  it('when the tip did not touch it: the base of the last landing that did', async () => {
    const merge = await git('rev-parse', 'HEAD');
    await commit('docs only');
    const landed = await lastLandedLockfile(dir, 'package-lock.json');
    expect(landed).toMatchObject({ text: 'v2', commit: await git('rev-parse', `${merge}^1`) });
  });

  it('an explicit ref wins; an unknown one gives none', async () => {
    expect(await lastLandedLockfile(dir, 'package-lock.json', 'main~3')).toMatchObject({ text: 'v2' });
    expect(await lastLandedLockfile(dir, 'package-lock.json', 'no-such-ref')).toBeUndefined();
  });
});
