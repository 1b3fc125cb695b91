/**
 * Signed tree heads (RFC 9162 §4.10 in spirit): Ed25519 over a fixed text encoding of
 * (log id, size, root, time), so a witness can check one without our code.
 */
export interface Checkpoint {
  logId: string;
  treeSize: number;
  /** Merkle root (hex) of the first treeSize leaves. */
  rootHash: string;
  /** ISO-8601 UTC. */
  issuedAt: string;
  /** Ed25519 signature (base64) over checkpointMessage(). */
  signature: string;
}

export type UnsignedCheckpoint = Omit<Checkpoint, 'signature'>;

/** The signed bytes: a fixed UTF-8 text, so a witness (or a browser) can rebuild them without our code. */
export function checkpointMessage(checkpoint: UnsignedCheckpoint): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`switchyard-audit-checkpoint/v1\n${checkpoint.logId}\n${checkpoint.treeSize}\n${checkpoint.rootHash}\n${checkpoint.issuedAt}\n`);
}
