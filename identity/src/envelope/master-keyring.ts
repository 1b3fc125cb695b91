import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateMasterKey, localKmsConfigSchema } from './local-kms';
import { parseMasterKeysEnv } from './master-keys-env';
import { z } from 'zod';

/**
 * The master keys that wrap every tenant's data key (KMS port, local implementation). In
 * production they come from the environment (SWITCHYARD_MASTER_KEYS, SWITCHYARD_MASTER_KEY_ID);
 * the embedded default generates one and keeps it in the data dir (mode 0600), like the internal
 * signing key. A keyring holds the current key plus older ones that may still wrap data keys
 * until `npm run admin -- rotate-master-key` has rewrapped them.
 */
export interface MasterKeyring {
  masterKeys: Record<string, string>;
  activeKeyId: string;
  source: 'environment' | 'data-dir';
}

const keyringFileSchema = z.object({ activeKeyId: z.string(), masterKeys: z.record(z.string(), z.string()) });

export function masterKeyringFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'master-keys.json');
}

const newKeyId = (): string => `local-${new Date().toISOString().slice(0, 10).replaceAll('-', '')}-${randomBytes(3).toString('hex')}`;

async function readKeyringFile(file: string): Promise<{ masterKeys: Record<string, string>; activeKeyId: string } | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = keyringFileSchema.parse(JSON.parse(text));
  const checked = localKmsConfigSchema.safeParse(parsed);
  if (!checked.success) throw new Error(`${file}: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
  return parsed;
}

export async function loadOrCreateMasterKeyring(options: { dataDir: string; keys?: string | undefined; activeKeyId?: string | undefined }): Promise<MasterKeyring> {
  if (options.keys) return { ...parseMasterKeysEnv(options.keys, options.activeKeyId), source: 'environment' };
  const file = masterKeyringFile(options.dataDir);
  const stored = await readKeyringFile(file);
  if (stored) return { ...stored, source: 'data-dir' };
  const activeKeyId = newKeyId();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify({ activeKeyId, masterKeys: { [activeKeyId]: generateMasterKey() } }, null, 2), { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs so both wrap and unwrap with one keyring.
    if (error.code !== 'EEXIST') throw error;
  });
  return loadOrCreateMasterKeyring({ dataDir: options.dataDir });
}

/**
 * Embedded keyring only: adds a fresh key and makes it current, keeping the old ones for
 * unwrapping. Written to a temporary file and renamed, so a crash never leaves half a keyring.
 */
export async function addGeneratedMasterKey(dataDir: string): Promise<{ activeKeyId: string; previousKeyId: string }> {
  const file = masterKeyringFile(dataDir);
  const stored = await readKeyringFile(file);
  if (!stored) throw new Error(`no embedded keyring at ${file} (start the platform once, or configure SWITCHYARD_MASTER_KEYS)`);
  const activeKeyId = newKeyId();
  const next = { activeKeyId, masterKeys: { ...stored.masterKeys, [activeKeyId]: generateMasterKey() } };
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(next, null, 2), { mode: 0o600 });
  await rename(temporary, file);
  return { activeKeyId, previousKeyId: stored.activeKeyId };
}
