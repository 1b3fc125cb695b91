import { createHash } from 'node:crypto';
import type { Hasher } from '../hasher';

/** SHA-256 from node:crypto. */
export const nodeSha256: Hasher = {
  sha256(...parts) {
    const hash = createHash('sha256');
    for (const part of parts) hash.update(part);
    return new Uint8Array(hash.digest());
  },
};
