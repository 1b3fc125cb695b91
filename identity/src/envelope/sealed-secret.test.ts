import { describe, expect, it } from 'vitest';
import { KeyIntegrityError } from './key-management-service';
import { generateDataKey, lastFour, openSecret, sealSecret, secretFingerprint } from './sealed-secret';

const context = { tenantId: 'tenant-a', purpose: 'provider-credential:openai', dataKeyId: 'dk-1' };

describe('sealed secrets', () => {
  it('round-trips without the plaintext in the stored bytes', () => {
    const key = generateDataKey();
    const sealed = sealSecret(key, 'sk-live-abcdef123456', context);
    expect(sealed.nonce).toHaveLength(12);
    expect(Buffer.concat([sealed.nonce, sealed.ciphertext]).includes(Buffer.from('sk-live'))).toBe(false);
    expect(openSecret(key, sealed, context)).toBe('sk-live-abcdef123456');
  });

  it('seals the same secret differently every time (fresh nonce)', () => {
    const key = generateDataKey();
    expect(sealSecret(key, 'x', context).nonce.equals(sealSecret(key, 'x', context).nonce)).toBe(false);
  });

  it('refuses another tenant, another purpose, another data key id, another key, tampering', () => {
    const key = generateDataKey();
    const sealed = sealSecret(key, 'sk-secret', context);
    expect(() => openSecret(key, sealed, { ...context, tenantId: 'tenant-b' })).toThrow(KeyIntegrityError);
    expect(() => openSecret(key, sealed, { ...context, purpose: 'provider-credential:anthropic' })).toThrow(KeyIntegrityError);
    expect(() => openSecret(key, sealed, { ...context, dataKeyId: 'dk-2' })).toThrow(KeyIntegrityError);
    expect(() => openSecret(generateDataKey(), sealed, context)).toThrow(KeyIntegrityError);
    const flipped = Buffer.from(sealed.ciphertext);
    flipped[flipped.length - 1]! ^= 1;
    expect(() => openSecret(key, { ...sealed, ciphertext: flipped }, context)).toThrow(KeyIntegrityError);
    expect(() => openSecret(key, { nonce: Buffer.alloc(3), ciphertext: sealed.ciphertext }, context)).toThrow(KeyIntegrityError);
    expect(() => openSecret(key, { nonce: sealed.nonce, ciphertext: Buffer.alloc(0) }, context)).toThrow(KeyIntegrityError);
  });

  it('fingerprints are stable per key, differ per key and per secret', () => {
    const key = generateDataKey();
    expect(secretFingerprint(key, 'a')).toBe(secretFingerprint(key, 'a'));
    expect(secretFingerprint(key, 'a')).not.toBe(secretFingerprint(key, 'b'));
    expect(secretFingerprint(generateDataKey(), 'a')).not.toBe(secretFingerprint(key, 'a'));
    expect(secretFingerprint(key, 'a')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('shows the last four characters of long secrets only', () => {
    expect(lastFour('sk-abcdefgh1234')).toBe('1234');
    expect(lastFour('short')).toBe('');
  });
});
