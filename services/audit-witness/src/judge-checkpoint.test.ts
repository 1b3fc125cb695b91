import type { KeyObject } from 'node:crypto';
import type { LeafHashTree, Checkpoint } from '@switchyard/ledger';
import { describe, expect, it } from 'vitest';
import { judgeCheckpoint, type WitnessRegion } from './judge-checkpoint';
import type { Submission } from './submission';
import { hex, newKeys as keys, proofFrom as proof, signedAt, testLog as log } from './test-support';
import { WitnessRefusal, type WitnessErrorCode } from './witness-errors';

const checkpointOf = (tree: LeafHashTree, size: number, privateKey: KeyObject, logId?: string): Checkpoint => signedAt(tree, size, privateKey, logId);
const submit = (checkpoint: Checkpoint, consistency?: Submission['consistency']): Submission => ({ ...checkpoint, ...(consistency ? { consistency } : {}) });

function refusalOf(run: () => unknown): WitnessErrorCode | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof WitnessRefusal) return error.code;
    throw error;
  }
  return undefined;
}

describe('judgeCheckpoint', () => {
  const a = keys();
  const b = keys();
  const regionA: WitnessRegion = { name: 'region-a', logId: 'switchyard-audit', publicKeys: [a.publicKey] };
  const tree = log(20);
  const at10 = checkpointOf(tree, 10, a.privateKey);

  it("takes a region's first checkpoint on trust, and later ones that extend it by a valid proof", () => {
    expect(judgeCheckpoint(regionA, submit(at10), at10, { latest: null, sameSize: null })).toEqual({ store: true });
    const at20 = checkpointOf(tree, 20, a.privateKey);
    expect(judgeCheckpoint(regionA, submit(at20, proof(tree, 10, 20)), at20, { latest: at10, sameSize: null })).toEqual({ store: true });
    // The same root at a held size (a retry, another replica) is a duplicate, not an error.
    expect(judgeCheckpoint(regionA, submit(at10), { ...at10 }, { latest: at20, sameSize: at10 })).toEqual({ store: false, reason: 'duplicate' });
  });

  it("refuses another region's key, a forged signature and another log id", () => {
    const signedByB = checkpointOf(tree, 10, b.privateKey);
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(signedByB), signedByB, { latest: null, sameSize: null }))).toBe('checkpoint_signature_invalid');
    const forged = { ...at10, rootHash: hex(log(10, 'x').root(10)) };
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(forged), forged, { latest: null, sameSize: null }))).toBe('checkpoint_signature_invalid');
    const otherLog = checkpointOf(tree, 10, a.privateKey, 'switchyard-audit/region-b');
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(otherLog), otherLog, { latest: null, sameSize: null }))).toBe('checkpoint_wrong_log');
    // During a rotation both keys verify.
    expect(judgeCheckpoint({ ...regionA, publicKeys: [a.publicKey, b.publicKey] }, submit(signedByB), signedByB, { latest: null, sameSize: null })).toEqual({ store: true });
  });

  it('refuses equivocation, a rollback, a missing or stale proof, and a rewritten log (fork)', () => {
    const rewritten = log(20, 'b');
    const other10 = checkpointOf(rewritten, 10, a.privateKey);
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(other10), other10, { latest: at10, sameSize: at10 }))).toBe('checkpoint_equivocation');
    const at5 = checkpointOf(tree, 5, a.privateKey);
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(at5), at5, { latest: at10, sameSize: null }))).toBe('checkpoint_rollback');
    const at20 = checkpointOf(tree, 20, a.privateKey);
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(at20), at20, { latest: at10, sameSize: null }))).toBe('consistency_proof_required');
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(at20, proof(tree, 5, 20)), at20, { latest: at10, sameSize: null }))).toBe('consistency_proof_required');
    // A log rewritten below the witnessed size, growing past it: no proof leads from the witnessed root.
    const forked20 = checkpointOf(rewritten, 20, a.privateKey);
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(forked20, proof(rewritten, 10, 20)), forked20, { latest: at10, sameSize: null }))).toBe('checkpoint_fork');
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(forked20, proof(tree, 10, 20)), forked20, { latest: at10, sameSize: null }))).toBe('checkpoint_fork');
    expect(refusalOf(() => judgeCheckpoint(regionA, submit(forked20, { fromSize: 10, proof: [] }), forked20, { latest: at10, sameSize: null }))).toBe('checkpoint_fork');
  });
});
