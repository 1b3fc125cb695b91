import { lastFour, openSecret, sealSecret, secretFingerprint, type KeyManagementService } from '@switchyard/identity/envelope';
import type { Database, TenantTx } from '../database';
import { createDataKeyRing, type DataKeyRow } from './data-keys';

/**
 * Tenant secrets at rest (provider credentials, alert-webhook signing secrets): sealed with the
 * tenant's data key, which is stored only wrapped by a master key (KMS port). The only code that
 * touches those tables. Every query runs under `withTenant`, so row-level security confines it.
 * Callers authorize; this returns metadata, and plaintext only from the explicit `reveal…` calls.
 */
export interface ProviderCredentialRecord {
  id: string;
  tenantId: string;
  provider: string;
  /** Last four characters of the secret ('' for short secrets). */
  last4: string;
  createdAt: Date;
  /** When the secret last changed after creation; null if never. */
  rotatedAt: Date | null;
}

export interface AlertWebhookRecord {
  tenantId: string;
  url: string;
  secretLast4: string;
  createdAt: Date;
  updatedAt: Date;
}

export type SecretWriteOutcome = 'created' | 'rotated' | 'unchanged';

export interface SecretVault {
  /** Idempotent: the same secret again is `unchanged` and writes nothing. */
  setProviderCredential(tenantId: string, provider: string, secret: string): Promise<{ credential: ProviderCredentialRecord; outcome: SecretWriteOutcome }>;
  /** The removed credential, or null when there was none. */
  deleteProviderCredential(tenantId: string, provider: string): Promise<ProviderCredentialRecord | null>;
  listProviderCredentials(tenantId: string): Promise<ProviderCredentialRecord[]>;
  /** Provider name → plaintext secret, for the data plane's credential cache. */
  revealProviderCredentials(tenantId: string): Promise<Map<string, string>>;
  /** Tenants that have at least one provider credential (ids only). */
  tenantsWithProviderCredentials(): Promise<string[]>;
  setAlertWebhook(tenantId: string, url: string, secret: string): Promise<{ webhook: AlertWebhookRecord; outcome: SecretWriteOutcome }>;
  alertWebhook(tenantId: string): Promise<AlertWebhookRecord | null>;
  /** Url and signing secret, for whatever sends the alerts. */
  revealAlertWebhook(tenantId: string): Promise<{ url: string; secret: string } | null>;
}

export interface SecretVaultDeps {
  db: Database;
  kms: KeyManagementService;
  now?: () => Date;
}

export const providerCredentialPurpose = (provider: string): string => `provider-credential:${provider}`;
export const ALERT_WEBHOOK_PURPOSE = 'alert-webhook-secret';

const credentialSelect = { id: true, tenantId: true, provider: true, last4: true, createdAt: true, rotatedAt: true } as const;
const webhookSelect = { tenantId: true, url: true, secretLast4: true, createdAt: true, updatedAt: true } as const;
/** Prisma's Bytes input wants a plain ArrayBuffer-backed view (a Buffer may sit on a shared pool). */
const column = (bytes: Buffer): Uint8Array<ArrayBuffer> => new Uint8Array(bytes);
const dataKeySelect = { dataKey: { select: { id: true, masterKeyId: true, wrappedKey: true } } } as const;

export function createSecretVault(deps: SecretVaultDeps): SecretVault {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const ring = createDataKeyRing(deps.kms);

  async function open(row: { ciphertext: Uint8Array; nonce: Uint8Array; dataKey: DataKeyRow }, tenantId: string, purpose: string): Promise<string> {
    const key = await ring.unwrap(row.dataKey);
    return openSecret(key, { nonce: Buffer.from(row.nonce), ciphertext: Buffer.from(row.ciphertext) }, { tenantId, purpose, dataKeyId: row.dataKey.id });
  }

  /** Is `secret` what the row holds? Compared by keyed fingerprint under the row's own data key. */
  async function sameSecret(tx: TenantTx, dataKeyId: string, fingerprint: string, secret: string): Promise<boolean> {
    const row = await tx.tenantDataKey.findUnique({ where: { id: dataKeyId }, select: { id: true, masterKeyId: true, wrappedKey: true } });
    return row !== null && secretFingerprint(await ring.unwrap(row), secret) === fingerprint;
  }

  return {
    setProviderCredential(tenantId, provider, secret) {
      return db.withTenant(tenantId, async (tx) => {
        const dataKey = await ring.currentForWrite(tx, tenantId);
        const existing = await tx.providerCredential.findUnique({ where: { tenantId_provider: { tenantId, provider } }, select: { ...credentialSelect, dataKeyId: true, fingerprint: true } });
        if (existing && (await sameSecret(tx, existing.dataKeyId, existing.fingerprint, secret))) {
          const { dataKeyId: _dataKeyId, fingerprint: _fingerprint, ...credential } = existing;
          return { credential, outcome: 'unchanged' as const };
        }
        const sealed = sealSecret(dataKey.key, secret, { tenantId, purpose: providerCredentialPurpose(provider), dataKeyId: dataKey.id });
        const fields = { ciphertext: column(sealed.ciphertext), nonce: column(sealed.nonce), dataKeyId: dataKey.id, last4: lastFour(secret), fingerprint: secretFingerprint(dataKey.key, secret) };
        if (existing) {
          const credential = await tx.providerCredential.update({ where: { id: existing.id }, data: { ...fields, rotatedAt: now() }, select: credentialSelect });
          return { credential, outcome: 'rotated' as const };
        }
        const credential = await tx.providerCredential.create({ data: { tenantId, provider, ...fields, createdAt: now() }, select: credentialSelect });
        return { credential, outcome: 'created' as const };
      });
    },

    deleteProviderCredential(tenantId, provider) {
      return db.withTenant(tenantId, async (tx) => {
        const existing = await tx.providerCredential.findUnique({ where: { tenantId_provider: { tenantId, provider } }, select: credentialSelect });
        if (!existing) return null;
        await tx.providerCredential.deleteMany({ where: { id: existing.id } });
        return existing;
      });
    },

    listProviderCredentials(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.providerCredential.findMany({ where: { tenantId }, select: credentialSelect, orderBy: { provider: 'asc' } }));
    },

    async revealProviderCredentials(tenantId) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.providerCredential.findMany({ where: { tenantId }, select: { provider: true, ciphertext: true, nonce: true, ...dataKeySelect } }),
      );
      const secrets = new Map<string, string>();
      for (const row of rows) secrets.set(row.provider, await open(row, tenantId, providerCredentialPurpose(row.provider)));
      return secrets;
    },

    async tenantsWithProviderCredentials() {
      const rows = await db.withPlatform((tx) => tx.$queryRaw<{ tenant_id: string }[]>`SELECT "tenant_id"::text AS "tenant_id" FROM switchyard_tenants_with_provider_credentials()`);
      return rows.map((row) => row.tenant_id);
    },

    setAlertWebhook(tenantId, url, secret) {
      return db.withTenant(tenantId, async (tx) => {
        const dataKey = await ring.currentForWrite(tx, tenantId);
        const existing = await tx.tenantAlertWebhook.findUnique({ where: { tenantId }, select: { ...webhookSelect, secretCiphertext: true, secretNonce: true, ...dataKeySelect } });
        if (existing && existing.url === url) {
          const current = await open({ ciphertext: existing.secretCiphertext, nonce: existing.secretNonce, dataKey: existing.dataKey }, tenantId, ALERT_WEBHOOK_PURPOSE);
          if (current === secret) {
            const { secretCiphertext: _c, secretNonce: _n, dataKey: _k, ...webhook } = existing;
            return { webhook, outcome: 'unchanged' as const };
          }
        }
        const sealed = sealSecret(dataKey.key, secret, { tenantId, purpose: ALERT_WEBHOOK_PURPOSE, dataKeyId: dataKey.id });
        const fields = { url, secretCiphertext: column(sealed.ciphertext), secretNonce: column(sealed.nonce), dataKeyId: dataKey.id, secretLast4: lastFour(secret), updatedAt: now() };
        const webhook = await tx.tenantAlertWebhook.upsert({ where: { tenantId }, create: { tenantId, ...fields, createdAt: now() }, update: fields, select: webhookSelect });
        return { webhook, outcome: existing ? ('rotated' as const) : ('created' as const) };
      });
    },

    alertWebhook(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.tenantAlertWebhook.findUnique({ where: { tenantId }, select: webhookSelect }));
    },

    async revealAlertWebhook(tenantId) {
      const row = await db.withTenant(tenantId, (tx) =>
        tx.tenantAlertWebhook.findUnique({ where: { tenantId }, select: { url: true, secretCiphertext: true, secretNonce: true, ...dataKeySelect } }),
      );
      if (!row) return null;
      return { url: row.url, secret: await open({ ciphertext: row.secretCiphertext, nonce: row.secretNonce, dataKey: row.dataKey }, tenantId, ALERT_WEBHOOK_PURPOSE) };
    },
  };
}

