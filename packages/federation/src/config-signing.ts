import { sign } from 'node:crypto';
import { configDeltaSchema, type ConfigDelta } from './config-delta';
import type { SignedDelta } from './delta';
import { verifySignedPayload, type RegionKeyring, type RegionSigningKey, type VerifyFailure } from './signing';

/**
 * Config deltas are signed like stats deltas (Ed25519 over the exact payload bytes, the key looked
 * up under the region the payload claims) with the same region keys; the payload's `feed: 'config'`
 * keeps the two feeds apart.
 */
export function signConfigDelta(key: RegionSigningKey, delta: ConfigDelta): SignedDelta {
  if (delta.region !== key.region) throw new Error(`a config delta of ${delta.region} cannot be signed with ${key.region}'s key`);
  const bytes = Buffer.from(JSON.stringify(delta), 'utf8');
  return { keyId: key.keyId, payload: bytes.toString('base64url'), signature: sign(null, bytes, key.privateKey).toString('base64url') };
}

export function verifyConfigDelta(keyring: RegionKeyring, signed: SignedDelta): { ok: true; delta: ConfigDelta } | { ok: false; reason: VerifyFailure } {
  return verifySignedPayload(keyring, signed, configDeltaSchema);
}
