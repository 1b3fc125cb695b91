// @switchyard/ledger/web-crypto: SHA-256 from WebCrypto (browsers; Node has it too), for the
// asynchronous verifiers such as verifyInclusionAsync.
import type { AsyncHasher } from './hasher';

export const webCryptoSha256: AsyncHasher = {
  async sha256(...parts) {
    const input = new Uint8Array(parts.reduce((length, part) => length + part.length, 0));
    let offset = 0;
    for (const part of parts) {
      input.set(part, offset);
      offset += part.length;
    }
    return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input));
  },
};
