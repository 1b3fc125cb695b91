import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { AuditKeys } from './audit-ledger';

/**
 * The ledger's secrets as one JSON document: master key and subject HMAC key (base64, 32 bytes)
 * and the Ed25519 signing key (PKCS#8 PEM). Production passes it in AUDIT_KEYS; the embedded
 * default keeps it in the data directory (created on first start, mode 0600).
 */
const keysDocumentSchema = z.object({
  masterKey: z.base64().refine((value) => Buffer.from(value, 'base64').length === 32, 'masterKey must be 32 bytes (base64)'),
  subjectHmacKey: z.base64().refine((value) => Buffer.from(value, 'base64').length >= 32, 'subjectHmacKey must be at least 32 bytes (base64)'),
  signingKeyPem: z.string().includes('PRIVATE KEY', { message: 'signingKeyPem must be a PKCS#8 PEM private key' }),
});

export type AuditKeysDocument = z.output<typeof keysDocumentSchema>;

export function generateAuditKeysDocument(): AuditKeysDocument {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    masterKey: randomBytes(32).toString('base64'),
    subjectHmacKey: randomBytes(32).toString('base64'),
    signingKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export function auditKeysFromJson(text: string): AuditKeys {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('audit keys must be JSON: {"masterKey","subjectHmacKey","signingKeyPem"}');
  }
  const document = keysDocumentSchema.parse(json);
  const signingKey = createPrivateKey(document.signingKeyPem);
  if (signingKey.asymmetricKeyType !== 'ed25519') throw new Error('the audit signing key must be Ed25519');
  return {
    masterKey: Buffer.from(document.masterKey, 'base64'),
    subjectHmacKey: Buffer.from(document.subjectHmacKey, 'base64'),
    signingKey,
    publicKey: createPublicKey(signingKey),
  };
}

export const AUDIT_KEYS_FILE = 'audit-keys.json';

/** Reads `<dataDir>/audit-keys.json`, creating it on first use. */
export async function loadOrCreateAuditKeys(dataDir: string): Promise<AuditKeys> {
  const file = path.join(dataDir, AUDIT_KEYS_FILE);
  try {
    return auditKeysFromJson(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  try {
    await writeFile(file, JSON.stringify(generateAuditKeysDocument(), null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return auditKeysFromJson(await readFile(file, 'utf8'));
}

export function generateAuditKeys(): AuditKeys {
  return auditKeysFromJson(JSON.stringify(generateAuditKeysDocument()));
}
