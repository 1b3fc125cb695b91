import { generateKeyPairSync } from 'node:crypto';
import { signCheckpoint } from '@switchyard/ledger/node';
import { describe, expect, it } from 'vitest';
import { decodeBase64, verifyCheckpointSignatureInBrowser, type SignedCheckpoint } from './checkpoint-browser';

function signedCheckpoint(): SignedCheckpoint {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('no x');
  // Signed by the server's own code, so this also pins the message encoding.
  const checkpoint = signCheckpoint({ logId: 'switchyard-audit', treeSize: 8, rootHash: 'c0ffee'.repeat(10) + 'abcd', issuedAt: '2026-11-26T05:00:00.000Z' }, privateKey);
  return { ...checkpoint, publicKey: x };
}

const flipFirstByte = (base64: string): string => {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] as number) ^ 1;
  return bytes.toString('base64');
};

describe('verifyCheckpointSignatureInBrowser', () => {
  it('verifies a checkpoint signed by the server code with the published raw key', async () => {
    expect(await verifyCheckpointSignatureInBrowser(signedCheckpoint())).toBe(true);
  });

  it('fails a tampered size, root, time, log id or signature', async () => {
    const good = signedCheckpoint();
    const tampered: SignedCheckpoint[] = [
      { ...good, treeSize: 9 },
      { ...good, rootHash: 'd'.repeat(64) },
      { ...good, issuedAt: '2026-11-26T05:00:01.000Z' },
      { ...good, logId: 'another-log' },
      { ...good, signature: flipFirstByte(good.signature) },
    ];
    for (const checkpoint of tampered) expect(await verifyCheckpointSignatureInBrowser(checkpoint)).toBe(false);
  });

  it('fails another key and malformed keys or signatures without throwing', async () => {
    const good = signedCheckpoint();
    const otherKey = signedCheckpoint().publicKey;
    for (const checkpoint of [
      { ...good, publicKey: otherKey },
      { ...good, publicKey: '' },
      { ...good, publicKey: 'not base64!' },
      { ...good, publicKey: good.publicKey.slice(0, 20) },
      { ...good, signature: '' },
      { ...good, signature: good.signature.slice(0, 40) },
      { ...good, signature: '%%%' },
    ]) {
      expect(await verifyCheckpointSignatureInBrowser(checkpoint)).toBe(false);
    }
  });
});

describe('decodeBase64', () => {
  it('reads base64 and base64url with or without padding and refuses junk', () => {
    const bytes = Uint8Array.of(251, 255, 0, 1, 2);
    expect(decodeBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    expect(decodeBase64(Buffer.from(bytes).toString('base64url'))).toEqual(bytes);
    expect(decodeBase64('a')).toBeNull();
    expect(decodeBase64('ab$d')).toBeNull();
  });
});
