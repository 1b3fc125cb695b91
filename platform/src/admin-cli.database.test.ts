import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase } from '@switchyard/db';
import { createSecretVault, dataKeysPerMasterKey } from '@switchyard/db/secret-vault';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { createLocalKms, generateMasterKey, loadOrCreateMasterKeyring } from '@switchyard/identity/envelope';
import { REPO_ROOT } from './config';

const run = promisify(execFile);
const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(REPO_ROOT, 'platform', 'src', 'admin-cli.ts');

function admin(args: string[], env: Record<string, string>) {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('SWITCHYARD_') && name !== 'DATABASE_URL' && name !== 'REDIS_URL'));
  return run(TSX, [CLI, ...args], { cwd: REPO_ROOT, env: { ...inherited, APOLLO_TELEMETRY_DISABLED: '1', NODE_OPTIONS: '--experimental-wasm-modules', ...env } });
}

describe('npm run admin -- rotate-master-key', () => {
  let database: TestDatabase;
  let dataDir: string;
  const k1 = generateMasterKey();
  const k2 = generateMasterKey();
  const tenants: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(tmpdir(), 'sy-admin-rotate-'));
    const vault = createSecretVault({ db: database.db, kms: createLocalKms({ masterKeys: { k1 }, activeKeyId: 'k1' }) });
    for (const index of [0, 1, 2, 3, 4]) {
      const tenant = await database.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `rotate-cli-${index}`, name: `Rotate ${index}` }, select: { id: true } }));
      tenants.push(tenant.id);
      await vault.setProviderCredential(tenant.id, 'openai', `sk-cli-rotation-${index}-0000`);
    }
  });

  afterAll(async () => {
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('rewraps every data key under SWITCHYARD_MASTER_KEY_ID in batches, with progress; a second run does nothing', async () => {
    const env = { DATABASE_URL: database.url, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_MASTER_KEYS: JSON.stringify({ k1, k2 }), SWITCHYARD_MASTER_KEY_ID: 'k2' };
    const first = await admin(['rotate-master-key', '--batch-size', '2'], env);
    expect(JSON.parse(first.stdout)).toEqual({ rewrapped: 5, remaining: 0, activeKeyId: 'k2' });
    expect(first.stderr).toContain('2 data key(s) rewrapped under k2, 3 left');
    expect(first.stderr).toContain('5 data key(s) rewrapped under k2, 0 left');
    expect(first.stderr).toContain('no data key is wrapped by k1 any more');
    expect(await dataKeysPerMasterKey(database.db)).toEqual(new Map([['k2', 5]]));

    const again = await admin(['rotate-master-key'], env);
    expect(JSON.parse(again.stdout)).toEqual({ rewrapped: 0, remaining: 0, activeKeyId: 'k2' });

    const onlyNew = createSecretVault({ db: database.db, kms: createLocalKms({ masterKeys: { k2 }, activeKeyId: 'k2' }) });
    for (const [index, tenant] of tenants.entries()) expect((await onlyNew.revealProviderCredentials(tenant)).get('openai')).toBe(`sk-cli-rotation-${index}-0000`);
  });

  it('refuses --generate-key when the keys come from the environment, and a bad batch size', async () => {
    const env = { DATABASE_URL: database.url, SWITCHYARD_DATA_DIR: dataDir, SWITCHYARD_MASTER_KEYS: `k2:${k2}` };
    await expect(admin(['rotate-master-key', '--generate-key'], env)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('SWITCHYARD_MASTER_KEYS') });
    await expect(admin(['rotate-master-key', '--batch-size', '0'], env)).rejects.toMatchObject({ code: 2 });
    await expect(admin(['rotate-master-key'], { ...env, SWITCHYARD_MASTER_KEYS: 'k2:tooshort' })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('32 bytes') });
  });

  it('embedded default: --generate-key adds a key to the data-dir keyring and rewraps the PGlite database under it', async () => {
    const embeddedDir = await mkdtemp(path.join(tmpdir(), 'sy-admin-embedded-'));
    try {
      const before = await loadOrCreateMasterKeyring({ dataDir: embeddedDir });
      const db = await createDatabase({ dataDir: path.join(embeddedDir, 'pglite') });
      await db.migrate();
      const tenant = await db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'embedded', name: 'Embedded' }, select: { id: true } }));
      await createSecretVault({ db, kms: createLocalKms(before) }).setProviderCredential(tenant.id, 'openai', 'sk-embedded-secret-7777');
      await db.close();

      const { stdout, stderr } = await admin(['rotate-master-key', '--generate-key'], { SWITCHYARD_DATA_DIR: embeddedDir });
      const after = await loadOrCreateMasterKeyring({ dataDir: embeddedDir });
      expect(after.activeKeyId).not.toBe(before.activeKeyId);
      expect(stderr).toContain(`added ${after.activeKeyId}`);
      expect(JSON.parse(stdout)).toEqual({ rewrapped: 1, remaining: 0, activeKeyId: after.activeKeyId });

      const reopened = await createDatabase({ dataDir: path.join(embeddedDir, 'pglite') });
      try {
        const onlyNew = createLocalKms({ masterKeys: { [after.activeKeyId]: after.masterKeys[after.activeKeyId]! }, activeKeyId: after.activeKeyId });
        expect((await createSecretVault({ db: reopened, kms: onlyNew }).revealProviderCredentials(tenant.id)).get('openai')).toBe('sk-embedded-secret-7777');
      } finally {
        await reopened.close();
      }
    } finally {
      await rm(embeddedDir, { recursive: true, force: true });
    }
  }, 180_000);
});
