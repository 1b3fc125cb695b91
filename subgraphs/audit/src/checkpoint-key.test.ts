import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkpointMessage } from '@switchyard/ledger';
import { signCheckpoint } from '@switchyard/ledger/node';
import { generateAuditKeys } from './audit-keys';
import { describeCheckpointKey } from './checkpoint-key';

const checkpointFrom = (keys = generateAuditKeys()) => ({
  keys,
  checkpoint: signCheckpoint({ logId: 'switchyard-audit', treeSize: 7, rootHash: 'ab'.repeat(32), issuedAt: '2026-01-02T03:04:05.000Z' }, keys.signingKey),
});
const importRaw = (base64url: string) => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: base64url }, format: 'jwk' });

describe('describeCheckpointKey', () => {
  it('publishes the raw 32-byte key (base64url) that verifies the checkpoint signature', () => {
    const { keys, checkpoint } = checkpointFrom();
    const described = describeCheckpointKey(keys.publicKey);
    expect(Buffer.from(described.publicKey, 'base64url')).toHaveLength(32);
    expect(described.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(described.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(null, checkpointMessage(checkpoint), importRaw(described.publicKey), Buffer.from(checkpoint.signature, 'base64'))).toBe(true);
  });

  it('does not verify a tampered checkpoint or another key', () => {
    const { keys, checkpoint } = checkpointFrom();
    const key = importRaw(describeCheckpointKey(keys.publicKey).publicKey);
    expect(verify(null, checkpointMessage({ ...checkpoint, treeSize: 8 }), key, Buffer.from(checkpoint.signature, 'base64'))).toBe(false);
    const other = describeCheckpointKey(generateAuditKeys().publicKey);
    expect(verify(null, checkpointMessage(checkpoint), importRaw(other.publicKey), Buffer.from(checkpoint.signature, 'base64'))).toBe(false);
    expect(other.keyId).not.toBe(describeCheckpointKey(keys.publicKey).keyId);
  });

  it('refuses a non-Ed25519 key', () => {
    expect(() => describeCheckpointKey(generateKeyPairSync('x25519').publicKey)).toThrow(/Ed25519/);
  });
});
