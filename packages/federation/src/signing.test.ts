import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StatsDelta } from './delta';
import { publicKeyFromJwk, signDelta, signingKeyFromJwk, verifyDelta, type RegionKeyring } from './signing';

function regionKey(region: string, keyId: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signing: signingKeyFromJwk(region, keyId, privateKey.export({ format: 'jwk' })),
    trusted: { keyId, publicKey: publicKeyFromJwk(publicKey.export({ format: 'jwk' })) },
  };
}

const delta = (region: string, version: number): StatsDelta => ({
  region,
  version,
  issuedAt: 1_700_000_000_000,
  entries: [{ route: 'smart', upstream: 'mock/mock-gpt', requests: 10, successes: 9, latencyMsSum: 900, qualitySum: 2.5, qualityCount: 3 }],
});

describe('signed deltas', () => {
  const a = regionKey('region-a', 'a-1');
  const b = regionKey('region-b', 'b-1');
  const keyring: RegionKeyring = new Map([
    ['region-a', [a.trusted]],
    ['region-b', [b.trusted]],
  ]);

  it('verify what the region signed, byte for byte', () => {
    const signed = signDelta(a.signing, delta('region-a', 1));
    expect(verifyDelta(keyring, signed)).toEqual({ ok: true, delta: delta('region-a', 1) });
  });

  it('refuse a tampered payload, a truncated signature, garbage and a schema violation', () => {
    const signed = signDelta(a.signing, delta('region-a', 1));
    const tampered = Buffer.from(Buffer.from(signed.payload, 'base64url').toString('utf8').replace('"successes":9', '"successes":1'), 'utf8').toString('base64url');
    expect(verifyDelta(keyring, { ...signed, payload: tampered })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelta(keyring, { ...signed, signature: signed.signature.slice(0, 20) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyDelta(keyring, { ...signed, payload: Buffer.from('{not json').toString('base64url') })).toEqual({ ok: false, reason: 'malformed' });
    const impossible = { ...delta('region-a', 2), entries: [{ ...delta('region-a', 2).entries[0], successes: 11 }] };
    expect(verifyDelta(keyring, { ...signed, payload: Buffer.from(JSON.stringify(impossible)).toString('base64url') })).toEqual({ ok: false, reason: 'malformed' });
  });

  it("refuse region B's key signing a delta that claims to be region A's, and an unknown key id", () => {
    const forged = signDelta({ ...b.signing, region: 'region-a', keyId: 'a-1' }, delta('region-a', 5));
    expect(verifyDelta(keyring, forged)).toEqual({ ok: false, reason: 'bad_signature' });
    const unknownId = signDelta({ ...b.signing, region: 'region-a' }, delta('region-a', 5));
    expect(verifyDelta(keyring, unknownId)).toEqual({ ok: false, reason: 'unknown_key' });
    const stranger = regionKey('region-x', 'x-1');
    expect(verifyDelta(keyring, signDelta(stranger.signing, delta('region-x', 1)))).toEqual({ ok: false, reason: 'unknown_key' });
  });

  it('rotation: while both keys are trusted either verifies; once the old is removed only the new does', () => {
    const next = regionKey('region-a', 'a-2');
    const during: RegionKeyring = new Map([['region-a', [a.trusted, next.trusted]]]);
    const after: RegionKeyring = new Map([['region-a', [next.trusted]]]);
    expect(verifyDelta(during, signDelta(a.signing, delta('region-a', 1))).ok).toBe(true);
    expect(verifyDelta(during, signDelta(next.signing, delta('region-a', 2))).ok).toBe(true);
    expect(verifyDelta(after, signDelta(a.signing, delta('region-a', 3)))).toEqual({ ok: false, reason: 'unknown_key' });
    expect(verifyDelta(after, signDelta(next.signing, delta('region-a', 4))).ok).toBe(true);
  });

  it("will not sign a delta of another region with this region's key", () => {
    expect(() => signDelta(a.signing, delta('region-b', 1))).toThrow();
  });
});
