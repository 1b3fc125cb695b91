import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  exportInternalKeyPair,
  generateInternalKeyPair,
  importInternalPrivateKey,
  importInternalPublicKey,
  type InternalKeyPair,
} from '@switchyard/identity';

/**
 * The gateway's Ed25519 signing key for internal tokens. Kept in the data dir (mode 0600) so every
 * process of one installation (gateway, subgraphs) agrees on it across restarts.
 */
export async function loadOrCreateInternalKeys(dataDir: string): Promise<InternalKeyPair> {
  const file = path.join(dataDir, 'keys', 'internal-token.jwk.json');
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { privateJwk: Parameters<typeof importInternalPrivateKey>[0]; publicJwk: Parameters<typeof importInternalPublicKey>[0] };
    return { privateKey: await importInternalPrivateKey(stored.privateJwk), publicKey: await importInternalPublicKey(stored.publicJwk) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const keys = await generateInternalKeyPair();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, JSON.stringify(await exportInternalKeyPair(keys)), { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs so both sign and verify with one key.
    if (error.code === 'EEXIST') return;
    throw error;
  });
  return loadOrCreateInternalKeys(dataDir);
}
