import { createHash, generateKeyPairSync } from 'node:crypto';
import { inclusionProof, leafHash, merkleRoot, signCheckpoint } from '@switchyard/ledger/node';
import { describe, expect, it } from 'vitest';
import { checkEntryInclusion, type ProofSource } from './audit-proof-check';
import { toHex } from './merkle-browser';
import type { AuditCheckpoint, AuditInclusionProof } from './operations';

const LEAVES = Array.from({ length: 11 }, (_, i) => Uint8Array.of(i, i * 3, 7));
const leafHex = (seq: number) => toHex(leafHash(LEAVES[seq] as Uint8Array));

function honestProof(seq: number, treeSize: number | null): AuditInclusionProof {
  const size = treeSize ?? LEAVES.length;
  const leaves = LEAVES.slice(0, size);
  return { seq, treeSize: size, leafHash: leafHex(seq), rootHash: toHex(merkleRoot(leaves)), path: inclusionProof(leaves, seq).map(toHex) };
}

const LOG_KEYS = generateKeyPairSync('ed25519');
const PUBLIC_KEY = String(LOG_KEYS.publicKey.export({ format: 'jwk' }).x);

/** A checkpoint signed like the audit subgraph signs them, with its published key. */
const checkpointOf = (treeSize: number): AuditCheckpoint => ({
  ...signCheckpoint({ logId: 'log', treeSize, rootHash: toHex(merkleRoot(LEAVES.slice(0, treeSize))), issuedAt: '2026-01-01T00:00:00.000Z' }, LOG_KEYS.privateKey),
  publicKey: PUBLIC_KEY,
  keyId: createHash('sha256').update(Buffer.from(PUBLIC_KEY, 'base64url')).digest('hex'),
});

function source(checkpoint: AuditCheckpoint | null, prove: (seq: number, treeSize: number | null) => AuditInclusionProof = honestProof): ProofSource & { asked: Array<number | null> } {
  const asked: Array<number | null> = [];
  return {
    asked,
    latestCheckpoint: () => Promise.resolve({ ok: true, checkpoint }),
    inclusionProof: (seq, treeSize) => {
      asked.push(treeSize);
      return Promise.resolve({ ok: true, proof: prove(seq, treeSize) });
    },
  };
}

describe('checkEntryInclusion', () => {
  it('verifies an entry covered by the checkpoint, asking for a proof at the checkpoint size', async () => {
    const server = source(checkpointOf(8));
    const result = await checkEntryInclusion(server, { seq: 5, leafHash: leafHex(5) }, 'checkpoint');
    expect(result).toMatchObject({ state: 'verified', anchor: 'checkpoint', treeSize: 8, pathLength: 3, signatureVerified: true, failedPart: null });
    expect(server.asked).toEqual([8]);
  });

  it('says "not covered" for an entry newer than the checkpoint, and verifies it against the current head on request', async () => {
    expect(await checkEntryInclusion(source(checkpointOf(8)), { seq: 9, leafHash: leafHex(9) }, 'checkpoint')).toMatchObject({ state: 'not-covered' });
    expect(await checkEntryInclusion(source(null), { seq: 0, leafHash: leafHex(0) }, 'checkpoint')).toMatchObject({ state: 'not-covered' });
    const server = source(checkpointOf(8));
    expect(await checkEntryInclusion(server, { seq: 9, leafHash: leafHex(9) }, 'current-head')).toMatchObject({ state: 'verified', anchor: 'current-head', treeSize: 11, checkpoint: null, signatureVerified: null });
    expect(server.asked).toEqual([null]);
  });

  it('fails a checkpoint whose signature does not verify (tampered root, size, time, signature or key), without trusting its root', async () => {
    const entry = { seq: 5, leafHash: leafHex(5) };
    const good = checkpointOf(8);
    const otherKey = String(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }).x);
    for (const checkpoint of [
      { ...good, rootHash: toHex(merkleRoot(LEAVES.slice(0, 9))) },
      { ...good, issuedAt: '2026-01-01T00:00:01.000Z' },
      { ...good, signature: Buffer.alloc(64).toString('base64') },
      { ...good, publicKey: otherKey },
    ]) {
      expect(await checkEntryInclusion(source(checkpoint), entry, 'checkpoint')).toMatchObject({ state: 'failed', failedPart: 'signature', signatureVerified: false });
    }
    // A re-sized checkpoint: the honest proof for size 9 matches its claims, only the signature gives it away.
    const resized = { ...checkpointOf(9), signature: good.signature };
    expect(await checkEntryInclusion(source(resized), entry, 'checkpoint')).toMatchObject({ state: 'failed', failedPart: 'signature' });
  });

  it('fails a proof whose root is not the checkpoint root, even if it is self-consistent', async () => {
    // A consistent proof for a different tree (size 9) passed off as the checkpoint's.
    const lying = source(checkpointOf(8), (seq) => ({ ...honestProof(seq, 9), treeSize: 8 }));
    expect(await checkEntryInclusion(lying, { seq: 5, leafHash: leafHex(5) }, 'checkpoint')).toMatchObject({ state: 'failed', failedPart: 'proof', signatureVerified: true, reason: expect.stringMatching(/root/) as unknown });
  });

  it('fails a tampered path, another leaf, another seq or another tree size', async () => {
    const entry = { seq: 5, leafHash: leafHex(5) };
    const tamperedPath = source(checkpointOf(8), (seq, size) => {
      const proof = honestProof(seq, size);
      return { ...proof, path: [leafHex(1), ...proof.path.slice(1)] };
    });
    expect(await checkEntryInclusion(tamperedPath, entry, 'checkpoint')).toMatchObject({ state: 'failed', reason: 'The path does not hash to the root.' });
    expect(await checkEntryInclusion(source(checkpointOf(8)), { seq: 5, leafHash: leafHex(4) }, 'checkpoint')).toMatchObject({ state: 'failed' });
    expect(await checkEntryInclusion(source(checkpointOf(8), (_seq, size) => honestProof(4, size)), entry, 'checkpoint')).toMatchObject({ state: 'failed' });
    expect(await checkEntryInclusion(source(checkpointOf(8), (seq) => honestProof(seq, 11)), entry, 'checkpoint')).toMatchObject({ state: 'failed' });
  });

  it('reports transport errors', async () => {
    const down: ProofSource = {
      latestCheckpoint: () => Promise.resolve({ ok: false, message: 'gateway down' }),
      inclusionProof: () => Promise.reject(new Error('not called')),
    };
    expect(await checkEntryInclusion(down, { seq: 0, leafHash: leafHex(0) }, 'checkpoint')).toEqual({ state: 'error', message: 'gateway down' });
  });
});
