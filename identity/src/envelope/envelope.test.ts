import { describe, expect, it } from 'vitest';
import { createEnvelope, type Envelope } from './envelope';
import { KeyIntegrityError, KeyUnavailableError, type KeyManagementService, type WrappedKey } from './key-management-service';
import { createLocalKms, generateMasterKey } from './local-kms';

const tenantA = { tenantId: 'tenant-a', purpose: 'provider:openai' };
const tenantB = { tenantId: 'tenant-b', purpose: 'provider:openai' };

function countingKms(inner: KeyManagementService): KeyManagementService & { wraps: number } {
  const kms = {
    wraps: 0,
    get activeKeyId() {
      return inner.activeKeyId;
    },
    wrap(dataKey: Uint8Array) {
      kms.wraps += 1;
      return inner.wrap(dataKey);
    },
    unwrap: (wrapped: WrappedKey) => inner.unwrap(wrapped),
  };
  return kms;
}

describe('envelope encryption', () => {
  it('round-trips and never stores the plaintext', async () => {
    const envelope = createEnvelope(createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' }));
    const sealed = await envelope.encrypt('sk-secret-123', tenantA);
    expect(JSON.stringify(sealed)).not.toContain('sk-secret-123');
    expect(sealed.keyId).toBe('k1');
    expect((await envelope.decrypt(sealed, tenantA)).toString('utf8')).toBe('sk-secret-123');
  });

  it('refuses another tenant or another purpose (envelope copied to the wrong row)', async () => {
    const envelope = createEnvelope(createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' }));
    const sealed = await envelope.encrypt('sk-secret', tenantA);
    await expect(envelope.decrypt(sealed, tenantB)).rejects.toBeInstanceOf(KeyIntegrityError);
    await expect(envelope.decrypt(sealed, { tenantId: 'tenant-a', purpose: 'provider:anthropic' })).rejects.toBeInstanceOf(KeyIntegrityError);
  });

  it('refuses tampered ciphertext, a swapped data key and malformed envelopes', async () => {
    const envelope = createEnvelope(createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' }));
    const sealed = await envelope.encrypt('sk-secret', tenantA);
    const bytes = Buffer.from(sealed.sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    await expect(envelope.decrypt({ ...sealed, sealed: bytes.toString('base64url') }, tenantA)).rejects.toBeInstanceOf(KeyIntegrityError);
    const other = await envelope.encrypt('x', tenantB);
    await expect(envelope.decrypt({ ...sealed, wrappedKey: other.wrappedKey }, tenantA)).rejects.toBeInstanceOf(KeyIntegrityError);
    await expect(envelope.decrypt({ v: 2 } as unknown as Envelope, tenantA)).rejects.toThrow();
  });

  it('caches one data key per tenant (one KMS wrap per tenant, not per secret)', async () => {
    const kms = countingKms(createLocalKms({ masterKeys: { k1: generateMasterKey() }, activeKeyId: 'k1' }));
    const envelope = createEnvelope(kms);
    const sealed = await Promise.all([envelope.encrypt('a', tenantA), envelope.encrypt('b', tenantA), envelope.encrypt('c', tenantB)]);
    expect(kms.wraps).toBe(2);
    expect(sealed[0]!.wrappedKey).toBe(sealed[1]!.wrappedKey);
    expect(sealed[0]!.wrappedKey).not.toBe(sealed[2]!.wrappedKey);
  });

  it('rotates the master key without downtime: old envelopes decrypt, rewrap moves them, the old key retires', async () => {
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const before = createEnvelope(createLocalKms({ masterKeys: { old: oldKey }, activeKeyId: 'old' }));
    const stored = await before.encrypt('sk-secret', tenantA);

    // Step 1: both keys configured, the new one active.
    const during = createEnvelope(createLocalKms({ masterKeys: { old: oldKey, new: newKey }, activeKeyId: 'new' }));
    expect((await during.decrypt(stored, tenantA)).toString()).toBe('sk-secret');
    expect((await during.encrypt('fresh', tenantA)).keyId).toBe('new');
    const rewrapped = await during.rewrap(stored);
    expect(rewrapped.keyId).toBe('new');
    expect(rewrapped.sealed).toBe(stored.sealed);
    expect(await during.rewrap(rewrapped)).toEqual(rewrapped);

    // Step 2: old key removed from config.
    const after = createEnvelope(createLocalKms({ masterKeys: { new: newKey }, activeKeyId: 'new' }));
    expect((await after.decrypt(rewrapped, tenantA)).toString()).toBe('sk-secret');
    await expect(after.decrypt(stored, tenantA)).rejects.toBeInstanceOf(KeyUnavailableError);
  });

  it('a cached data key is rewrapped when the active master key changes', async () => {
    const keys = { a: generateMasterKey(), b: generateMasterKey() };
    let active = 'a';
    const kms: KeyManagementService = {
      get activeKeyId() {
        return active;
      },
      wrap: (dataKey) => createLocalKms({ masterKeys: keys, activeKeyId: active }).wrap(dataKey),
      unwrap: (wrapped) => createLocalKms({ masterKeys: keys, activeKeyId: active }).unwrap(wrapped),
    };
    const envelope = createEnvelope(kms);
    expect((await envelope.encrypt('x', tenantA)).keyId).toBe('a');
    active = 'b';
    const next = await envelope.encrypt('y', tenantA);
    expect(next.keyId).toBe('b');
    expect((await envelope.decrypt(next, tenantA)).toString()).toBe('y');
  });
});
