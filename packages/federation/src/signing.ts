import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { z } from 'zod';
import { statsDeltaSchema, type SignedDelta, type StatsDelta } from './delta';

/** One region's signing key (its private half stays in that region). */
export interface RegionSigningKey {
  region: string;
  keyId: string;
  privateKey: KeyObject;
}

/** The public keys a receiver trusts, per region; two per region during a rotation. */
export type RegionKeyring = ReadonlyMap<string, ReadonlyArray<{ keyId: string; publicKey: KeyObject }>>;

/** Ed25519 keys from JWKs (how the Secrets hold them, like the internal token key pair). */
export function signingKeyFromJwk(region: string, keyId: string, jwk: JsonWebKey): RegionSigningKey {
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`region ${region} key ${keyId}: not an Ed25519 key`);
  return { region, keyId, privateKey };
}

export function publicKeyFromJwk(jwk: JsonWebKey): KeyObject {
  const publicKey = createPublicKey({ key: jwk, format: 'jwk' });
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 public key');
  return publicKey;
}

export function signDelta(key: RegionSigningKey, delta: StatsDelta): SignedDelta {
  if (delta.region !== key.region) throw new Error(`a delta of ${delta.region} cannot be signed with ${key.region}'s key`);
  const bytes = Buffer.from(JSON.stringify(delta), 'utf8');
  return { keyId: key.keyId, payload: bytes.toString('base64url'), signature: sign(null, bytes, key.privateKey).toString('base64url') };
}

export type VerifyFailure = 'malformed' | 'unknown_key' | 'bad_signature';

/**
 * The delta inside `signed`, when a key the keyring holds for the region the delta names signed
 * exactly these bytes. A delta signed by region B's key that claims to be region A's is refused:
 * the key is looked up under the claimed region.
 */
export function verifyDelta(keyring: RegionKeyring, signed: SignedDelta): { ok: true; delta: StatsDelta } | { ok: false; reason: VerifyFailure } {
  return verifySignedPayload(keyring, signed, statsDeltaSchema);
}

/** What `verifyDelta` does, for any signed payload that names its region (stats and config deltas). */
export function verifySignedPayload<T extends { region: string }>(keyring: RegionKeyring, signed: SignedDelta, schema: z.ZodType<T>): { ok: true; delta: T } | { ok: false; reason: VerifyFailure } {
  const bytes = Buffer.from(signed.payload, 'base64url');
  const signature = Buffer.from(signed.signature, 'base64url');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'malformed' };
  const key = keyring.get(parsed.data.region)?.find((candidate) => candidate.keyId === signed.keyId);
  if (!key) return { ok: false, reason: 'unknown_key' };
  // Ed25519 signatures are 64 bytes; node throws on other lengths, which is a bad signature too.
  if (signature.length !== 64 || !verify(null, bytes, key.publicKey, signature)) return { ok: false, reason: 'bad_signature' };
  return { ok: true, delta: parsed.data };
}
