import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ConfigDelta } from './config-delta';
import { signConfigDelta, verifyConfigDelta } from './config-signing';
import { publicKeyFromJwk, signDelta, signingKeyFromJwk, verifyDelta, type RegionKeyring } from './signing';

function keyPair(region: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { signing: signingKeyFromJwk(region, `${region}-1`, privateKey.export({ format: 'jwk' })), trusted: { keyId: `${region}-1`, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) } };
}
const a = keyPair('region-a');
const b = keyPair('region-b');
const keyring: RegionKeyring = new Map([
  ['region-a', [a.trusted]],
  ['region-b', [b.trusted]],
]);
const delta: ConfigDelta = { feed: 'config', region: 'region-a', version: 5, issuedAt: 5, ops: [{ op: 'tenant.delete', tenantId: randomUUID() }] };

describe('config delta signatures', () => {
  it('verifies what the claimed region signed, exactly', () => {
    expect(verifyConfigDelta(keyring, signConfigDelta(a.signing, delta))).toEqual({ ok: true, delta });
  });

  it('refuses tampered bytes, a key of another region, unknown keys and payloads that are not config deltas', () => {
    const signed = signConfigDelta(a.signing, delta);
    const tampered = { ...signed, payload: Buffer.from(JSON.stringify({ ...delta, version: 6 })).toString('base64url') };
    expect(verifyConfigDelta(keyring, tampered)).toEqual({ ok: false, reason: 'bad_signature' });
    // Region B's key over a delta that claims region A: looked up under A, B's key id is unknown there.
    const claimed = { keyId: b.signing.keyId, payload: signed.payload, signature: signConfigDelta(b.signing, { ...delta, region: 'region-b' }).signature };
    expect(verifyConfigDelta(keyring, claimed)).toEqual({ ok: false, reason: 'unknown_key' });
    expect(() => signConfigDelta(b.signing, delta)).toThrow(/cannot be signed/);
    expect(verifyConfigDelta(keyring, { ...signed, keyId: 'region-a-9' })).toEqual({ ok: false, reason: 'unknown_key' });
    expect(verifyConfigDelta(keyring, { ...signed, signature: 'AAAA' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyConfigDelta(keyring, { ...signed, payload: Buffer.from('{not json').toString('base64url') })).toEqual({ ok: false, reason: 'malformed' });
    const empty = signConfigDelta(a.signing, { ...delta, ops: [] });
    expect(verifyConfigDelta(keyring, empty)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('keeps the two feeds apart: a stats delta is no config delta, nor the reverse', () => {
    const stats = signDelta(a.signing, { region: 'region-a', version: 7, issuedAt: 7, entries: [] });
    expect(verifyConfigDelta(keyring, stats)).toEqual({ ok: false, reason: 'malformed' });
    expect(verifyDelta(keyring, signConfigDelta(a.signing, delta))).toEqual({ ok: false, reason: 'malformed' });
  });
});
