import { sign, verify } from 'node:crypto';
import { configDeltaSchema, type ConfigDelta } from './config-delta';
import type { SignedDelta } from './delta';
import type { RegionKeyring, RegionSigningKey, VerifyFailure } from './signing';

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
  const bytes = Buffer.from(signed.payload, 'base64url');
  const signature = Buffer.from(signed.signature, 'base64url');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = configDeltaSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const key = keyring.get(parsed.data.region)?.find((candidate) => candidate.keyId === signed.keyId);
  if (!key) return { ok: false, reason: 'unknown_key' };
  if (signature.length !== 64 || !verify(null, bytes, key.publicKey, signature)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, delta: parsed.data };
}
