import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalKms, generateMasterKey, KeyIntegrityError, type KeyManagementService } from '@switchyard/identity/envelope';
import type { Database } from '../database';
import { dataKeysPerMasterKey, rotateMasterKey, RotationStuckError, type RotationProgress } from './master-key-rotation';
import { createSecretVault } from './secret-vault';

/** The same behaviour on every database the platform runs on (Postgres and PGlite). */
export function describeSecretVaultContract(name: string, open: () => Promise<{ db: Database; drop(): Promise<void> }>): void {
  describe(`secret vault contract: ${name}`, () => {
    let db: Database;
    let drop: () => Promise<void>;
    const k1 = generateMasterKey();
    const k2 = generateMasterKey();
    const kmsOld = createLocalKms({ masterKeys: { k1 }, activeKeyId: 'k1' });
    const k3Key = generateMasterKey();

    beforeAll(async () => {
      ({ db, drop } = await open());
    });
    afterAll(async () => {
      await drop?.();
    });

    async function newTenant(): Promise<string> {
      const slug = `vault-${randomBytes(4).toString('hex')}`;
      return (await db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
    }

    async function rawRows(tenantId: string): Promise<string> {
      return db.withTenant(tenantId, async (tx) => {
        const rows = await tx.$queryRaw<{ row: string }[]>`
          SELECT row_to_json(t)::text AS "row" FROM "provider_credentials" t
          UNION ALL SELECT row_to_json(w)::text FROM "tenant_alert_webhooks" w
          UNION ALL SELECT row_to_json(k)::text FROM "tenant_data_keys" k`;
        return rows.map((r) => r.row).join('\n');
      });
    }

    it('never stores the plaintext: not in any column, not as hex of its bytes', async () => {
      const vault = createSecretVault({ db, kms: kmsOld });
      const tenant = await newTenant();
      const secret = `sk-live-${randomBytes(12).toString('hex')}`;
      const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
      await vault.setProviderCredential(tenant, 'openai', secret);
      await vault.setAlertWebhook(tenant, 'https://hooks.example.test/alerts', webhookSecret);
      const raw = await rawRows(tenant);
      expect(raw).toContain('openai');
      for (const plaintext of [secret, webhookSecret]) {
        expect(raw).not.toContain(plaintext);
        expect(raw).not.toContain(plaintext.slice(0, -4));
        expect(raw.toLowerCase()).not.toContain(Buffer.from(plaintext.slice(4, 20)).toString('hex'));
      }
      const ciphertext = await db.withTenant(tenant, (tx) => tx.$queryRaw<{ ciphertext: Uint8Array }[]>`SELECT "ciphertext" FROM "provider_credentials"`);
      expect(Buffer.from(ciphertext[0]!.ciphertext).includes(Buffer.from(secret))).toBe(false);
      expect(await vault.revealProviderCredentials(tenant)).toEqual(new Map([['openai', secret]]));
      expect(await vault.revealAlertWebhook(tenant)).toEqual({ url: 'https://hooks.example.test/alerts', secret: webhookSecret });
    });

    it('upserts idempotently and lists metadata only', async () => {
      const vault = createSecretVault({ db, kms: kmsOld });
      const tenant = await newTenant();
      const first = await vault.setProviderCredential(tenant, 'openai', 'sk-first-000000001111');
      expect(first.outcome).toBe('created');
      expect(first.credential).toMatchObject({ provider: 'openai', last4: '1111', rotatedAt: null });
      const again = await vault.setProviderCredential(tenant, 'openai', 'sk-first-000000001111');
      expect(again).toEqual({ ...first, outcome: 'unchanged' });
      const rotated = await vault.setProviderCredential(tenant, 'openai', 'sk-second-00000002222');
      expect(rotated.outcome).toBe('rotated');
      expect(rotated.credential.id).toBe(first.credential.id);
      expect(rotated.credential.rotatedAt).toBeInstanceOf(Date);
      const listed = await vault.listProviderCredentials(tenant);
      expect(listed).toHaveLength(1);
      expect(Object.keys(listed[0]!).sort()).toEqual(['createdAt', 'id', 'last4', 'provider', 'rotatedAt', 'tenantId']);
      expect(await vault.deleteProviderCredential(tenant, 'openai')).toMatchObject({ provider: 'openai' });
      expect(await vault.deleteProviderCredential(tenant, 'openai')).toBeNull();
      expect(await vault.listProviderCredentials(tenant)).toEqual([]);
    });

    it('keeps one data key per tenant and one row per provider under concurrent writes', async () => {
      const vault = createSecretVault({ db, kms: kmsOld });
      const tenant = await newTenant();
      await Promise.all([
        ...['a', 'b', 'c', 'd'].map((provider) => vault.setProviderCredential(tenant, provider, `sk-${provider}-concurrent-secret`)),
        ...[1, 2, 3].map((n) => vault.setProviderCredential(tenant, 'same', `sk-same-concurrent-${n}`)),
      ]);
      const counts = await db.withTenant(tenant, async (tx) => ({ keys: await tx.tenantDataKey.count(), rows: await tx.providerCredential.count() }));
      expect(counts).toEqual({ keys: 1, rows: 5 });
      expect([...(await vault.revealProviderCredentials(tenant)).keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'same']);
    });

    it('isolates tenants: B sees none of A, and A ciphertext copied into B (or into another provider row) does not decrypt', async () => {
      const vault = createSecretVault({ db, kms: kmsOld });
      const a = await newTenant();
      const b = await newTenant();
      await vault.setProviderCredential(a, 'openai', 'sk-tenant-a-secret-aaaa');
      await vault.setProviderCredential(a, 'anthropic', 'sk-tenant-a-anthropic-cccc');
      await vault.setProviderCredential(b, 'openai', 'sk-tenant-b-secret-bbbb');
      expect(await db.withTenant(b, (tx) => tx.providerCredential.count({ where: { tenantId: a } }))).toBe(0);
      await expect(db.withTenant(b, (tx) => tx.providerCredential.create({ data: { tenantId: a, provider: 'x', ciphertext: new Uint8Array(16), nonce: new Uint8Array(12), dataKeyId: '00000000-0000-0000-0000-000000000000', last4: '', fingerprint: '' } }))).rejects.toThrow();

      const stolen = await db.withTenant(a, (tx) => tx.providerCredential.findUniqueOrThrow({ where: { tenantId_provider: { tenantId: a, provider: 'openai' } }, select: { ciphertext: true, nonce: true, dataKeyId: true } }));
      // Into B's row, keeping B's data key.
      await db.withTenant(b, (tx) => tx.providerCredential.updateMany({ where: { provider: 'openai' }, data: { ciphertext: stolen.ciphertext, nonce: stolen.nonce } }));
      await expect(vault.revealProviderCredentials(b)).rejects.toBeInstanceOf(KeyIntegrityError);
      // Into B's row with A's data key id as well: B cannot even see that key (RLS), so nothing decrypts.
      await db.withTenant(b, (tx) => tx.providerCredential.updateMany({ where: { provider: 'openai' }, data: { dataKeyId: stolen.dataKeyId } }));
      await expect(vault.revealProviderCredentials(b)).rejects.toThrow();
      // Within A: the openai ciphertext moved into the anthropic row.
      await db.withTenant(a, (tx) => tx.providerCredential.updateMany({ where: { provider: 'anthropic' }, data: { ciphertext: stolen.ciphertext, nonce: stolen.nonce } }));
      await expect(vault.revealProviderCredentials(a)).rejects.toBeInstanceOf(KeyIntegrityError);
    });

    it('rotates the master key: reads work before, during and after; every data key is rewrapped; the old key can then go', async () => {
      const keysBefore = await dataKeysPerMasterKey(db);
      const before = createSecretVault({ db, kms: kmsOld });
      const tenants = await Promise.all([1, 2, 3, 4, 5].map(() => newTenant()));
      for (const [index, tenant] of tenants.entries()) await before.setProviderCredential(tenant, 'openai', `sk-rotate-${index}-000000`);

      const both = createLocalKms({ masterKeys: { k1, k2 }, activeKeyId: 'k2' });
      const during = createSecretVault({ db, kms: both });
      expect((await during.revealProviderCredentials(tenants[0]!)).get('openai')).toBe('sk-rotate-0-000000');

      const progress: RotationProgress[] = [];
      const result = await rotateMasterKey({ db, kms: both, batchSize: 2, onProgress: (p) => progress.push(p) });
      const total = [...keysBefore.values()].reduce((sum, n) => sum + n, 0) + tenants.length;
      expect(result.rewrapped).toBe(total);
      expect(progress.map((p) => p.remaining)).toEqual(progress.map((p) => total - p.rewrapped));
      expect(progress.at(-1)).toMatchObject({ rewrapped: total, remaining: 0, activeKeyId: 'k2' });
      expect(await dataKeysPerMasterKey(db)).toEqual(new Map([['k2', total]]));
      expect((await rotateMasterKey({ db, kms: both })).rewrapped).toBe(0);

      const after = createSecretVault({ db, kms: createLocalKms({ masterKeys: { k2 }, activeKeyId: 'k2' }) });
      for (const [index, tenant] of tenants.entries()) expect((await after.revealProviderCredentials(tenant)).get('openai')).toBe(`sk-rotate-${index}-000000`);
    });

    it('resumes a rotation that crashed half-way; nothing is unreadable meanwhile', async () => {
      const k3 = k3Key;
      const current = createLocalKms({ masterKeys: { k2, k3 }, activeKeyId: 'k3' });
      const own = await Promise.all([1, 2, 3, 4].map(() => newTenant()));
      const writer = createSecretVault({ db, kms: createLocalKms({ masterKeys: { k2 }, activeKeyId: 'k2' }) });
      for (const [index, tenant] of own.entries()) await writer.setProviderCredential(tenant, 'openai', `sk-crash-${index}-000000`);
      let wraps = 0;
      const crashing: KeyManagementService = {
        activeKeyId: 'k3',
        unwrap: (wrapped) => current.unwrap(wrapped),
        wrap: (dataKey) => (++wraps > 3 ? Promise.reject(new Error('process killed')) : current.wrap(dataKey)),
      };
      await expect(rotateMasterKey({ db, kms: crashing, batchSize: 2 })).rejects.toBeInstanceOf(RotationStuckError);
      const mixed = await dataKeysPerMasterKey(db);
      expect(mixed.get('k3')).toBe(3);
      expect(mixed.get('k2')).toBeGreaterThan(0);

      // Mid-rotation, a replica holding both keys reads every tenant, rewrapped or not.
      const reader = createSecretVault({ db, kms: current });
      for (const [index, tenant] of own.entries()) expect((await reader.revealProviderCredentials(tenant)).get('openai')).toBe(`sk-crash-${index}-000000`);

      const resumed = await rotateMasterKey({ db, kms: current, batchSize: 2 });
      expect(resumed.rewrapped).toBe(mixed.get('k2'));
      const onlyK3 = createSecretVault({ db, kms: createLocalKms({ masterKeys: { k3 }, activeKeyId: 'k3' }) });
      expect(await dataKeysPerMasterKey(db)).toEqual(new Map([['k3', [...mixed.values()].reduce((s, n) => s + n, 0)]]));
      for (const [index, tenant] of own.entries()) expect((await onlyK3.revealProviderCredentials(tenant)).get('openai')).toBe(`sk-crash-${index}-000000`);
    });

    it('two concurrent rotations rewrap each data key exactly once', async () => {
      const k6 = generateMasterKey();
      // Picks up where the previous test left off: every data key under k3.
      expect([...(await dataKeysPerMasterKey(db)).keys()]).toEqual(['k3']);
      const total = [...(await dataKeysPerMasterKey(db)).values()].reduce((sum, n) => sum + n, 0);
      const kmsOf = () => createLocalKms({ masterKeys: { k3: k3Key, k6 }, activeKeyId: 'k6' });
      const [first, second] = await Promise.all([rotateMasterKey({ db, kms: kmsOf(), batchSize: 3 }), rotateMasterKey({ db, kms: kmsOf(), batchSize: 3 })]);
      expect(first.rewrapped + second.rewrapped).toBe(total);
      expect(await dataKeysPerMasterKey(db)).toEqual(new Map([['k6', total]]));
    });

    it('a rotation that meets a key whose master key is gone stops with RotationStuckError instead of looping', async () => {
      const tenant = await newTenant();
      const k4 = generateMasterKey();
      await createSecretVault({ db, kms: createLocalKms({ masterKeys: { k4 }, activeKeyId: 'k4' }) }).setProviderCredential(tenant, 'openai', 'sk-orphaned-key-0000');
      const k5 = generateMasterKey();
      await expect(rotateMasterKey({ db, kms: createLocalKms({ masterKeys: { k5 }, activeKeyId: 'k5' }) })).rejects.toBeInstanceOf(RotationStuckError);
      await expect(rotateMasterKey({ db, kms: createLocalKms({ masterKeys: { k5 }, activeKeyId: 'k5' }), batchSize: 0 })).rejects.toThrow(/batchSize/);
    });
  });
}
