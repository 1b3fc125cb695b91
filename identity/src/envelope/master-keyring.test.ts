import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateMasterKey } from './local-kms';
import { addGeneratedMasterKey, loadOrCreateMasterKeyring, masterKeyringFile } from './master-keyring';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sy-master-keys-'));
  dirs.push(dir);
  return dir;
}

describe('master keys', () => {
  it('the embedded default generates one key, keeps it (0600) and returns the same one next time', async () => {
    const dir = await tempDir();
    const first = await loadOrCreateMasterKeyring({ dataDir: dir });
    expect(first.source).toBe('data-dir');
    expect(Object.keys(first.masterKeys)).toEqual([first.activeKeyId]);
    expect((await stat(masterKeyringFile(dir))).mode & 0o777).toBe(0o600);
    expect(await loadOrCreateMasterKeyring({ dataDir: dir })).toEqual(first);
    const concurrent = await Promise.all([1, 2, 3].map(async () => loadOrCreateMasterKeyring({ dataDir: await tempDir() })));
    expect(new Set(concurrent.map((ring) => ring.activeKeyId)).size).toBe(3);
  });

  it('environment keys win over the data dir', async () => {
    const dir = await tempDir();
    const key = generateMasterKey();
    expect(await loadOrCreateMasterKeyring({ dataDir: dir, keys: `prod:${key}` })).toEqual({ masterKeys: { prod: key }, activeKeyId: 'prod', source: 'environment' });
  });

  it('adds a generated key as current and keeps the old one for unwrapping', async () => {
    const dir = await tempDir();
    const before = await loadOrCreateMasterKeyring({ dataDir: dir });
    const { activeKeyId, previousKeyId } = await addGeneratedMasterKey(dir);
    expect(previousKeyId).toBe(before.activeKeyId);
    const after = await loadOrCreateMasterKeyring({ dataDir: dir });
    expect(after.activeKeyId).toBe(activeKeyId);
    expect(after.masterKeys[previousKeyId]).toBe(before.masterKeys[previousKeyId]);
    expect(JSON.parse(await readFile(masterKeyringFile(dir), 'utf8'))).toMatchObject({ activeKeyId });
    await expect(addGeneratedMasterKey(await tempDir())).rejects.toThrow(/no embedded keyring/);
  });
});
